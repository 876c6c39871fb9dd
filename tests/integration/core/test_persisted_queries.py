"""Persisted queries (Apollo's protocol) and cacheable public GET reads (core/graphql/persisted.py):
a frontend sends a document once, then only its hash; a proxy may keep what anonymous GETs read."""

from __future__ import annotations

import hashlib
import json

from gpcloud.core.redis import get_redis, key
from tests.support import login

QUERY = '{ tenant(regionCode: "440000") { regionCode name } }'
DIGEST = hashlib.sha256(QUERY.encode()).hexdigest()


def _persisted(digest: str = DIGEST) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def _post(client, body: dict, token: str | None = None):
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json=body, headers=headers)


async def _get(client, params: dict, headers: dict | None = None):
    encoded = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    return await client.get(
        "/graphql", params=encoded, headers={"accept": "application/json", **(headers or {})}
    )


def _code(response) -> str:
    (error,) = response.json()["errors"]
    return error["extensions"]["code"]


async def test_an_unknown_hash_is_asked_for_then_the_hash_alone_runs_the_document(client):
    first = await _post(client, {"extensions": _persisted()})
    assert first.status_code == 200
    assert _code(first) == "PERSISTED_QUERY_NOT_FOUND"

    sent = await _post(client, {"query": QUERY, "extensions": _persisted()})
    assert sent.status_code == 200, sent.text
    province = sent.json()["data"]["tenant"]
    assert province["regionCode"] == "440000"

    again = await _post(client, {"extensions": _persisted()})
    assert again.json() == sent.json()
    by_get = await _get(client, {"extensions": _persisted()})
    assert by_get.json()["data"]["tenant"] == province


async def test_a_document_that_is_not_its_hash_or_a_bad_extension_is_refused(client):
    wrong = await _post(client, {"query": QUERY, "extensions": _persisted("0" * 64)})
    assert (wrong.status_code, _code(wrong)) == (400, "PERSISTED_QUERY_HASH_MISMATCH")
    for bad in (
        {"persistedQuery": {"version": 2, "sha256Hash": DIGEST}},
        {"persistedQuery": {"version": 1, "sha256Hash": DIGEST.upper()}},
        {"persistedQuery": {"version": 1}},
        {"persistedQuery": "yes"},
    ):
        refused = await _post(client, {"query": QUERY, "extensions": bad})
        assert (refused.status_code, _code(refused)) == (400, "PERSISTED_QUERY_INVALID"), bad
    assert await get_redis().get(key("pq", "0" * 64)) is None


async def test_only_a_document_that_ran_is_kept(client):
    """A caller cannot fill Redis with documents the API refuses, nor with huge ones."""
    invalid = "{ noSuchField }"
    digest = hashlib.sha256(invalid.encode()).hexdigest()
    refused = await _post(client, {"query": invalid, "extensions": _persisted(digest)})
    assert refused.json()["errors"]
    assert await get_redis().get(key("pq", digest)) is None

    padded = QUERY + " " * 20_001
    digest = hashlib.sha256(padded.encode()).hexdigest()
    ran = await _post(client, {"query": padded, "extensions": _persisted(digest)})
    assert ran.json()["data"]["tenant"]
    assert await get_redis().get(key("pq", digest)) is None
    assert _code(await _post(client, {"extensions": _persisted(digest)})) == (
        "PERSISTED_QUERY_NOT_FOUND"
    )


async def test_an_anonymous_get_is_public_and_answers_304_when_unchanged(client):
    response = await _get(client, {"query": QUERY})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "public, max-age=60"
    assert "Authorization" in response.headers["vary"]
    tag = response.headers["etag"]

    unchanged = await _get(client, {"query": QUERY}, {"if-none-match": tag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == tag
    listed = await _get(client, {"query": QUERY}, {"if-none-match": f'"other", W/{tag}'})
    assert listed.status_code == 304
    stale = await _get(client, {"query": QUERY}, {"if-none-match": '"other"'})
    assert stale.status_code == 200
    assert stale.json() == response.json()


async def test_what_a_user_reads_or_an_error_is_never_kept_by_a_proxy(client, demo):
    token = await login(client, "gd.admin")
    auth = {"authorization": f"Bearer {token}"}
    mine = await _get(client, {"query": "{ me { user { username } } }"}, auth)
    assert mine.json()["data"]["me"]["user"]["username"] == "gd.admin"
    assert mine.headers["cache-control"] == "no-store"
    assert "etag" not in mine.headers

    failed = await _get(client, {"query": "{ noSuchField }"})
    assert failed.headers["cache-control"] == "no-store"
    posted = await _post(client, {"query": QUERY})
    assert "etag" not in posted.headers


async def test_a_mutation_is_not_run_by_get(client, demo):
    response = await _get(
        client, {"query": 'mutation { login(username: "gd.admin", password: "x") { token } }'}
    )
    assert (response.status_code, _code(response)) == (400, "BAD_REQUEST")
    assert "public" not in response.headers.get("cache-control", "")
