"""Tenant isolation through the API: what one county's admin can reach of another's."""

from gpcloud.core.auth.tables import Organisation, User
from gpcloud.core.tenancy.scope import all_tenants
from tests.support import data, gql, login

USERS = "query($f: UserFilter) { users(filter: $f, first: 100) { edges { node { username } } } }"


async def ids(*usernames: str) -> dict[str, str]:
    with all_tenants("test: look up account ids"):
        rows = await User.select(User.id, User.username).where(User.username.is_in(list(usernames)))
    return {r["username"]: str(r["id"]) for r in rows}


async def names(client, token, flt=None) -> set[str]:
    result = await gql(client, USERS, {"f": flt}, token=token)
    return {e["node"]["username"] for e in data(result)["users"]["edges"]}


async def test_a_county_admin_sees_only_their_county(client, demo):
    xingning = await login(client, "xn.admin")
    assert {n[:3] for n in await names(client, xingning)} == {"xn."}
    for other in ("441424", "441400", "440000"):
        result = await gql(client, USERS, {"f": {"tenant": other}}, token=xingning)
        assert result["errors"][0]["extensions"]["code"] == "TENANT_NOT_FOUND"


async def test_a_county_admin_cannot_read_or_change_another_tenants_account(client, demo):
    token = await login(client, "xn.admin")
    others = await ids("mz.purchaser", "gd.admin")
    for user_id in others.values():
        assert (
            await gql(
                client,
                "query($id: ID!) { user(id: $id) { username } }",
                {"id": user_id},
                token=token,
            )
        )["data"]["user"] is None
        update = await gql(
            client,
            "mutation($id: ID!) { updateUser(id: $id, input: {status: DISABLED}) { errors { code } } }",
            {"id": user_id},
            token=token,
        )
        assert update["data"]["updateUser"]["errors"] == [{"code": "NOT_FOUND"}]
        reset = await gql(
            client,
            "mutation($id: ID!) { resetPassword(id: $id) { errors { code } } }",
            {"id": user_id},
            token=token,
        )
        assert reset["data"]["resetPassword"]["errors"] == [{"code": "NOT_FOUND"}]
    with all_tenants("check nothing changed"):
        statuses = await User.select(User.status).where(User.username.is_in(list(others)))
    assert {s["status"] for s in statuses} == {"active"}


async def test_a_county_admin_cannot_create_in_another_tenant(client, demo):
    token = await login(client, "xn.admin")
    org = (
        await Organisation.select(Organisation.id)
        .where(Organisation.name == "兴宁市第一中学")
        .first()
    )
    for tenant in ("441424", "441400"):
        result = await gql(
            client,
            "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } errors { code field } } }",
            {
                "i": {
                    "tenant": tenant,
                    "username": f"x{tenant}",
                    "organisationId": str(org["id"]),
                    "roles": ["PURCHASER"],
                }
            },
            token=token,
        )
        assert result["data"]["createUser"]["errors"] == [
            {"code": "TENANT_NOT_FOUND", "field": "tenant"}
        ]
        org_result = await gql(
            client,
            "mutation($i: CreateOrganisationInput!) { createOrganisation(input: $i) { errors { code } } }",
            {"i": {"name": "越权单位", "kind": "OTHER", "region": tenant}},
            token=token,
        )
        assert org_result["data"]["createOrganisation"]["errors"] == [{"code": "TENANT_NOT_FOUND"}]


async def test_a_city_sees_its_counties_and_the_province_sees_all(client, demo):
    city = await names(client, await login(client, "mz.admin"))
    assert {n[:3] for n in city} == {"mz.", "xn."}
    province = await names(client, await login(client, "gd.admin"))
    assert province == city | {"gd.admin"}


async def test_non_admin_roles_cannot_list_accounts(client, demo):
    for username in (
        "xn.purchaser",
        "xn.supervisor",
        "xn.supplier",
        "xn.expert",
        "xn.bank",
        "xn.agency",
    ):
        result = await gql(client, USERS, token=await login(client, username))
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN", username
