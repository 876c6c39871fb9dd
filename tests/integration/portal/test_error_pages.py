"""Error responses (issue 21 item 4): a page in the portal's style for a browser, JSON with a
stable code for programs; neither repeats what was asked for."""

import logging

from litestar import Litestar, get
from litestar.testing import TestClient

from gpcloud.core.bad_requests import EXCEPTION_HANDLERS
from gpcloud.core.security_headers import DATA_POLICY, PAGE_POLICY, add_security_headers
from gpcloud.portal.errors import exception_handlers

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
HOSTILE = "<script>alert(1)</script>"


async def test_a_browser_gets_a_portal_page_without_the_input(client):
    for path, status, title in (
        ("/notices/999999", 404, "页面不存在"),
        (f"/regions/{HOSTILE}", 404, "页面不存在"),
        (f"/no/such/{HOSTILE}", 404, "页面不存在"),
        (f"/notices?region={HOSTILE}", 404, "页面不存在"),
        ("/notices/abc", 404, "页面不存在"),
        ("/static/portal.css", 405, None),  # below: POST
    ):
        if title is None:
            response = await client.post(path, headers=BROWSER)
            title = "不支持的请求方式"
        else:
            response = await client.get(path, headers=BROWSER)
        assert response.status_code == status, (path, response.status_code)
        if path.startswith("/static"):
            assert response.headers["content-type"].startswith("application/json")
            continue
        assert response.headers["content-type"].startswith("text/html"), path
        assert response.headers["content-security-policy"] == PAGE_POLICY.decode()
        html = response.text
        assert f"<h1>{title}</h1>" in html and 'href="/static/portal.css"' in html
        assert "NOT_FOUND" in html and "返回首页" in html
        for echoed in ("999999", "script", "alert", "abc"):
            assert echoed not in html.split("<main>", 1)[1], (path, echoed)


async def test_a_program_gets_json_with_a_code_and_no_input(client):
    response = await client.get("/notices/999999")
    assert response.status_code == 404
    assert response.headers["content-security-policy"] == DATA_POLICY.decode()
    body = response.json()
    assert body["code"] == "NOT_FOUND" and "999999" not in response.text
    explicit = await client.get("/notices/999999", headers={"accept": "application/json"})
    assert explicit.json()["code"] == "NOT_FOUND"
    # The API's paths answer JSON even to a browser.
    for path in ("/ocds/releases?limit=0", "/jobs/999999/result", "/health/x"):
        api = await client.get(path, headers=BROWSER)
        assert api.headers["content-type"].startswith("application/json"), path


class Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_a_fault_is_a_page_or_json_and_its_traceback_is_logged_once():
    @get("/boom", include_in_schema=False)
    async def boom() -> str:
        raise RuntimeError("secret detail of the fault")

    app = Litestar(
        [boom],
        exception_handlers=exception_handlers(EXCEPTION_HANDLERS),
        before_send=[add_security_headers],
    )
    kept, logger = Kept(), logging.getLogger("gpcloud.errors")
    logger.addHandler(kept)
    try:
        with TestClient(app) as test:
            page = test.get("/boom", headers=BROWSER)
            data = test.get("/boom")
    finally:
        logger.removeHandler(kept)
    assert page.status_code == 500 and "<h1>系统繁忙</h1>" in page.text
    assert "secret" not in page.text and "INTERNAL_ERROR" in page.text
    assert data.status_code == 500 and data.json()["code"] == "INTERNAL_ERROR"
    assert "secret" not in data.text
    faults = kept.records
    assert len(faults) == 2 and all(r.levelno == logging.ERROR and r.exc_info for r in faults)
