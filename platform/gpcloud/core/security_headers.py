"""The security headers of every response, HTML and JSON, errors included (README: Security).

One policy in one place: a Litestar `before_send` hook, so it also covers the responses that
no route handler produced (404, 405, 413, 500).
"""

from __future__ import annotations

from litestar.types import Message, Scope

COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)
# The portal's pages load only their own stylesheet and nothing else.
PAGE_POLICY = (
    b"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    b"base-uri 'none'; frame-ancestors 'none'"
)
# The analytics pages (analytics/http.py, the public summary; analytics/pages.py, the logged-in
# region dashboard): the chart library and script from the app itself, no inline script (the
# figures are a JSON block, which does not run).
DASHBOARD_PATHS = ("/analytics", "/analytics/region")
DASHBOARD_POLICY = (
    b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# JSON, files: nothing in them may run or load anything, even if opened in a browser.
DATA_POLICY = b"default-src 'none'; frame-ancestors 'none'"
# What a JSON response gets (the direct read path, core/graphql/direct.py, answers before the
# hook and adds these itself).
DATA_HEADERS = (*COMMON, (b"content-security-policy", DATA_POLICY))
# GraphiQL (core/graphql/ide): scripts and styles only from the app itself, no inline script.
# Its editor (CodeMirror) sets style attributes, hence 'unsafe-inline' for styles alone.
IDE_PATH = "/graphql"
IDE_POLICY = (
    b"default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    b"font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _policy(scope: Scope, content_type: bytes) -> bytes:
    if not content_type.startswith(b"text/html"):
        return DATA_POLICY
    path = scope.get("path")
    if path in DASHBOARD_PATHS:
        return DASHBOARD_POLICY
    return IDE_POLICY if path == IDE_PATH else PAGE_POLICY


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers") or ())
    present = {name.lower() for name, _ in headers}
    content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
    wanted = (*COMMON, (b"content-security-policy", _policy(scope, content_type.lower())))
    message["headers"] = headers + [(n, v) for n, v in wanted if n not in present]
