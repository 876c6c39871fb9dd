"""The public website: pages over the published notices, escaping, and a real browser walk
(headless Chromium from Debian's packages, on a phone-sized window)."""

import asyncio
import os
import shutil
import socket

import pytest

from gpcloud.demo import seed_demo
from tests.support import closed_loop_module, drain_jobs, gql, login


@pytest.fixture
async def walked(client):
    await seed_demo()
    closed_loop = closed_loop_module()
    return await closed_loop.walk(closed_loop.Session(client, drain_jobs))


async def page(client, path: str, status: int = 200) -> str:
    response = await client.get(path)
    assert response.status_code == status, response.text[:500]
    return response.text


async def test_home_list_detail_and_region_pages(client, walked):
    home = await page(client, "/")
    assert (
        "最新公告" in home
        and "结果公告" in home
        and "兴宁市第一中学多媒体教室设备采购项目招标公告" in home
    )
    found = await page(client, "/notices?q=多媒体教室")
    assert "<mark>多媒体</mark>" in found and "检索词：多媒体、教室" in found
    results = await page(client, "/notices?kind=result&region=441400")
    assert "中标结果公告" in results
    assert "暂无公告" in await page(client, "/notices?kind=result&region=440100")
    detail_link = results.split('href="/notices/', 1)[1].split('"', 1)[0]
    detail = await page(client, f"/notices/{detail_link}")
    assert detail.split('<ol class="chain">')[1].count("<li") == 7
    assert "4,380,000.00 元（438.00 万元）" in detail
    county = await page(client, "/regions/441481")
    assert "兴宁市政府采购" in county
    await page(client, "/regions/999999", 404)
    await page(client, "/notices/999999", 404)
    await page(client, "/notices?region=999999", 404)


async def test_what_is_published_is_escaped(client, demo):
    admin = await login(client, "xn.admin")
    title = "<script>alert(1)</script>通知"
    done = await gql(
        client,
        'mutation($t: String!) { publishArticle(kind: NOTICE, title: $t, body: "<b>正文</b>") '
        "{ notice { id } errors { code } } }",
        {"t": title},
        token=admin,
    )
    notice = done["data"]["publishArticle"]["notice"]["id"]
    for html in (await page(client, "/"), await page(client, f"/notices/{notice}")):
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<b>正文</b>" not in await page(client, f"/notices/{notice}")


BROWSER = shutil.which("chromium") and shutil.which("chromedriver")
REQUIRED = os.environ.get("GPCLOUD_REQUIRE_BROWSER") == "1"


@pytest.mark.skipif(not BROWSER and not REQUIRED, reason="Debian's chromium and chromium-driver")
async def test_the_portal_in_a_real_browser(walked):
    import uvicorn

    from gpcloud.app import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(run_worker=False),
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.05)
    try:
        await asyncio.to_thread(browse, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        await serving


def browse(base: str) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=390,844",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    try:
        driver.implicitly_wait(5)
        driver.get(base + "/")
        assert driver.find_element(By.TAG_NAME, "h1").text == "最新公告"
        fits = "return document.documentElement.scrollWidth <= window.innerWidth"
        assert driver.execute_script(fits), "the home page is wider than a phone"
        box = driver.find_element(By.NAME, "q")
        box.send_keys("多媒体教室")
        box.submit()
        marks = driver.find_elements(By.CSS_SELECTOR, "ul.notices mark")
        assert marks and marks[0].text == "多媒体"
        driver.find_element(By.CSS_SELECTOR, "ul.notices li a").click()
        steps = driver.find_elements(By.CSS_SELECTOR, "ol.chain li")
        assert len(steps) == 7, [s.text for s in steps]
        assert driver.execute_script(fits), "the detail page is wider than a phone"
        steps[-1].find_element(By.TAG_NAME, "a").click()
        assert "验收" in driver.find_element(By.TAG_NAME, "h1").text
        # A county from the region selector (issue 21), and the home page's region tree.
        from selenium.webdriver.support.ui import Select, WebDriverWait

        driver.get(base + "/")
        Select(driver.find_element(By.NAME, "region")).select_by_value("441481")
        driver.find_element(By.CSS_SELECTOR, "header form button").click()
        # Read the selector of the page the click loads, not the one it leaves (stale element).
        WebDriverWait(driver, 10).until(lambda d: "region=441481" in d.current_url)
        chosen = Select(driver.find_element(By.NAME, "region")).first_selected_option
        assert chosen.text == "兴宁市"
        driver.get(base + "/")
        tree = driver.find_element(By.CSS_SELECTOR, "ul.regions")
        if shots := os.environ.get("GPCLOUD_SCREENSHOTS"):
            driver.execute_script("arguments[0].scrollIntoView()", tree)
            tree.screenshot(os.path.join(shots, "portal-region-tree.png"))
        tree.find_element(By.LINK_TEXT, "兴宁市").click()
        assert driver.find_element(By.TAG_NAME, "h1").text == "兴宁市政府采购"
        # A wrong address: the portal's error page (issue 21), not JSON.
        driver.get(base + "/notices/999999")
        assert driver.find_element(By.TAG_NAME, "h1").text == "页面不存在"
        assert driver.find_element(By.CSS_SELECTOR, "header a").text == "广东政府采购智慧云平台"
        if shots := os.environ.get("GPCLOUD_SCREENSHOTS"):
            driver.save_screenshot(os.path.join(shots, "portal-error-page.png"))
    finally:
        driver.quit()


async def test_the_demo_portal_has_history_to_browse(client, demo):
    from gpcloud.portal import demo as portal_demo

    created = await portal_demo.seed()
    assert created > 200 and await portal_demo.seed() == 0  # once
    home = await page(client, "/")
    assert "梅州市" in home and "政策法规" in home and "已迁移，可查询" in home
    found = await page(client, "/notices?q=彩超&region=441400")
    assert "<mark>彩超</mark>" in found
    chain_page = await page(client, "/notices?kind=acceptance&region=441481")
    link = chain_page.split('href="/notices/', 1)[1].split('"', 1)[0]
    detail = await page(client, f"/notices/{link}")
    assert detail.split('<ol class="chain">')[1].count("<li") == 7


async def test_the_home_page_reads_the_latest_of_every_kind_in_one_statement(client, demo):
    """latest_of_each gives, per kind, what the notice list's first page of that kind gives."""
    from gpcloud.portal import demo as portal_demo
    from gpcloud.portal import service
    from gpcloud.portal.tables import KIND_LABELS

    await portal_demo.seed()
    for region in (None, "441400", "441481"):
        latest = await service.latest_of_each(region, tuple(KIND_LABELS), 3)
        assert list(latest) == list(KIND_LABELS)
        for kind, rows in latest.items():
            page_ = await service.find(service.NoticeFilter(region=region, kinds=(kind,)), 3, None)
            assert [r["id"] for r in rows] == [r["id"] for r in page_.rows], (region, kind)
        assert sum(map(len, latest.values())) > 3  # more than one kind has notices
    assert await service.latest_of_each("441481", (), 3) == {}
