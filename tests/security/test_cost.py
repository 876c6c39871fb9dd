"""Query cost analysis: hostile documents are refused before any resolver runs (issue 11,
findings 1 and 4, deep nesting, fragment fan-out, breadth), and the shapes frontends send still
answer."""

from __future__ import annotations

import dataclasses

import pytest

from gpcloud.core.graphql import limits
from gpcloud.core.graphql.schema import schema
from gpcloud.portal import demo as portal_demo
from gpcloud.settings import get_settings
from tests.security.cases import (
    CHAIN_BOMB,
    NESTED_BY_VARIABLE,
    SEARCH,
    TREE_BOMB,
    aliases,
    fan_out,
    nested,
)
from tests.security.support import hostile_query, refusal
from tests.support import data, gql, login


@pytest.fixture
async def notices():
    """The portal's demo history (hundreds of notices in chains), as `serve --demo` has it."""
    await portal_demo.seed()


@pytest.fixture
def settings_of(monkeypatch):
    """`settings_of(name=value, ...)`: the GraphQL limits of this test use these settings."""

    def use(**changes):
        settings = dataclasses.replace(get_settings(), **changes)
        fresh = limits.Limits(schema._schema, settings)
        monkeypatch.setattr(limits, "limits_for", lambda _schema: fresh)

    return use


async def test_finding_1_nested_notice_chains_are_refused_before_running(client, notices):
    error = refusal(await hostile_query(client, CHAIN_BOMB))
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["actual"] > error["extensions"]["limit"] == 50_000
    assert str(error["extensions"]["actual"]) in error["message"]


async def test_finding_1_tenant_parent_children_ping_pong_is_refused(client):
    error = refusal(await hostile_query(client, TREE_BOMB))
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_one_level_of_chain_and_the_tree_still_answer(client, notices):
    found = data(
        await gql(
            client,
            "{ notices(first: 20) { edges { node { id title chain { id kind title } } } } }",
        )
    )
    chains = [e["node"]["chain"] for e in found["notices"]["edges"]]
    assert len(chains) == 20 and max(len(c) for c in chains) > 1
    tree = data(
        await gql(
            client,
            "{ rootTenant { children { name parent { name } children { name parent { name } } } } }",
        )
    )
    meizhou = next(c for c in tree["rootTenant"]["children"] if c["name"] == "梅州市")
    assert meizhou["parent"] == {"name": "广东省"} and len(meizhou["children"]) == 8


async def test_finding_4_a_thousand_aliased_searches_are_refused_unparsed(client, notices):
    bomb = aliases(1000, SEARCH)
    assert len(bomb.encode()) > 80_000
    error = refusal(await hostile_query(client, bomb))
    assert error["extensions"]["code"] == "QUERY_TOO_LARGE"
    assert error["extensions"]["limit"] == get_settings().graphql_max_tokens


async def test_finding_4_aliases_within_the_token_limit_are_counted(client, notices):
    error = refusal(
        await hostile_query(
            client,
            aliases(16, SEARCH),
        )
    )
    assert error["extensions"] == {"code": "TOO_MANY_ALIASES", "limit": 15, "actual": 16}


async def test_finding_4_supervision_overview_breadth_is_refused(client, demo):
    token = await login(client, "mz.supervisor")
    for count, code in ((500, "QUERY_TOO_LARGE"), (16, "TOO_MANY_ALIASES")):
        response = await hostile_query(
            client, aliases(count, "supervisionOverview { on }"), token=token
        )
        assert refusal(response)["extensions"]["code"] == code
    assert data(await gql(client, aliases(2, "supervisionOverview { on }"), token=token))


async def test_deep_nesting_is_refused(client):
    error = refusal(await hostile_query(client, nested(30)))
    assert error["extensions"] == {"code": "QUERY_TOO_DEEP", "limit": 12, "actual": 32}
    # Nested past what the parser can recurse into: refused as too deep, not a crash.
    error = refusal(await hostile_query(client, nested(600)))
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"


async def test_fragments_spreading_each_other_are_measured_not_expanded(client, notices):
    at_root = "query { ...F0 } " + fan_out(40, "Query", "rootTenant { name }")
    error = refusal(await hostile_query(client, at_root))
    assert error["extensions"]["code"] == "TOO_MANY_ROOT_FIELDS"
    assert error["extensions"]["actual"] == 2**40
    in_a_list = "{ notices(first: 100) { edges { node { ...F0 } } } } " + fan_out(
        40, "Notice", "chain { id }"
    )
    assert refusal(await hostile_query(client, in_a_list))["extensions"]["code"] == "FIELD_REPEATED"
    aliased = "{ notices(first: 100) { edges { node { ...F0 } } } } " + fan_out(
        40, "Notice", "c: chain { id }"
    )
    assert refusal(await hostile_query(client, aliased))["extensions"]["code"] == "TOO_MANY_ALIASES"
    cycle = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    body = (await hostile_query(client, cycle)).json()
    assert body["data"] is None and "Cannot spread fragment" in body["errors"][0]["message"]


