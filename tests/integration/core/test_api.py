"""HTTP surface and GraphQL conventions: health, GraphiQL, public tenant tree, error handling."""

import strawberry

from gpcloud.settings import get_settings
from tests.support import error_codes, gql, login


async def test_health(client):
    response = await client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_graphiql_in_a_browser(client):
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_tenant_tree_is_public(client):
    result = await gql(
        client,
        """{
      rootTenant { regionCode name children { regionCode name status } }
      tenant(regionCode: "441481") { name nameEn level parent { regionCode name } children { regionCode } }
    }""",
    )
    root = result["data"]["rootTenant"]
    assert root["regionCode"] == "440000" and len(root["children"]) == 21
    assert {"regionCode": "440300", "name": "深圳市", "status": "NOT_ONBOARDED"} in root["children"]
    assert result["data"]["tenant"] == {
        "name": "兴宁市",
        "nameEn": "Xingning",
        "level": "COUNTY",
        "parent": {"regionCode": "441400", "name": "梅州市"},
        "children": [],
    }
    meizhou = await gql(client, '{ tenant(regionCode: "441400") { children { regionCode } } }')
    assert [c["regionCode"] for c in meizhou["data"]["tenant"]["children"]] == [
        "441402",
        "441403",
        "441422",
        "441423",
        "441424",
        "441426",
        "441427",
        "441481",
    ]
    assert (await gql(client, '{ tenant(regionCode: "999999") { name } }'))["data"][
        "tenant"
    ] is None


async def test_queries_nested_too_deep_are_refused(client):
    depth = get_settings().graphql_max_depth
    nested = "parent { " * depth + "name" + " }" * depth
    result = await gql(client, '{ tenant(regionCode: "441481") { ' + nested + " } }")
    assert result["data"] is None and "超过最大深度" in result["errors"][0]["message"]


async def test_malformed_requests_are_client_errors(client):
    assert (
        await client.post(
            "/graphql", content=b"{not json", headers={"content-type": "application/json"}
        )
    ).status_code == 400
    result = await gql(client, "{ noSuchField }")
    assert result["errors"] and "noSuchField" in result["errors"][0]["message"]


async def test_unexpected_errors_are_masked(client, demo, monkeypatch):
    """A bug inside a resolver reaches the caller as code INTERNAL, without its details."""
    from gpcloud.core.auth import admin

    async def broken(*args, **kwargs):
        raise RuntimeError("password=hunter2 in a stack trace")

    monkeypatch.setattr(admin, "list_users", broken)
    result = await gql(
        client, "{ users { edges { node { id } } } }", token=await login(client, "xn.admin")
    )
    assert error_codes(result) == ["INTERNAL"]
    assert "hunter2" not in str(result)


def test_strawberry_id_type_is_string():
    """IDs cross the API as strings; parse_id turns junk into NOT_FOUND, not a 500."""
    from gpcloud.core.errors import DomainError
    from gpcloud.core.graphql.types import parse_id

    for junk in ("abc", "-1", "0", str(2**40), ""):
        try:
            parse_id(strawberry.ID(junk), "user")
        except DomainError as exc:
            assert exc.code == "NOT_FOUND"
        else:
            raise AssertionError(junk)
    assert parse_id(strawberry.ID("42"), "user") == 42
