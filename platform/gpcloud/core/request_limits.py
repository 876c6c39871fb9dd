"""No request may hold the platform: every request body has a size limit and every request a
time limit (README: Security).

Bodies: multipart uploads up to `max_upload_bytes`, anything else (a GraphQL JSON body) up to
`max_body_bytes`; a larger declared Content-Length is refused before a byte is read, a larger
streamed body as soon as it passes the limit: 413 REQUEST_TOO_LARGE.

Time: a request that has not started its response `request_timeout_ms` after it arrived is
cancelled and answered 503 REQUEST_TIMEOUT. Time spent waiting for the client's body does not
count (a slow upload is the client's), and the clock stops once the response starts (a file
download streams at the client's pace). Cancelling the handler rolls its transaction back and
returns its database connection (asyncpg cancels the running statement); the answer does not
wait for that.
"""

from __future__ import annotations

import asyncio
import json

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from gpcloud.core.i18n import language, negotiate, translate
from gpcloud.settings import Settings


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    error = {"message": translate(code, message), "extensions": {"code": code}}
    body = json.dumps({"errors": [error]}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return ""


class _Clock:
    """The request's time budget, paused while the handler waits for the client."""

    def __init__(self, seconds: float, on_expiry):
        self.loop = asyncio.get_running_loop()
        self.remaining = seconds
        self.on_expiry = on_expiry
        self.handle: asyncio.TimerHandle | None = None
        self.resume()

    def resume(self) -> None:
        self.started = self.loop.time()
        self.handle = self.loop.call_later(max(self.remaining, 0), self.on_expiry)

    def pause(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None
            self.remaining -= self.loop.time() - self.started


def request_limits(settings: Settings):
    """Litestar middleware (a factory of ASGI apps) enforcing the deployment's limits."""
    seconds = settings.request_timeout_ms / 1000

    def middleware(app: ASGIApp) -> ASGIApp:
        async def limited(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            # The request's language, for every message of the request (core/i18n).
            token = language.set(negotiate(_header(scope, b"accept-language")))
            try:
                multipart = _header(scope, b"content-type").startswith("multipart/")
                limit = settings.max_upload_bytes if multipart else settings.max_body_bytes
                declared = _header(scope, b"content-length")
                if declared.isdigit() and int(declared) > limit:
                    await _refuse(
                        send, 413, "REQUEST_TOO_LARGE", f"the request body exceeds {limit} bytes"
                    )
                    return
                await _guarded(app, scope, receive, send, limit, seconds)
            finally:
                language.reset(token)

        return limited

    return middleware


async def _guarded(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int, seconds: float
) -> None:
    """Run the handler; answer for it (413, 503) if its body or its time runs over."""
    refusal: asyncio.Future = asyncio.get_running_loop().create_future()
    received, started = 0, False

    def refuse(status: int, code: str, message: str) -> None:
        if not refusal.done():
            refusal.set_result((status, code, message))

    async def counted_receive() -> Message:
        nonlocal received
        clock.pause()
        try:
            message = await receive()
        finally:
            if not started:
                clock.resume()
        received += len(message.get("body", b""))
        if received > limit:
            refuse(413, "REQUEST_TOO_LARGE", f"the request body exceeds {limit} bytes")
            raise asyncio.CancelledError  # the handler stops reading; we answer
        return message

    async def watched_send(message: Message) -> None:
        nonlocal started
        if refusal.done():
            return  # answered already
        if message["type"] == "http.response.start":
            started = True
            clock.pause()
        await send(message)

    clock = _Clock(
        seconds,
        lambda: refuse(503, "REQUEST_TIMEOUT", f"the request took longer than {seconds:g} s"),
    )
    handler = asyncio.ensure_future(app(scope, counted_receive, watched_send))
    try:
        await asyncio.wait((handler, refusal), return_when=asyncio.FIRST_COMPLETED)
    except BaseException:  # this request itself cancelled (server shutting down)
        handler.cancel()
        raise
    finally:
        clock.pause()
    if not refusal.done():
        handler.result()
        return
    handler.cancel()
    if not started:
        await _refuse(send, *refusal.result())
    await asyncio.wait((handler,))  # its cleanup: rollback, connection back to the pool
    if not handler.cancelled():
        handler.exception()  # retrieved: a failure while being cancelled is no news
