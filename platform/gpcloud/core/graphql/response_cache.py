"""An in-process cache of the portal's anonymous answers, for load peaks (issue 20); off unless
`graphql_response_cache_seconds` is set.

What it keeps: the answer to a query sent without a bearer token, whose root fields all read
published notices (`CACHEABLE_ROOTS`), answered 200 without errors. The key is the request as
sent (method, query string or body, Accept-Language), so a hit costs a hash, a dict lookup and
one Redis GET, with no parsing and no execution.

When it forgets: publishing changes the portal (a notice written, a migrated year opened); the
receiver calls `core.publishing.notices_changed`, which increments a version counter in Redis once the
transaction has committed, and every process then misses on entries kept under the old version.
The version is read before executing, so an answer computed while a publication commits is kept
under the old version and never served after it. `graphql_response_cache_seconds` bounds what
a notice's other sources (a supplier renamed in its registry) may leave stale.

Measured and reported apart from the compiled path: a benchmark of this cache measures the cache.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql.error import GraphQLError
from litestar import Response

from gpcloud.core.graphql.context import bearer_token
from gpcloud.core.ops.metrics import RESPONSE_CACHE
from gpcloud.core.publishing import version
from gpcloud.settings import get_settings
from graphql import FieldNode, OperationDefinitionNode, OperationType, parse

CACHEABLE_ROOTS = frozenset({"notices", "notice", "__typename"})
ENTRIES = 2048
LARGEST = 256 * 1024  # bytes of one kept answer
MEMORY = 64 * 1024 * 1024  # bytes of all kept answers of a process: anonymous callers choose them


@dataclass(frozen=True)
class _Entry:
    version: int
    expires: float
    status: int
    content: bytes
    media_type: Any
    headers: dict[str, str]


class ResponseCache:
    """Answers by request key, least recently used first out, within `entries` answers and
    `memory` bytes."""

    def __init__(self, entries: int = ENTRIES, memory: int = MEMORY) -> None:
        self.entries = entries
        self.memory = memory
        self.size = 0
        self._kept: OrderedDict[bytes, _Entry] = OrderedDict()

    def get(self, request_key: bytes, version: int, now: float) -> _Entry | None:
        entry = self._kept.get(request_key)
        if entry is None:
            return None
        if entry.version != version or entry.expires <= now:
            self._drop(request_key)
            return None
        self._kept.move_to_end(request_key)
        return entry

    def put(self, request_key: bytes, entry: _Entry) -> None:
        self._drop(request_key)
        self._kept[request_key] = entry
        self.size += len(entry.content)
        while len(self._kept) > self.entries or self.size > self.memory:
            self._drop(next(iter(self._kept)))

    def _drop(self, request_key: bytes) -> None:
        entry = self._kept.pop(request_key, None)
        if entry is not None:
            self.size -= len(entry.content)

    def clear(self) -> None:
        self._kept.clear()
        self.size = 0


CACHE = ResponseCache()


@lru_cache(maxsize=512)
def cacheable(document: str) -> bool:
    """One query operation whose root selections are plain fields in CACHEABLE_ROOTS (no
    fragments or directives at the root: what they select is not known without the schema)."""
    try:
        parsed = parse(document, no_location=True)
    except GraphQLError:
        return False
    if len(parsed.definitions) != 1:
        return False
    (operation,) = parsed.definitions
    if not isinstance(operation, OperationDefinitionNode):
        return False
    if operation.operation is not OperationType.QUERY or operation.directives:
        return False
    return all(
        isinstance(s, FieldNode) and not s.directives and s.name.value in CACHEABLE_ROOTS
        for s in operation.selection_set.selections
    )


async def _request_key(request: Any) -> bytes | None:
    if request.method == "GET":
        sent = request.scope.get("query_string", b"")
    elif request.headers.get("content-type", "").split(";")[0].strip() == "application/json":
        sent = await request.body()
    else:
        return None  # uploads and forms are never public reads
    language = request.headers.get("accept-language", "").encode()
    return hashlib.sha256(request.method.encode() + b"\0" + language + b"\0" + sent).digest()


def _document(request: Any) -> str | None:
    """The document the request ran: a persisted query's, else the one its body or query
    string sent (parse_http_body kept it)."""
    persisted = getattr(request.state, "persisted", None)
    if persisted is not None:
        return persisted.query
    return getattr(request.state, "graphql_query", None)


class _CachedGraphQL:
    """Mixed into the GraphQL controller (app.py), below persisted queries: a hit skips parsing,
    validation and execution; persisted.py still adds the public caching headers."""

    async def parse_http_body(self, request: Any) -> Any:
        data = await super().parse_http_body(request)  # type: ignore[misc]
        if not isinstance(data, list):
            request.request.state.graphql_query = data.query
        return data

    async def execute_request(self, request: Any, context: Any, root_value: Any) -> Any:
        seconds = get_settings().graphql_response_cache_seconds
        request_key = None
        if seconds and bearer_token(request) is None:
            request_key = await _request_key(request)
        if request_key is None:
            return await super().execute_request(request, context, root_value)  # type: ignore[misc]
        current = await version()
        entry = CACHE.get(request_key, current, time.monotonic())
        if entry is not None:
            RESPONSE_CACHE.labels("hit").inc()
            request.state.clean = True
            return Response(
                entry.content,
                status_code=entry.status,
                media_type=entry.media_type,
                headers=dict(entry.headers),
            )
        response = await super().execute_request(request, context, root_value)  # type: ignore[misc]
        document = _document(request)
        if (
            response.status_code == 200
            and getattr(request.state, "clean", False)
            and isinstance(response.content, bytes)
            and len(response.content) <= LARGEST
            and document is not None
            and cacheable(document)
        ):
            RESPONSE_CACHE.labels("miss").inc()
            CACHE.put(
                request_key,
                _Entry(
                    current,
                    time.monotonic() + seconds,
                    response.status_code,
                    response.content,
                    response.media_type,
                    dict(response.headers),
                ),
            )
        return response


def cached_graphql(controller: type) -> type:
    """`controller` with the response cache of anonymous portal reads."""
    return type(controller.__name__, (_CachedGraphQL, controller), {})
