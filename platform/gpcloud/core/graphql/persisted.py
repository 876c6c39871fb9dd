"""Persisted queries and cacheable public reads, so that a frontend sends a document once and a
CDN or the government network's proxy can serve the portal.

Persisted queries follow Apollo's protocol (automatic persisted queries, version 1): a request
carries `extensions.persistedQuery.sha256Hash`, the hex sha256 of the document, and may leave the
document out. An unknown hash is answered with the error PERSISTED_QUERY_NOT_FOUND, and the client
sends the document once more with its hash. A document is kept (in Redis, for every process of
the deployment) only when it matches its hash, is at most `persisted_query_max_bytes` long and
executed (it parsed and validated): a caller cannot fill Redis with what the API refuses.

Public reads: a query sent by GET without a bearer token is the same for everyone, so its answer
may be kept: `Cache-Control: public, max-age=public_cache_seconds` and an ETag of the body; a
client sending the ETag back in `If-None-Match` gets 304 and no body. Answers with errors, and
everything a logged-in user reads, are `no-store`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Any

from litestar import Response

from gpcloud.core.bad_requests import json_response
from gpcloud.core.graphql.context import bearer_token
from gpcloud.core.i18n import translate
from gpcloud.core.redis import get_redis, key
from gpcloud.settings import get_settings

KEPT_SECONDS = 30 * 86400  # a document unused for a month is sent again by its client
_HASH = re.compile(r"[0-9a-f]{64}")


class PersistedQueryError(Exception):
    """A persisted-query request the protocol refuses; `code` is stable (docs/errors.md)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Persisted:
    """The document a request runs, and whether it should be kept once it ran."""

    query: str
    digest: str
    keep: bool


def _digest(extensions: object) -> str | None:
    if not isinstance(extensions, dict) or "persistedQuery" not in extensions:
        return None
    asked = extensions["persistedQuery"]
    if not isinstance(asked, dict) or asked.get("version") != 1:
        raise PersistedQueryError(
            "PERSISTED_QUERY_INVALID", "persistedQuery must be {version: 1, sha256Hash}"
        )
    digest = asked.get("sha256Hash")
    if not isinstance(digest, str) or not _HASH.fullmatch(digest):
        raise PersistedQueryError(
            "PERSISTED_QUERY_INVALID", "sha256Hash must be 64 lower-case hex digits"
        )
    return digest


async def resolve(query: str | None, extensions: object) -> Persisted | None:
    """The document of a persisted-query request; None when the request is not one."""
    digest = _digest(extensions)
    if digest is None:
        return None
    if query is None:
        kept = await get_redis().get(key("pq", digest))
        if kept is None:
            raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        text = kept.decode() if isinstance(kept, bytes) else kept
        return Persisted(text, digest, keep=False)
    if hashlib.sha256(query.encode()).hexdigest() != digest:
        raise PersistedQueryError(
            "PERSISTED_QUERY_HASH_MISMATCH", "sha256Hash is not the sha256 of the query"
        )
    fits = len(query.encode()) <= get_settings().persisted_query_max_bytes
    return Persisted(query, digest, keep=fits)


async def keep(persisted: Persisted) -> None:
    await get_redis().set(key("pq", persisted.digest), persisted.query, ex=KEPT_SECONDS)


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """If-None-Match names the tag (a list, weak tags and * included, RFC 9110 13.1.2)."""
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or tag in tags


class _PersistedGraphQL:
    """Mixed into the GraphQL controller (app.py): persisted queries and public caching."""

    async def parse_http_body(self, request: Any) -> Any:
        data = await super().parse_http_body(request)  # type: ignore[misc]
        if isinstance(data, list):
            return data
        persisted = await resolve(data.query, data.extensions)
        if persisted is None:
            return data
        request.request.state.persisted = persisted
        return replace(data, query=persisted.query)

    async def process_result(self, request: Any, result: Any) -> Any:
        persisted = getattr(request.state, "persisted", None)
        if persisted is not None and persisted.keep and result.data is not None:
            await keep(persisted)
        request.state.clean = not result.errors
        return await super().process_result(request, result)  # type: ignore[misc]

    async def execute_request(self, request: Any, context: Any, root_value: Any) -> Any:
        try:
            response = await super().execute_request(request, context, root_value)  # type: ignore[misc]
        except PersistedQueryError as exc:
            status = 200 if exc.code == "PERSISTED_QUERY_NOT_FOUND" else 400
            error = {"message": translate(exc.code, str(exc)), "extensions": {"code": exc.code}}
            return json_response({"errors": [error]}, status, {"cache-control": "no-store"})
        if request.method != "GET" or response.status_code != 200:
            return response
        seconds = get_settings().public_cache_seconds
        public = (
            seconds and bearer_token(request) is None and getattr(request.state, "clean", False)
        )
        if not public:
            response.headers["cache-control"] = "no-store"
            return response
        tag = etag(response.content)
        response.headers.update(
            {
                "cache-control": f"public, max-age={seconds}",
                "etag": tag,
                "vary": "Authorization, Accept-Language",
            }
        )
        if matches(request.headers.get("if-none-match"), tag):
            return Response(b"", status_code=304, headers=dict(response.headers))
        return response


def persisted_graphql(controller: type) -> type:
    """`controller` (strawberry's) with persisted queries and cacheable public GET reads."""
    return type(controller.__name__, (_PersistedGraphQL, controller), {})
