"""GraphiQL works on a network with no internet (issue 21, item 1): every asset from the app."""

from __future__ import annotations

import asyncio
import os
import re
import shutil

import pytest

from tests.security.support import serving

BROWSER = shutil.which("chromium") and shutil.which("chromedriver")
REQUIRED = os.environ.get("GPCLOUD_REQUIRE_BROWSER") == "1"


async def test_the_graphiql_page_names_no_other_host_and_its_assets_are_served(client):
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "Loading..." in page.text
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text), "an asset from another host"
    assert "<script>" not in page.text  # the IDE's policy allows no inline script
    assets = re.findall(r"(?:src|href)=\"(/graphql/assets/[^\"]+)\"", page.text)
    assert len(assets) == 8, assets
    for path in assets:
        response = await client.get(path)
        assert response.status_code == 200 and len(response.content) > 100, path
    assert (await client.get("/graphql/assets/../../app.py")).status_code == 404


@pytest.mark.skipif(not BROWSER and not REQUIRED, reason="Debian's chromium and chromium-driver")
async def test_graphiql_renders_its_editor_with_the_network_blocked():
    from gpcloud.app import create_app

    async with serving(create_app(run_worker=False)) as base:
        found = await asyncio.to_thread(_browse, base)
    assert found["violations"] == [], found["violations"]
    assert found["elsewhere"] == [], found["elsewhere"]
    assert "login(username" in found["editor"], found["editor"]
    assert found["result"].startswith("{") and '"token"' in found["result"], found["result"]


def _browse(base: str) -> dict:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        # No name resolves but the loopback address: a CDN asset could not load.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    try:
        driver.get(base + "/graphql")
        wait = WebDriverWait(driver, 20)
        editor = wait.until(
            expected_conditions.presence_of_element_located(
                (By.CSS_SELECTOR, ".graphiql-query-editor .CodeMirror")
            )
        )
        run = driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button")
        run.click()
        wait.until(
            lambda d: (
                '"token"'
                in d.execute_script(
                    "var r = document.querySelector('.result-window .CodeMirror');"
                    "return r ? r.CodeMirror.getValue() : ''"
                )
            )
        )
        result = driver.execute_script(
            "return document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()"
        )
        if shots := os.environ.get("GPCLOUD_SCREENSHOTS"):
            driver.save_screenshot(os.path.join(shots, "graphiql-offline.png"))
        origin = base.rstrip("/")
        elsewhere = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
            ".filter(n => !n.startsWith(arguments[0]) && !n.startsWith('data:'))",
            origin,
        )
        return {
            "editor": editor.text,
            "result": result,
            "elsewhere": elsewhere,
            "violations": [
                entry["message"]
                for entry in driver.get_log("browser")
                if entry["level"] == "SEVERE" or "Content Security Policy" in entry["message"]
            ],
        }
    finally:
        driver.quit()
