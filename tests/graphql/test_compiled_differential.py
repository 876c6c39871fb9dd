"""Compiled reads are indistinguishable from strawberry (core/graphql/compiled.py, issue 20).

Every document goes to two apps, one answering queries through compiled plans and one through
strawberry only, and the two responses must be the same bytes (data and errors, status and
content type). The corpus: every GraphQL query document the test suite sends (collected from
tests/, run anonymously and as several demo accounts), the peer benchmark's query, and random
valid documents over the portal types (aliases, fragments, field orders, __typename, variables,
invalid variables, unknown regions, bad cursors). Both databases: run this file with GPCLOUD_DB.
"""

from __future__ import annotations

import ast
import json
import random
from pathlib import Path

import httpx
import pytest

from gpcloud.core.db import is_sqlite
from gpcloud.core.graphql import compiled
from gpcloud.core.graphql.schema import schema
from graphql import OperationDefinitionNode, OperationType, parse, validate
from tests.bench import bench_portal
from tests.support import login

TESTS = Path(__file__).resolve().parents[1]
PEER = (TESTS / "bench" / "peer" / "gpcloud.graphql").read_text(encoding="utf-8")
NOTICE_FIELDS = (
    "id kind title body publishedOn publishedAt regionCode regionName method categoryCode "
    "objectType purchaserName agencyName amount titleHighlight bodyHighlight"
).split()
CITIES = ("440300", "441400", "441481", "440100", "440000")
KINDS = ("INTENTION", "PLAN", "TENDER", "CORRECTION", "RESULT", "CONTRACT", "ACCEPTANCE")


