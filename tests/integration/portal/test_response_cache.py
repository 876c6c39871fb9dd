"""The response cache of anonymous portal reads (core/graphql/response_cache.py): a kept answer is
served until a publication, never to a logged-in user, never for what is not a notice read."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date

import pytest

from gpcloud.core import publishing
from gpcloud.core.db import transaction
from gpcloud.core.graphql.response_cache import CACHE, ResponseCache, _Entry, cacheable
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.portal import service
from gpcloud.portal.tables import Notice
from gpcloud.settings import get_settings
from tests.support import login

LATEST = '{ notices(first: 5, filter: {region: "441481"}) { edges { node { id title } } } }'


@contextmanager
def cache_seconds(seconds: int):
    os.environ["GPCLOUD_GRAPHQL_RESPONSE_CACHE_SECONDS"] = str(seconds)
    get_settings.cache_clear()
    CACHE.clear()
    try:
        yield
    finally:
        del os.environ["GPCLOUD_GRAPHQL_RESPONSE_CACHE_SECONDS"]
        get_settings.cache_clear()
        CACHE.clear()


async def publish(n: int, title: str) -> int:
    async with transaction():
        return await service.publish(
            service.Publication(
                kind="notice",
                source=f"cache-test:{n}",
                tenant="441481",
                title=title,
                body="详见附件。",
                published_on=date(2026, 9, 1 + n),
            )
        )


async def rename_behind_the_portals_back(notice_id: int, title: str) -> None:
    """A write that is not a publication: only a recomputed answer shows it."""
    with all_tenants("test: a change the cache is not told of"):
        await Notice.update({Notice.title: title}).where(Notice.id == notice_id)


async def titles(client, query: str = LATEST, headers: dict | None = None) -> list[str]:
    response = await client.post("/graphql", json={"query": query}, headers=headers or {})
    assert response.status_code == 200, response.text
    return [e["node"]["title"] for e in response.json()["data"]["notices"]["edges"]]


async def test_an_anonymous_read_is_kept_until_a_publication(client):
    first = await publish(1, "兴宁市办公家具采购")
    with cache_seconds(60):
        assert await titles(client) == ["兴宁市办公家具采购"]
        await rename_behind_the_portals_back(first, "改过的标题")
        assert await titles(client) == ["兴宁市办公家具采购"]  # kept

        await publish(2, "兴宁市消防车采购")
        assert await titles(client) == ["兴宁市消防车采购", "改过的标题"]


async def test_without_the_setting_nothing_is_kept(client):
    first = await publish(1, "兴宁市办公家具采购")
    assert await titles(client) == ["兴宁市办公家具采购"]
    await rename_behind_the_portals_back(first, "改过的标题")
    assert await titles(client) == ["改过的标题"]
    assert not CACHE._kept


async def test_a_logged_in_reader_and_other_documents_are_never_served_from_it(client, demo):
    first = await publish(1, "兴宁市办公家具采购")
    token = await login(client, "xn.admin")
    with cache_seconds(60):
        await titles(client, headers={"authorization": f"Bearer {token}"})
        await rename_behind_the_portals_back(first, "改过的标题")
        assert await titles(client, headers={"authorization": f"Bearer {token}"}) == ["改过的标题"]

        kept = len(CACHE._kept)
        for other in (
            '{ tenant(regionCode: "441481") { name } }',
            '{ notices(first: 1) { edges { node { id } } } tenant(regionCode: "440000") { name } }',
        ):
            assert "errors" not in (await client.post("/graphql", json={"query": other})).json()
        assert len(CACHE._kept) == kept


async def test_errors_are_not_kept_and_variables_and_languages_are_told_apart(client):
    await publish(1, "兴宁市办公家具采购")
    with cache_seconds(60):
        bad = '{ notices(first: 5, after: "not-a-cursor") { edges { node { id } } } }'
        refused = await client.post("/graphql", json={"query": bad})
        assert refused.json()["errors"]
        assert not CACHE._kept

        by_region = (
            "query($r: String) { notices(filter: {region: $r}) { edges { node { title } } } }"
        )
        for region, expected in (("441481", 1), ("440100", 0), ("441481", 1)):
            body = {"query": by_region, "variables": {"r": region}}
            answer = (await client.post("/graphql", json=body)).json()
            assert len(answer["data"]["notices"]["edges"]) == expected
        english = {"accept-language": "en"}
        await titles(client, headers=english)
        await titles(client)
        assert len(CACHE._kept) == 4  # two regions, two languages


async def test_a_publication_forgets_only_once_it_committed():
    before = await publishing.version()
    async with transaction():
        await publishing.notices_changed()
        assert await publishing.version() == before
    assert await publishing.version() == before + 1


def test_what_may_be_kept():
    assert cacheable(LATEST)
    assert cacheable('query Q { notice(id: "1") { title } __typename }')
    for not_kept in (
        '{ notices { edges { node { id } } } tenant(regionCode: "440000") { name } }',
        "{ ...F } fragment F on Query { notices { edges { node { id } } } }",
        "{ notices @include(if: true) { edges { node { id } } } }",
        "mutation { logout }",
        "{ notices(",
        "query A { notice(id: 1) { id } } query B { notice(id: 2) { id } }",
    ):
        assert not cacheable(not_kept), not_kept


@pytest.mark.parametrize("now", [0.0, 9.9])
def test_entries_expire_and_the_oldest_goes_first(now):
    kept = ResponseCache(entries=2)
    entry = _Entry(version=1, expires=10.0, status=200, content=b"{}", media_type=None, headers={})
    kept.put(b"a", entry)
    kept.put(b"b", entry)
    assert kept.get(b"a", 1, now) is entry
    kept.put(b"c", entry)  # b was used least recently
    assert kept.get(b"b", 1, now) is None
    assert kept.get(b"a", 2, now) is None  # another version
    assert kept.get(b"c", 1, 10.0) is None  # expired


def test_the_kept_answers_stay_within_their_memory():
    kept = ResponseCache(entries=100, memory=10)
    for n in range(5):
        content = b"x" * 4
        kept.put(bytes([n]), _Entry(1, 10.0, 200, content, None, {}))
        assert kept.size <= 10
    assert [k for k in (bytes([n]) for n in range(5)) if kept.get(k, 1, 0.0)] == [b"\x03", b"\x04"]
    kept.put(b"\x04", _Entry(1, 10.0, 200, b"y" * 2, None, {}))  # kept again: counted once
    assert kept.size == 6


async def test_a_kept_answer_by_get_still_carries_the_public_caching_headers(client):
    await publish(1, "兴宁市办公家具采购")
    with cache_seconds(60):
        sent = [
            await client.get(
                "/graphql", params={"query": LATEST}, headers={"accept": "application/json"}
            )
            for _ in range(2)
        ]
        assert len(CACHE._kept) == 1
        assert sent[0].content == sent[1].content
        assert sent[0].headers["etag"] == sent[1].headers["etag"]
        assert sent[1].headers["cache-control"].startswith("public")
        again = await client.get(
            "/graphql",
            params={"query": LATEST},
            headers={"accept": "application/json", "if-none-match": sent[0].headers["etag"]},
        )
        assert again.status_code == 304
