"""Error responses a person can read: an HTML page in the portal's style for a browser, JSON
(with its stable `code`) for programs (issue 21).

A browser is a request that prefers text/html (its Accept header) outside the API's paths. The
page says what happened in Chinese and never repeats what was asked for: a URL someone was sent
cannot put text of its author's choosing on the province's site. Unexpected faults (500) are
logged with their traceback here, once; the caller gets no detail of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from litestar import Request, Response
from litestar.exceptions import HTTPException

from gpcloud.core.bad_requests import CODES, json_response
from gpcloud.portal.pages import SITE, templates

log = logging.getLogger("gpcloud.errors")

# JSON whatever the Accept header says: programs call these.
API_PREFIXES = ("/graphql", "/ocds", "/jobs", "/health", "/audit", "/static")
PAGES = {
    400: ("请求有误", "请求的参数无法识别，请检查链接或重新检索。"),
    401: ("需要登录", "请先登录后再访问。"),
    403: ("无权访问", "您没有访问该页面的权限。"),
    404: ("页面不存在", "您访问的页面或公告不存在，可能已撤回，或链接地址有误。"),
    405: ("不支持的请求方式", "该地址不支持这种请求方式。"),
    413: ("提交的内容过大", "提交的内容超过了允许的大小。"),
    500: ("系统繁忙", "服务器处理请求时出错，已记录在案，请稍后再试。"),
}
INTERNAL = "INTERNAL_ERROR"


def wants_html(request: Request) -> bool:
    if request.url.path.startswith(API_PREFIXES):
        return False
    best = request.accept.best_match(["application/json", "text/html"], "application/json")
    return best == "text/html"


def error_page(status: int, code: str, headers: dict | None = None) -> Response:
    title, explanation = PAGES.get(status, PAGES[400] if status < 500 else PAGES[500])
    html = templates.get_template("error.html").render(
        site=SITE,
        places=None,
        title=title,
        explanation=explanation,
        status=status,
        code=code,
    )
    return Response(
        html, status_code=status, media_type="text/html; charset=utf-8", headers=headers
    )


def _portal_http_error(json_handler: Callable) -> Callable:
    def handle(request: Request, exc: HTTPException) -> Response:
        response = json_handler(request, exc)
        if not wants_html(request):
            return response
        status = response.status_code
        return error_page(status, CODES.get(status, "HTTP_ERROR"), exc.headers)

    return handle


def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    if wants_html(request):
        return error_page(500, INTERNAL)
    return json_response({"status_code": 500, "code": INTERNAL, "detail": "internal error"}, 500)


def exception_handlers(core: dict) -> dict:
    """The core's JSON handlers, answering browsers with pages, and one for faults (500)."""
    return {
        **core,
        HTTPException: _portal_http_error(core[HTTPException]),
        500: _internal_error,
    }