def suite_documents() -> list[str]:
    """Every string constant in tests/ that is a valid query document of the schema."""
    found: dict[str, None] = {}
    for path in sorted(TESTS.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            text = node.value.strip()
            if not text.startswith(("query", "{")) or len(text) > 20_000:
                continue
            try:
                document = parse(text)
            except Exception:
                continue
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if (
                operations
                and all(o.operation is OperationType.QUERY for o in operations)
                and not validate(schema._schema, document)
            ):
                found[text] = None
    return list(found)


@pytest.fixture
async def apps(deployment):
    from gpcloud.app import create_app

    clients = []
    for flag in (True, False):
        transport = httpx.ASGITransport(
            app=create_app(run_worker=False, compiled_reads=flag), client=("127.0.0.1", 50000)
        )
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://gpcloud.test"))
    yield clients
    for c in clients:
        await c.aclose()


@pytest.fixture
async def notices(tmp_path):
    """Some hundreds of migrated notices over the province (the portal benchmark's data)."""
    files = bench_portal.write_files(tmp_path, 7 * 6 * 8)
    created, _ = await bench_portal.migrate_all(files)
    assert created > 300
    return created


class Differ:
    def __init__(self, apps):
        self.on, self.off = apps
        self.sent = 0
        self.unstable: list[str] = []

    async def _send(self, client, query, variables, token, get, name) -> httpx.Response:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        if get:
            params = {"query": query}
            if variables is not None:
                params["variables"] = json.dumps(variables)
            return await client.get("/graphql", params=params, headers=headers)
        body = {"query": query, "variables": variables}
        if name:
            body["operationName"] = name
        return await client.post("/graphql", json=body, headers=headers)

    async def same(self, query: str, variables=None, token=None, get=False, name=None) -> dict:
        """Strawberry, then compiled: the compiled answer is the bytes of strawberry's. Where
        they differ, strawberry answers again: if its two answers differ too (a read that
        changes what it reads, as the audit trail of its own reads does), the document is
        counted as unstable."""
        args = (query, variables, token, get, name)
        before = await self._send(self.off, *args)
        on = await self._send(self.on, *args)
        if on.content != before.content:
            after = await self._send(self.off, *args)
            if before.content != after.content:
                self.unstable.append(query)
                return on.json()
        assert (on.status_code, on.headers.multi_items()) == (
            before.status_code,
            before.headers.multi_items(),
        ), query
        assert on.content == before.content, (
            query,
            variables,
            on.content[:600],
            before.content[:600],
        )
        self.sent += 1
        return (
            on.json() if on.headers.get("content-type", "").startswith("application/json") else {}
        )


def random_selection(rng: random.Random, depth: int = 0) -> tuple[str, list[str]]:
    """A selection set over Notice, and the fragments it uses."""
    picked = rng.sample(NOTICE_FIELDS, rng.randint(1, 7))
    parts, fragments = [], []
    for name in picked:
        alias = f"{rng.choice('abcxyz')}{rng.randint(0, 99)}: " if rng.random() < 0.3 else ""
        parts.append(alias + name)
    if rng.random() < 0.3:
        parts.append("__typename")
    if rng.random() < 0.3:
        parts.append("suppliers { name amount __typename }")
    if depth == 0 and rng.random() < 0.25:
        inner, more = random_selection(rng, depth + 1)
        parts.append(f"chain {{ {inner} }}")
        fragments += more
    if rng.random() < 0.3:
        parts.append(f"... on Notice {{ {rng.choice(NOTICE_FIELDS)} }}")
    if rng.random() < 0.3:
        name = f"F{rng.randint(0, 10**6)}"
        fragments.append(
            f"fragment {name} on Notice {{ {' '.join(rng.sample(NOTICE_FIELDS, 3))} }}"
        )
        parts.append(f"...{name}")
    rng.shuffle(parts)
    return " ".join(parts), fragments


def random_document(rng: random.Random) -> tuple[str, dict | None]:
    node, fragments = random_selection(rng)
    edge = f"edges {{ {'cursor ' if rng.random() < 0.5 else ''}node {{ {node} }} }}"
    extra = rng.choice(["", "pageInfo { hasNextPage endCursor }", "searchTerms", "__typename"])
    selection = " ".join(rng.sample([edge, extra], 2))
    variables: dict | None = None
    if rng.random() < 0.5:
        head = "query Q($f: NoticeFilter, $n: Int, $a: String)"
        args = "(filter: $f, first: $n, after: $a)"
        flt: dict = {}
        if rng.random() < 0.7:
            flt["region"] = rng.choice(CITIES + ("999999",) * (rng.random() < 0.1))
        if rng.random() < 0.5:
            flt["kinds"] = rng.sample(KINDS, rng.randint(1, 3))
        if rng.random() < 0.2:
            flt["minAmount"] = rng.choice(["100000", "abc", "1.234"])
        if rng.random() < 0.1:
            flt["kinds"] = ["NOT_A_KIND"]
        if rng.random() < 0.1:
            flt["search"] = rng.choice(["教育局", "多媒体 教室", "审计"])
        variables = {"f": flt, "n": rng.choice([None, 1, 5, 20, 0, -1, 1000, "x"])}
        if rng.random() < 0.1:
            variables["a"] = rng.choice(["bogus", "", "MTIz"])
        if rng.random() < 0.05:
            variables = {"f": "not an object"}
    else:
        head = rng.choice(["query", "query Named", ""])
        region = rng.choice(CITIES)
        kind = rng.choice(KINDS)
        args = f'(filter: {{region: "{region}", kinds: [{kind}]}}, first: {rng.randint(1, 25)})'
    key = "notices"
    if rng.random() < 0.2:
        key = f"n{rng.randint(0, 9)}: notices"
    document = f"{head} {{ {key}{args} {{ {selection} }} }}"
    if rng.random() < 0.2:
        document = f"{head} {{ {key}{args} {{ {selection} }} legacyMigrations {{ year kind status open }} }}"
    if fragments:
        document += "\n" + "\n".join(fragments)
    return document, variables


async def test_the_peer_query_and_random_documents_are_answered_identically(apps, notices):
    differ = Differ(apps)
    before, direct, projected = (
        compiled.STATS.compiled,
        compiled.STATS.direct,
        compiled.STATS.projected,
    )
    for city in CITIES:
        for kind in ("TENDER", "RESULT", "PLAN"):
            answer = await differ.same(PEER, {"city": city, "type": kind, "first": 20})
            assert "errors" not in answer
    assert any(
        a for a in [(await differ.same(PEER, {"city": "441400", "type": "TENDER", "first": 20}))]
    )
    rng = random.Random(20)
    for _ in range(300):
        document, variables = random_document(rng)
        await differ.same(document, variables)
    # A notice by id, with its chain and suppliers (legacy notices have no procurement).
    page = await differ.same(PEER, {"city": "440000", "type": "TENDER", "first": 3})
    some = page["data"]["notices"]["edges"][0]["node"]["id"]
    for ident in (some, "0", "-5", "abc", "99999999"):
        await differ.same(
            "query($id: ID!) { notice(id: $id) { id kind chain { id title } suppliers { name } } }",
            {"id": ident},
        )
    # GET (public caching) and bad requests.
    await differ.same(PEER, {"city": "441400", "type": "TENDER", "first": 5}, get=True)
    await differ.same(PEER, {"city": "441400", "type": "tender", "first": 5})
    await differ.same(PEER, {"city": "441400", "first": 5})
    await differ.same(PEER, {"city": 441400, "type": "TENDER", "first": "5"})
    # Variables and arguments prepared once (core/graphql/calls.py): defaults, lists, nulls.
    listed = (
        "query($k: [NoticeKind!]!, $r: String!) { notices(filter: {region: $r, kinds: $k}, "
        "first: 3) { edges { node { id kind } } } }"
    )
    for kinds in (["TENDER", "RESULT"], "TENDER", [], ["TENDER", None], None, [1], {"a": 1}):
        await differ.same(listed, {"k": kinds, "r": "441400"})
    defaulted = "query($n: Int = 2, $r: String) { notices(first: $n, filter: {region: $r}) { edges { node { id } } } }"
    for variables in ({}, {"n": None}, {"n": 4, "r": "441400"}, {"r": None}, {"n": 2**31}):
        await differ.same(defaulted, variables)
    await differ.same(
        "query($r: String!) { a: notices(filter: {region: $r, kinds: [TENDER]}, first: 1) "
        "{ edges { node { id } } } b: notices(filter: {region: $r}, first: 2) "
        "{ edges { node { id } } } }",
        {"r": "441400", "unused": [1, 2]},
    )
    await differ.same("{ notices(first: 2) { edges { node { id @skip(if: true) title } } } }")
    await differ.same("{ __typename notices(first: 1) { __typename } }")
    await differ.same("{ __schema { queryType { name } } }")
    await differ.same("query A { notices(first: 1) { searchTerms } } query B { __typename }")
    await differ.same(
        "query A { notices(first: 1) { searchTerms } } query B { __typename }", name="B"
    )
    await differ.same("mutation { __typename }")
    await differ.same("{ notices(first: 1) { edges { node { nope } } } }")
    await differ.same("{ notices(first: 1) { ")
    assert differ.unstable == []
    served, direct = compiled.STATS.compiled - before, compiled.STATS.direct - direct
    projected = compiled.STATS.projected - projected
    print(
        f"random and peer documents: {differ.sent} compared, {served} answered compiled, "
        f"{direct} of them directly (core/graphql/direct.py), {projected} projected"
    )
    assert served > differ.sent // 3, (served, differ.sent)
    assert direct > served // 2, (direct, served)
    if not is_sqlite():  # the database writes JSON on PostgreSQL only
        assert projected > 15, (projected, direct)


HOSTILE_TEXTS = (
    'quote " backslash \\ slash / tab \t newline \n bell \x07 del \x7f end',
    "中文标题 with emoji 😀 and 𠮷 beyond the BMP, U+2028 \u2028 and U+FFFF \uffff",
    "<script>&amp;</script> 'single' \\u0000 written out",
    "\\U0001f600 written out, then 😀 after a backslash \\😀",
)


async def test_what_the_database_writes_is_what_strawberry_writes(apps, notices):
    """Projected notices (core/graphql/projection.py) against strawberry's objects: escapes,
    characters beyond the BMP, DEL, microseconds, null and negative amounts, each field."""
    from datetime import UTC, date, datetime, timedelta, timezone

    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.portal.tables import Notice

    moments = (
        datetime(2026, 3, 1, 10, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 3, 1, 10, 0, 0, 500000, tzinfo=timezone(timedelta(hours=8))),
    )
    with all_tenants("test: hostile notice texts"):
        rows = (
            await Notice.select(Notice.id)
            .where(Notice.tenant_id.like("4414%"))
            .order_by(Notice.id)
            .limit(8)
        )
        for i, row in enumerate(rows):
            text = HOSTILE_TEXTS[i % len(HOSTILE_TEXTS)]
            await Notice.update(
                {
                    Notice.title: text[:200],
                    Notice.body: text * 3,
                    Notice.purchaser_name: text[:128],
                    Notice.agency_name: text[::-1][:128],
                    Notice.amount_fen: (None, -5, 0, 7, 123456789012345, 1)[i % 6],
                    Notice.published_at: moments[i % 2],
                    Notice.published_on: date(2026, 3, 1),
                }
            ).where(Notice.id == row["id"])
    differ = Differ(apps)
    projected = compiled.STATS.projected
    every = " ".join(
        "id kind title body publishedOn publishedAt regionCode method categoryCode "
        "objectType purchaserName agencyName amount __typename".split()
    )
    for document in (
        "query($r: String) { notices(filter: {region: $r}, first: 12) "
        f"{{ edges {{ node {{ {every} }} }} }} }}",
        "query($r: String) { a: notices(filter: {region: $r}, first: 5) "
        "{ edges { node { t: title x: amount title } } } "
        "b: notices(filter: {region: $r}, first: 5) { edges { cursor node { id } } } }",
    ):
        answer = await differ.same(document, {"r": "441400"})
        assert "errors" not in answer, answer
    if not is_sqlite():
        assert compiled.STATS.projected - projected == 2


async def test_bodies_the_direct_path_leaves_to_the_controller(apps):
    """Each answered as the controller answers it (core/graphql/direct.py declines them)."""
    on, off = apps
    peer = {"query": PEER, "variables": {"city": "441400", "type": "TENDER", "first": 2}}
    cases = [
        (b"not json", "application/json"),
        (b'"a string"', "application/json"),
        (json.dumps([peer]).encode(), "application/json"),
        (json.dumps({**peer, "extensions": {}}).encode(), "application/json"),
        (json.dumps({**peer, "variables": [1]}).encode(), "application/json"),
        (json.dumps({**peer, "operationName": ""}).encode(), "application/json"),
        (json.dumps({"query": 5}).encode(), "application/json"),
        (b'{"query": "{ \\ud800 }"}', "application/json"),
        (json.dumps(peer).encode(), "text/plain"),
        (json.dumps(peer).encode(), "application/json; charset=utf-8"),
    ]
    for body, content_type in cases:
        headers = {"content-type": content_type}
        answers = [await c.post("/graphql", content=body, headers=headers) for c in (off, on)]
        before, after = answers
        assert (after.status_code, after.headers.multi_items(), after.content) == (
            before.status_code,
            before.headers.multi_items(),
            before.content,
        ), body


async def test_a_type_selected_twice_differently_is_not_projected(apps, notices):
    """Two selections of Notice under one resolver: the resolver can write only one JSON."""
    differ = Differ(apps)
    projected = compiled.STATS.projected
    for document in (
        "{ notices(first: 3) { edges { node { id } } e: edges { node { title } } } }",
        "{ notices(first: 3) { edges { node { id title } n: node { title id } } } }",
        "{ notices(first: 3) { edges { node { id title } n: node { id title } } } }",
    ):
        assert "errors" not in await differ.same(document)
    if not is_sqlite():  # only the last one: the same selection twice
        assert compiled.STATS.projected - projected == 1


async def test_the_suites_queries_are_answered_identically(apps, notices, demo):
    documents = suite_documents()
    assert len(documents) > 30
    differ = Differ(apps)
    tokens = [None]
    for username in ("gd.admin", "mz.purchaser", "xn.supplier", "mz.expert"):
        tokens.append(await login(differ.off, username))
    before = compiled.STATS.compiled
    for document in documents:
        for token in tokens:
            await differ.same(document, {}, token=token)
    served = compiled.STATS.compiled - before
    print(
        f"suite documents: {len(documents)} x {len(tokens)} callers, {differ.sent} compared, "
        f"{served} answered compiled, {len(differ.unstable)} unstable"
    )
    assert served > len(documents) // 2
    assert len(differ.unstable) < len(documents) // 10, differ.unstable


def test_the_setting_switches_it_off(tmp_path):
    from gpcloud.settings import load_settings

    env = {
        "GPCLOUD_VAR": str(tmp_path),
        "GPCLOUD_SECRET_KEY": "fixed-test-key-0123456789-0123456789",
    }
    assert load_settings(environ=env).graphql_compiled_reads is True
    off = load_settings(environ=env | {"GPCLOUD_GRAPHQL_COMPILED_READS": "false"})
    assert off.graphql_compiled_reads is False


def test_what_the_compiler_does_not_know_is_left_to_strawberry():
    document = "query { notices(first: 1) { edges { node { id } } } }"
    plans = compiled.Plans(size=2)
    assert plans.get(schema._schema, document, parse(document), None) is not None
    for text in (
        "mutation { __typename }",
        "{ __schema { queryType { name } } }",
        "{ notices(first: 1) { edges { node { id @include(if: true) } } } }",
        "query A { __typename } query B { __typename }",
    ):
        assert plans.get(schema._schema, text, parse(text), None) is None, text
    for text in ("{ __typename }", "{ a: __typename }"):  # the LRU keeps two
        plans.get(schema._schema, text, parse(text), None)
    assert len(plans.kept) == 2