async def test_breadth_and_repeated_fields_are_refused_before_validation(client):
    breadth = refusal(await hostile_query(client, "{ " + "__typename " * 16 + "}"))
    assert breadth["extensions"] == {"code": "TOO_MANY_ROOT_FIELDS", "limit": 15, "actual": 16}
    # graphql-core compares repeated fields pairwise: 200 of them took seconds to validate.
    repeated = "{ notices { edges { node { " + "chain { chain { id } } " * 200 + "} } } }"
    error = refusal(await hostile_query(client, repeated))
    assert error["extensions"] == {"code": "FIELD_REPEATED", "limit": 10, "actual": 200}


def cost_of(query: str, variables: dict | None = None) -> int:
    """The cost the model gives `query` (refused at a budget of 0, which reports it)."""
    probe = limits.Limits(
        schema._schema, dataclasses.replace(get_settings(), graphql_budget_anonymous=0)
    )
    errors = probe.check(query, None, variables, logged_in=False)
    return errors[0].extensions["actual"] if errors else 0


def test_the_cost_of_a_document():
    # notices 1 + 100 edges x (edge 1 + node 1 + id 1 + chain 50 x (notice 1 + id 1))
    assert cost_of("{ notices(first: 100) { edges { node { id chain { id } } } } }") == 10_301
    # The default page (20) when `first` is left out; __typename is free.
    assert cost_of("{ __typename notices { edges { node { id chain { id } } } } }") == 2_061
    # A plain list multiplies by its declared bound (a region has at most 50 children).
    assert cost_of('{ tenant(regionCode: "441400") { name children { name } } }') == 102
    # A list of scalars or enums counts its bound (8 roles).
    assert cost_of("{ users(first: 5) { edges { node { roles } } } }") == 1 + 5 * (1 + 1 + 8)
    assert cost_of("{ __typename }") == 0


async def test_the_cost_follows_first_given_as_a_variable(client, demo, notices):
    small = data(await gql(client, NESTED_BY_VARIABLE, {"n": 1}))
    assert len(small["notices"]["edges"]) == 1 and len(small["more"]["edges"]) == 2
    error = refusal(await hostile_query(client, NESTED_BY_VARIABLE, {"n": 10}))
    notices_cost = 1 + 10 * (1 + 1 + 1 + 50 * (1 + 1 + 50 * (1 + 1)))
    more_cost = 1 + 2 * (1 + 1 + 1)
    assert error["extensions"]["actual"] == notices_cost + more_cost
    # A logged-in user's budget is larger: the same request answers.
    token = await login(client, "mz.admin")
    assert (
        len(data(await gql(client, NESTED_BY_VARIABLE, {"n": 10}, token))["notices"]["edges"]) == 10
    )


async def test_introspection_is_on_by_default_and_can_be_kept_for_logged_in_users(
    client, demo, settings_of
):
    # (The standard introspection query also reads default values, finding 7's: another branch.)
    standard = "{ __schema { queryType { name } types { name fields { name type { name } } } } }"
    assert data(await gql(client, standard))["__schema"]["queryType"] == {"name": "Query"}
    settings_of(graphql_introspection_anonymous=False)
    error = refusal(await hostile_query(client, standard))
    assert error["extensions"] == {"code": "INTROSPECTION_DISABLED"}
    hidden = await gql(client, '{ __type(name: "Query") { name } }')
    assert hidden["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    assert data(await gql(client, "{ __typename rootTenant { name } }"))
    token = await login(client, "xn.admin")
    assert data(await gql(client, standard, token=token))["__schema"]["queryType"]


async def test_the_tree_resolves_from_memory(client, monkeypatch):
    """parent/children read the request's tree: the tree is fetched once per request, however
    many levels the query walks (finding 1 fetched it, and could query, per node)."""
    from gpcloud.core.graphql import context, direct
    from gpcloud.core.tenancy import graphql as tenancy_graphql

    calls = []

    def counted(fetch):
        async def tree(*args, **kwargs):
            calls.append(fetch.__module__)
            return await fetch(*args, **kwargs)

        return tree

    monkeypatch.setattr(context, "tenant_tree", counted(context.tenant_tree))
    monkeypatch.setattr(direct, "tenant_tree", counted(direct.tenant_tree))  # its context's
    monkeypatch.setattr(tenancy_graphql, "tenant_tree", counted(tenancy_graphql.tenant_tree))
    found = data(
        await gql(
            client,
            "{ rootTenant { children { parent { children { name parent { name } } } } } }",
        )
    )
    assert len(found["rootTenant"]["children"]) == 21
    assert len(calls) == 2  # the request's context and rootTenant, not a node


async def test_a_refusal_is_one_line_in_the_log(client, caplog):
    """Finding 1 wrote 500 MB of tracebacks in five minutes: refusals log no traceback."""
    caplog.set_level("INFO")
    refusal(await hostile_query(client, TREE_BOMB))
    records = [r for r in caplog.records if "QUERY_TOO_COSTLY" in r.getMessage()]
    assert len(records) == 1 and records[0].levelname == "INFO" and records[0].exc_info is None
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
