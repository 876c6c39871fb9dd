"""The analytics dashboards in a real browser (issue 19): headless Chromium from Debian's
packages, with no name resolving but the loopback address (government networks: no CDN), on
the analytics demo. Chart.js draws every chart from the app's own copy, no script errs, each
chart's table beside it holds the chart's numbers, and on a phone nothing scrolls sideways
and the charts stack above their tables.

The region page signs in by a bearer header only (analytics/pages.py; no cookie session), which
a browser's address bar cannot send: a browser with no header is refused, and the page is
drawn here with the header added by the browser itself (DevTools), as the proxy or frontend
that the docs name would add it."""

from __future__ import annotations

import asyncio
import os
import shutil

import pytest

from gpcloud.analytics import demo as analytics_demo
from gpcloud.core.clock import today
from tests.security.support import serving
from tests.support import login

BROWSER = shutil.which("chromium") and shutil.which("chromedriver")
REQUIRED = os.environ.get("GPCLOUD_REQUIRE_BROWSER") == "1"
needs_browser = pytest.mark.skipif(
    not BROWSER and not REQUIRED, reason="Debian's chromium and chromium-driver"
)
PHONE = (375, 812)

# Every chart's drawing and its table, read in the page: the Chart.js instance on the canvas
# (none: not drawn), whether any pixel is painted, and the table's rows beside it.
CHARTS = """
return Array.from(document.querySelectorAll('section.chart')).map(function (s) {
  var canvas = s.querySelector('canvas'), table = s.querySelector('.pair > table');
  var chart = window.Chart ? Chart.getChart(canvas) : undefined;
  var pixels = canvas.width && canvas.height
    ? canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data : [];
  var painted = 0;
  for (var i = 3; i < pixels.length; i += 4) { if (pixels[i]) { painted++; } }
  var box = canvas.getBoundingClientRect(), tbox = table ? table.getBoundingClientRect() : null;
  return {
    id: canvas.id,
    title: s.querySelector('h2').textContent,
    drawn: !!chart,
    labels: chart ? chart.data.labels : null,
    values: chart ? chart.data.datasets[0].data : null,
    painted: painted,
    caption: table && table.caption ? table.caption.textContent : null,
    headers: table ? Array.from(table.querySelectorAll('thead th')).map(h => h.textContent) : [],
    rows: table ? Array.from(table.querySelectorAll('tbody tr')).map(function (r) {
      return [r.querySelector('th') ? r.querySelector('th').textContent : null,
              r.querySelector('td').textContent];
    }) : [],
    canvas: [box.left, box.top, box.width, box.height],
    bitmap: [canvas.width / devicePixelRatio, canvas.height / devicePixelRatio],
    table: tbox ? [tbox.left, tbox.top, tbox.width, tbox.height] : null,
  };
});
"""
ELSEWHERE = (
    "return performance.getEntriesByType('resource').map(e => e.name)"
    ".filter(n => !n.startsWith(arguments[0]) && !n.startsWith('data:'))"
)
FITS = "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture
async def seeded(demo):
    await analytics_demo.seed()


def _driver(width: int = 1280, height: int = 900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        # No name resolves but the loopback address: an asset from a CDN could not load.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))


def _phone(driver) -> None:
    """A phone's viewport (375 x 812 CSS pixels, touch, the page's viewport meta honoured)."""
    width, height = PHONE
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True},
    )


