"""Direct reads: an anonymous query with a compiled plan is answered from the ASGI messages,
before Litestar sees the request (app.Platform calls `direct_reads` first for /graphql).

Why (issue 20): with its plan compiled, a portal read still spent most of its CPU around the
plan: Litestar's request, dependency injection and response objects, strawberry's view (body
checks, request data, the result's processing) and six schema extensions entered as async
context managers, of which four do nothing for a read that succeeds; then Litestar's own
layers around the controller (its app, routing, exception handlers, the send hook) and the
platform's middlewares (request metrics, request limits: a task per request), about a sixth of
a read's CPU. The portal's reads are anonymous POSTs of a few documents; this answers those
itself, doing for them exactly what those layers do, and nothing else:

- the request: POST, `Content-Type: application/json`, no `Authorization` header, a declared
  `Content-Length` within `max_body_bytes`, a body of `query` and optionally `variables` (an
  object) and `operationName` (nothing else: persisted queries, extensions, batches go on);
- request limits: the time limit from the end of the body (the client's time does not count),
  as the middleware counts it; out of time, the same 503 REQUEST_TIMEOUT, sent once the read
  is cancelled (a read has nothing to commit; its connection is back in the pool by then);
- request metrics (`metrics.http_done`) and the security headers of a JSON response;
- the context of an anonymous caller (`context_getter`), its sub-response left untouched;
  made only if a resolver needs it (compiled.Later);
- QueryLimits: the same `Limits.check` (parse, shape, validation, cost for an anonymous budget);
- TenantScope: the anonymous scope, opt-outs collected (an anonymous read audits nothing);
- OperationMetrics: `metrics.operation_done`, as for any operation that succeeded;
- Messages and MaskInternalErrors act on errors, WholeMutations on mutations: nothing here;
- the answer: `{"data": ...}` encoded as strawberry encodes it, status 200, JSON.

Anything else, and every run that would not succeed (a refusal, a Fallback of the plan, a
resolver touching the sub-response), goes on to Litestar with the body as it was read, and
strawberry answers from the start (compiled.execute first, as for any query); the time the
attempt took counts against the request's limit (request_limits.SPENT). Every request goes to
Litestar while the response cache or tracing is on (their hooks live there).
tests/graphql/test_compiled_differential.py compares the two paths' status, headers and bytes.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response
from litestar.background_tasks import BackgroundTasks
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from gpcloud.core.graphql import compiled
from gpcloud.core.graphql.context import anonymous_context
from gpcloud.core.graphql.limits import limits_for
from gpcloud.core.graphql.projection import Splices
from gpcloud.core.i18n import negotiate
from gpcloud.core.ops import metrics
from gpcloud.core.request_limits import SPENT, header_of, refuse, timed_out
from gpcloud.core.security_headers import DATA_HEADERS
from gpcloud.core.tenancy.scope import collect_opt_outs, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.settings import Settings, get_settings
from graphql import GraphQLError

KEYS = frozenset({"query", "variables", "operationName"})
HEADERS = [(b"content-type", b"application/json")]
ROUTE = "/graphql"

Direct = Callable[[Scope, Receive, Send, ASGIApp], Awaitable[None]]


def direct_reads(schema: Any, settings: Settings) -> Direct:
    """The direct read path (see the module's docstring): `direct(scope, receive, send, app)`
    answers a request to /graphql or passes it to `app`, Litestar."""
    graphql_schema = schema._schema
    limits = limits_for(graphql_schema)
    operations: dict[tuple[str, str | None], tuple[str, str]] = {}
    seconds = settings.request_timeout_ms / 1000

    async def direct(scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        if (
            scope["method"] != "POST"
            or not _eligible(scope["headers"], settings.max_body_bytes)
            or _hooked()
        ):
            await app(scope, receive, send)
            return
        arrived = time.perf_counter()
        messages, body = await _read(receive)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(seconds):
                answer = None if body is None else await _answer(scope, body)
        except TimeoutError:
            locale = negotiate(header_of(scope, b"accept-language"))
            await refuse(_secured(send), *timed_out(seconds), locale)
            metrics.http_done(ROUTE, scope["method"], 503, time.perf_counter() - arrived)
            return
        except Exception:  # noqa: BLE001 (Litestar's path words it and logs it)
            answer = None
        if answer is None:
            scope[SPENT] = time.perf_counter() - started
            await app(scope, _replay(messages, receive), send)
            return
        length = (b"content-length", str(len(answer)).encode())
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*HEADERS, length, *DATA_HEADERS],
            }
        )
        await send({"type": "http.response.body", "body": answer})
        metrics.http_done(ROUTE, scope["method"], 200, time.perf_counter() - arrived)

    async def _answer(scope: Scope, body: bytes) -> bytes | None:
        """The response body, or None: Litestar answers."""
        started = time.perf_counter()  # as OperationMetrics times it: parsing included
        try:
            request = json.loads(body)
        except (ValueError, RecursionError):
            return None
        if not isinstance(request, dict) or not request.keys() <= KEYS:
            return None
        query, variables = request.get("query"), request.get("variables")
        name = request.get("operationName")
        if (
            not isinstance(query, str)
            or not (variables is None or isinstance(variables, dict))
            or not (name is None or isinstance(name, str))
            or compiled.mutation_or_subscription(query)
        ):
            return None
        try:
            if limits.check(query, name, variables, logged_in=False):
                return None
        except GraphQLError:  # a syntax error: strawberry words it
            return None
        document = limits.parse(query)
        plan = compiled.PLANS.get(graphql_schema, query, document, name)
        if plan is None:
            return None
        key = (query, name)
        operation = operations.get(key)
        if operation is None:
            operation = operations[key] = metrics.operation_of(graphql_schema, document, name)
            if len(operations) > compiled.CACHE_SIZE:
                operations.pop(next(iter(operations)))
        tree = await tenant_tree()
        context = compiled.Later(
            lambda: anonymous_context(
                Request(scope), Response({}, background=BackgroundTasks([])), tree
            )
        )
        splices = Splices()
        try:
            with use_scope(None), collect_opt_outs():
                data = await compiled.run_plan(
                    graphql_schema, plan, document, variables, name, context, None, splices
                )
        except Exception:  # Fallback, or an error strawberry will word (and log if internal)
            compiled.STATS.fallbacks += 1
            return None
        if context.made is not None and not _untouched(context.made.response):
            return None
        named = plan.operation.name  # strawberry's operation_name: the given or the document's
        metrics.operation_done(*operation, name or (named and named.value), None, [], started)
        compiled.STATS.compiled += 1
        compiled.STATS.direct += 1
        compiled.STATS.projected += bool(splices.texts)
        return splices.encode({"data": data})

    return direct


def _hooked() -> bool:
    """The response cache or tracing is on: their hooks are the controller's (read per request,
    as the response cache reads its setting)."""
    settings = get_settings()
    return bool(settings.graphql_response_cache_seconds or settings.tracing_enabled)


def _eligible(headers: list[tuple[bytes, bytes]], limit: int) -> bool:
    json_body = small = False
    for name, value in headers:
        if name == b"authorization":
            return False
        if name == b"content-type":
            json_body = value.startswith(b"application/json")
        elif name == b"content-length":
            small = value.isdigit() and int(value) <= limit
    return json_body and small


def _secured(send: Send) -> Send:
    """`send` with a JSON response's security headers (Litestar's send hook adds them)."""

    async def secured(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message["headers"], *DATA_HEADERS]
        await send(message)

    return secured


def _untouched(response: Response) -> bool:
    """A resolver set nothing on the sub-response (headers, cookies, status, tasks)."""
    return (
        not response.headers
        and not response.cookies
        and not response.status_code
        and not response.background.tasks
    )


async def _read(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The messages of the body as received, and the body (None if the client went away)."""
    messages, chunks = [], []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return messages, b"".join(chunks)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that gives the messages read already, then the client's next ones."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
