"""No request may hold the platform: every request body has a size limit and every request a
time limit (README: Security).

Bodies: multipart uploads up to `max_upload_bytes`, anything else (a GraphQL JSON body) up to
`max_body_bytes`; a larger declared Content-Length is refused before a byte is read, a larger
streamed body as soon as it passes the limit: 413 REQUEST_TOO_LARGE. The few operations that
carry more (a sealed bid) are named in OPERATION_BODY_LIMITS, the one place per-operation limits
are stated: a JSON body over `max_body_bytes` is read up to the largest of them and let through
only if every root field of its operation is allowed that size (checked here, before the
handler parses anything).

Time: a request that has not started its response `request_timeout_ms` after it arrived is
cancelled and answered 503 REQUEST_TIMEOUT. Time spent waiting for the client's body does not
count (a slow upload is the client's), and the clock stops once the response starts (a file
download streams at the client's pace). Cancelling the handler rolls its transaction back and
returns its database connection (asyncpg cancels the running statement); the answer does not
wait for that. The clock also stops for good when the handler's transaction begins to commit
(core.db.transaction calls `commit_begins`): a request whose writes may have committed is owed
its real answer (a bid's receipt), never a 503 that would make the client believe it failed;
one timed out before its commit began is rolled back, never committed.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from typing import NamedTuple

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from gpcloud.core.i18n import language, negotiate, translate
from gpcloud.settings import Settings

# Seconds of the time limit a request used before it reached the middleware (the direct read
# path tried it first, core/graphql/direct.py): counted against it.
SPENT = "gpcloud.time_spent"
# Root fields allowed a body larger than max_body_bytes, and the setting that bounds it.
OPERATION_BODY_LIMITS = {"submitBid": "max_bid_body_bytes"}


def largest_json(settings: Settings) -> int:
    """The most a JSON request may send, whatever its operation."""
    limits = [getattr(settings, name) for name in OPERATION_BODY_LIMITS.values()]
    return max([settings.max_body_bytes, *limits])


def largest_body(settings: Settings) -> int:
    """The most any request may send (the app's own body limit must allow it)."""
    return max(settings.max_upload_bytes, largest_json(settings))


def operation_limit(settings: Settings, body: bytes) -> int:
    """The body limit of the GraphQL operation in `body`: a listed one's if every root field of
    the operation that will run is listed, else max_body_bytes (also for anything unparsable:
    the handler refuses it with the small body it then is not)."""
    from graphql import FieldNode, OperationDefinitionNode, parse

    if not any(name.encode() in body for name in OPERATION_BODY_LIMITS):
        # Not one of them: refused without parsing (a 10 MB body would hold the event loop).
        return settings.max_body_bytes
    try:
        request = json.loads(body)
        document = parse(request["query"], max_lexical_tokens=settings.graphql_max_tokens)
        name = request.get("operationName")
    except Exception:  # noqa: BLE001 (not a GraphQL request we would run)
        return settings.max_body_bytes
    operations = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        and (not name or (d.name and d.name.value == name))
    ]
    if not operations:
        return settings.max_body_bytes
    limits = []
    for selection in operations[0].selection_set.selections:
        setting = isinstance(selection, FieldNode) and OPERATION_BODY_LIMITS.get(
            selection.name.value
        )
        limits.append(getattr(settings, setting) if setting else settings.max_body_bytes)
    return min(limits)


class _Budget:
    """What the handler's transaction needs of the request's clock (see commit_begins)."""

    def __init__(self, refusal: asyncio.Future, clock: _Clock):
        self.refusal = refusal
        self.clock = clock
        self.owed = False  # the commit began: the handler answers
        self.unwinding = False  # too late for the commit: the handler rolls back by itself


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "request_budget", default=None
)


def commit_begins() -> None:
    """Called as a transaction begins to commit: from now on the request is answered by its
    handler, whatever the time. Too late (already answered 503): CancelledError, so that the
    transaction rolls back instead of committing what the client was told failed."""
    budget = _BUDGET.get()
    if budget is None:
        return
    if budget.refusal.done():
        budget.unwinding = True  # not cancelled again: that would interrupt its rollback
        raise asyncio.CancelledError
    budget.owed = True
    budget.clock.pause()


class Refusal(NamedTuple):
    status: int
    code: str
    message: str


def timed_out(seconds: float) -> Refusal:
    """The refusal of a request out of time (the direct read path answers it too)."""
    return Refusal(503, "REQUEST_TIMEOUT", f"the request took longer than {seconds:g} s")


async def refuse(
    send: Send, status: int, code: str, message: str, locale: str | None = None
) -> None:
    """Answer a refusal, its message in `locale` (by default the request's language)."""
    error = {"message": translate(code, message, locale), "extensions": {"code": code}}
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


def header_of(scope: Scope, name: bytes) -> str:
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
            token = language.set(negotiate(header_of(scope, b"accept-language")))
            try:
                await _within_limits(app, scope, receive, send, settings, seconds)
            finally:
                language.reset(token)

        return limited

    return middleware


async def _within_limits(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, settings: Settings, seconds: float
) -> None:
    """The body limit (per operation for a large JSON body), then the time limit."""
    content_type = header_of(scope, b"content-type")
    multipart = content_type.startswith("multipart/")
    limit = settings.max_upload_bytes if multipart else settings.max_body_bytes
    declared = header_of(scope, b"content-length")
    large = content_type.startswith("application/json") and (
        not declared.isdigit() or int(declared) > limit
    )
    if large:  # perhaps an operation allowed more: read it, then decide
        limit = largest_json(settings)
    if declared.isdigit() and int(declared) > limit:
        await refuse(send, 413, "REQUEST_TOO_LARGE", f"the request body exceeds {limit} bytes")
        return
    if large:
        body = await _read_body(receive, limit)
        if body is not None and len(body) > settings.max_body_bytes:
            limit = operation_limit(settings, body)
        if body is None or len(body) > limit:
            await refuse(send, 413, "REQUEST_TOO_LARGE", f"the request body exceeds {limit} bytes")
            return
        receive = _replay(body, receive)
    await _guarded(app, scope, receive, send, limit, seconds)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None once it passes `limit` (the client's time: no clock runs)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)  # the client went away: the handler will find out
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the body read already, then waits on the client (disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _guarded(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int, seconds: float
) -> None:
    """Run the handler; answer for it (413, 503) if its body or its time runs over."""
    refusal: asyncio.Future = asyncio.get_running_loop().create_future()
    received, started = 0, False

    def decide(status: int, code: str, message: str) -> None:
        if not refusal.done():
            refusal.set_result((status, code, message))

    async def counted_receive() -> Message:
        nonlocal received
        clock.pause()
        try:
            message = await receive()
        finally:
            if not started and not budget.owed:
                clock.resume()
        received += len(message.get("body", b""))
        if received > limit:
            decide(413, "REQUEST_TOO_LARGE", f"the request body exceeds {limit} bytes")
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

    clock = _Clock(seconds - scope.get(SPENT, 0.0), lambda: decide(*timed_out(seconds)))
    budget = _Budget(refusal, clock)
    token = _BUDGET.set(budget)  # the handler's task starts with a copy of this context
    try:
        handler = asyncio.ensure_future(app(scope, counted_receive, watched_send))
    finally:
        _BUDGET.reset(token)
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
    if not budget.unwinding:
        handler.cancel()
    if not started:
        await refuse(send, *refusal.result())
    await asyncio.wait((handler,))  # its cleanup: rollback, connection back to the pool
    if not handler.cancelled():
        handler.exception()  # retrieved: a failure while being cancelled is no news