def _read(driver, base: str) -> dict:
    """What one loaded page shows: its charts, errors, foreign requests and width."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    return {
        "title": driver.title,
        "h1": driver.execute_script("return document.querySelector('h1').textContent"),
        "charts": driver.execute_script(CHARTS),
        "errors": [
            e["message"]
            for e in driver.get_log("browser")
            if e["level"] == "SEVERE" or "Content Security Policy" in e["message"]
        ],
        "elsewhere": driver.execute_script(ELSEWHERE, base),
        "width": driver.execute_script(FITS),
    }


def _shot(driver, name: str, element=None) -> None:
    """GPCLOUD_SCREENSHOTS=docs/screenshots: the element (small PNGs), or the window."""
    if shots := os.environ.get("GPCLOUD_SCREENSHOTS"):
        path = os.path.join(shots, name)
        element.screenshot(path) if element else driver.save_screenshot(path)


def _browse_public(base: str) -> dict:
    from selenium.webdriver.common.by import By

    url = f"{base}/analytics?region=441400&year={today().year}"
    driver = _driver(1280, 900)
    try:
        driver.get(url)
        wide = _read(driver, base)
        _shot(
            driver, "analytics-dashboard.png", driver.find_element(By.CSS_SELECTOR, "section.chart")
        )
        _phone(driver)
        driver.get(url)
        phone = _read(driver, base)
        first = driver.find_element(By.CSS_SELECTOR, "section.chart")
        driver.execute_script("arguments[0].scrollIntoView()", first)
        _shot(driver, "analytics-dashboard-phone.png")
        return {"wide": wide, "phone": phone}
    finally:
        driver.quit()


def _browse_region(base: str, token: str) -> dict:
    url = f"{base}/analytics/region?region=441400&year={today().year}"
    driver = _driver(1280, 900)
    try:
        driver.get(url)  # as a signed-in user's browser would: no header
        refused = driver.execute_script("return document.body.textContent")
        driver.get_log("browser")  # the 401's console line is the expected one
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.setExtraHTTPHeaders", {"headers": {"authorization": f"Bearer {token}"}}
        )
        driver.get(url)
        wide = _read(driver, base)
        _phone(driver)
        driver.get(url)
        phone = _read(driver, base)
        return {"refused": refused, "wide": wide, "phone": phone}
    finally:
        driver.quit()


def _number(text: str) -> float:
    return float(text.replace(",", "").strip())


def _check(seen: dict, charts: int, heading: str) -> None:
    """One page as a desktop and as a phone: drawn, same numbers, nothing foreign, no errors."""
    for size in ("wide", "phone"):
        page = seen[size]
        assert page["h1"] == heading, page["h1"]
        assert page["errors"] == [], (size, page["errors"])
        assert page["elsewhere"] == [], (size, page["elsewhere"])
        assert len(page["charts"]) == charts, [c["id"] for c in page["charts"]]
        for chart in page["charts"]:
            where = (size, chart["id"], chart["title"])
            assert chart["drawn"] and chart["painted"] > 100, where
            assert chart["caption"] == chart["title"], where
            assert chart["headers"] == ["分组", "数值"], where
            assert chart["labels"] == [r[0] for r in chart["rows"]], where
            assert chart["values"] == pytest.approx([_number(r[1]) for r in chart["rows"]]), where
            # Drawn at the size shown, not a wider bitmap squeezed into its box.
            assert chart["bitmap"] == pytest.approx(chart["canvas"][2:], abs=2), where
            if chart["title"].endswith("按月"):  # months in the calendar's order
                months = [int(m.removesuffix("月")) for m in chart["labels"]]
                assert months == sorted(months) and len(months) > 1, where
    for chart in seen["wide"]["charts"]:  # beside: the table to the right of its chart
        canvas, table = chart["canvas"], chart["table"]
        assert table[0] >= canvas[0] + canvas[2] and abs(table[1] - canvas[1]) < 5, chart["id"]
    scroll, client = seen["phone"]["width"]
    assert client == PHONE[0] and scroll <= client, seen["phone"]["width"]
    for chart in seen["phone"]["charts"]:  # stacked: the table below its chart, full width
        canvas, table = chart["canvas"], chart["table"]
        assert table[1] >= canvas[1] + canvas[3] and canvas[2] > 300, (chart["id"], canvas, table)


@needs_browser
async def test_the_public_dashboard_in_a_real_browser(seeded):
    from gpcloud.app import create_app

    async with serving(create_app(run_worker=False)) as base:
        seen = await asyncio.to_thread(_browse_public, base)
    _check(seen, 6, f"梅州市 {today().year}年政府采购公开统计")


@needs_browser
async def test_the_region_dashboard_in_a_real_browser(seeded, client):
    from gpcloud.app import create_app

    token = await login(client, "mz.supervisor")
    async with serving(create_app(run_worker=False)) as base:
        seen = await asyncio.to_thread(_browse_region, base, token)
    assert "错误代码 401" in seen["refused"], seen["refused"][:300]
    _check(seen, 9, f"梅州市 {today().year}年政府采购统计分析")
