"""Security headers on every response, and a portal that works under its Content-Security-Policy."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import pytest

from gpcloud.core.security_headers import DATA_POLICY, IDE_POLICY, PAGE_POLICY
from gpcloud.portal import demo as portal_demo
from tests.security.support import serving

TEMPLATES = Path(__file__).resolve().parents[2] / "platform" / "gpcloud" / "portal" / "templates"


def _secured(response, policy: bytes) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["content-security-policy"] == policy.decode()


async def test_json_html_and_error_responses_carry_the_headers(client):
    graphql = await client.post("/graphql", json={"query": "{ __typename }"})
    _secured(graphql, DATA_POLICY)
    _secured(await client.get("/health"), DATA_POLICY)
    _secured(await client.get("/"), PAGE_POLICY)
    _secured(await client.get("/notices?q=采购"), PAGE_POLICY)
    _secured(await client.get("/graphql", headers={"accept": "text/html"}), IDE_POLICY)
    css = await client.get("/static/portal.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    _secured(css, DATA_POLICY)
    # Responses no handler produced: unknown path, wrong method, a refused body, a 404 page.
    for response in (
        await client.get("/no/such/page"),
        await client.delete("/health"),
        await client.get("/notices/999999"),
        await client.post("/graphql", content=b"x" * 2_000_000),
    ):
        assert response.status_code in (404, 405, 413), response.status_code
        _secured(response, DATA_POLICY)


def test_portal_templates_hold_nothing_the_policy_blocks():
    """No inline script, style or event handler: the pages' CSP allows only /static/portal.css."""
    inline = re.compile(r"<script|<style|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)
    for template in TEMPLATES.glob("*.html"):
        assert not inline.search(template.read_text(encoding="utf-8")), template.name


BROWSER = shutil.which("chromium") and shutil.which("chromedriver")


@pytest.mark.skipif(not BROWSER, reason="Debian's chromium and chromium-driver")
async def test_the_portal_renders_under_its_policy_in_a_browser(demo):
    from gpcloud.app import create_app

    await portal_demo.seed()
    async with serving(create_app(run_worker=False)) as base:
        violations, header_colour = await asyncio.to_thread(_browse, base)
    assert violations == []
    assert header_colour == "rgb(179, 38, 30)"  # the stylesheet applied


def _browse(base: str) -> tuple[list[str], str]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    try:
        driver.implicitly_wait(5)
        driver.get(base + "/notices?q=采购")
        driver.find_element(By.CSS_SELECTOR, "ul.notices li a").click()
        driver.find_element(By.TAG_NAME, "h1")
        colour = driver.execute_script(
            "return getComputedStyle(document.querySelector('header')).backgroundColor"
        )
        violations = [
            entry["message"]
            for entry in driver.get_log("browser")
            if "Content Security Policy" in entry["message"]
        ]
        return violations, colour
    finally:
        driver.quit()
