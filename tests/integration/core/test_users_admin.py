"""Account administration by tenant and provincial admins."""

import asyncio

import pytest

from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.tenancy.scope import all_tenants
from tests.support import data, error_codes, gql, login

CREATE = """
mutation($input: CreateUserInput!) {
  createUser(input: $input) {
    user { id username mustChangePassword roles tenant { regionCode } organisation { name } }
    oneTimePassword
    errors { field code message }
  }
}
"""
UPDATE = """
mutation($id: ID!, $input: UpdateUserInput!) {
  updateUser(id: $id, input: $input) { user { id status roles displayName } errors { field code } }
}
"""
RESET = "mutation($id: ID!) { resetPassword(id: $id) { oneTimePassword errors { code } } }"
USERS = """
query($filter: UserFilter, $first: Int, $after: String) {
  users(filter: $filter, first: $first, after: $after) {
    edges { cursor node { username tenant { regionCode } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def org_id(name: str) -> str:
    row = await Organisation.select(Organisation.id).where(Organisation.name == name).first()
    return str(row["id"])


async def user_id(username: str) -> str:
    with all_tenants("test: look up an account id"):
        return str((await User.select(User.id).where(User.username == username).first())["id"])


def new_user(**overrides):
    values = {
        "tenant": "441481",
        "username": "xn.clerk2",
        "roles": ["PURCHASER"],
        "displayName": "采购经办",
    }
    values.update(overrides)
    return values


async def create(client, token, **overrides):
    values = new_user(**overrides)
    if "organisationId" not in values:
        values["organisationId"] = await org_id("兴宁市第一中学")
    return (await gql(client, CREATE, {"input": values}, token=token))["data"]["createUser"]


async def test_county_admin_creates_an_account_that_must_change_its_password(client, demo):
    token = await login(client, "xn.admin")
    payload = await create(client, token, username="XN.Clerk2")
    assert payload["errors"] == []
    assert payload["user"]["username"] == "xn.clerk2"
    assert payload["user"]["mustChangePassword"] is True
    assert payload["user"]["roles"] == ["PURCHASER"]
    assert payload["user"]["organisation"] == {"name": "兴宁市第一中学"}
    first = await gql(
        client,
        'mutation($p: String!) { login(username: "xn.clerk2", password: $p) '
        "{ me { mustChangePassword } errors { code } } }",
        {"p": payload["oneTimePassword"]},
    )
    assert first["data"]["login"]["me"] == {"mustChangePassword": True}


@pytest.mark.parametrize(
    "overrides,code,field",
    [
        ({"username": "xn.admin"}, "DUPLICATE_USERNAME", "username"),
        ({"username": "x"}, "INVALID_USERNAME", "username"),
        ({"username": "张三"}, "INVALID_USERNAME", "username"),
        ({"roles": []}, "ROLES_REQUIRED", "roles"),
        ({"roles": ["PROVINCE_ADMIN"]}, "FORBIDDEN_ROLE", "roles"),
        ({"tenant": "441424"}, "TENANT_NOT_FOUND", "tenant"),
        ({"tenant": "441400"}, "TENANT_NOT_FOUND", "tenant"),
        ({"tenant": "999999"}, "TENANT_NOT_FOUND", "tenant"),
        ({"mobile": "12345"}, "INVALID_PHONE", "mobile"),
        ({"email": "not-an-email"}, "INVALID_EMAIL", "email"),
        ({"displayName": "名" * 65}, "INVALID_NAME", "displayName"),
        ({"organisationId": "987654"}, "NOT_FOUND", "organisationId"),
        ({"organisationId": "abc"}, "NOT_FOUND", "id"),
    ],
)
async def test_bad_account_input_changes_nothing(client, demo, overrides, code, field):
    token = await login(client, "xn.admin")
    with all_tenants("count accounts"):
        before = await User.count()
    payload = await create(client, token, **overrides)
    assert payload["user"] is None and payload["oneTimePassword"] is None
    assert (field, code) in [(e["field"], e["code"]) for e in payload["errors"]]
    with all_tenants("count accounts"):
        assert await User.count() == before


async def test_who_may_create_where(client, demo):
    city = await login(client, "mz.admin")
    assert (await create(client, city, username="mz.for.xn"))["errors"] == []
    province = await login(client, "gd.admin")
    finance = await org_id("广东省财政厅")
    payload = await create(
        client,
        province,
        username="gd.admin2",
        tenant="440000",
        roles=["PROVINCE_ADMIN"],
        organisationId=finance,
    )
    assert payload["errors"] == []
    shenzhen = await create(client, province, username="sz.user", tenant="440300")
    assert [e["code"] for e in shenzhen["errors"]] == [
        "TENANT_NOT_ACTIVE",
        "ORGANISATION_IN_OTHER_TENANT",  # the school is Xingning's
    ]
    wrong_level = await create(
        client,
        province,
        username="xn.padmin",
        roles=["PROVINCE_ADMIN"],
        organisationId=await org_id("兴宁市财政局"),
    )
    assert [e["code"] for e in wrong_level["errors"]] == ["FORBIDDEN_ROLE"]
    purchaser = await login(client, "xn.purchaser")
    result = await gql(
        client, CREATE, {"input": {**new_user(), "organisationId": finance}}, token=purchaser
    )
    assert error_codes(result) == ["FORBIDDEN"]


async def test_concurrent_creation_of_one_login_name(client, demo):
    token = await login(client, "xn.admin")
    results = await asyncio.gather(*(create(client, token, username="xn.race") for _ in range(5)))
    assert sorted(bool(r["user"]) for r in results) == [False] * 4 + [True]
    assert {e["code"] for r in results for e in r["errors"]} == {"DUPLICATE_USERNAME"}
    with all_tenants("count"):
        assert await User.count().where(User.username == "xn.race") == 1


async def test_update_roles_status_and_self_protection(client, demo):
    token = await login(client, "xn.admin")
    target = await user_id("xn.supervisor")
    updated = await gql(
        client,
        UPDATE,
        {
            "id": target,
            "input": {"roles": ["SUPERVISOR", "TENANT_ADMIN"], "displayName": " 新名字 "},
        },
        token=token,
    )
    assert updated["data"]["updateUser"] == {
        "user": {
            "id": target,
            "status": "ACTIVE",
            "roles": ["SUPERVISOR", "TENANT_ADMIN"],
            "displayName": "新名字",
        },
        "errors": [],
    }
    supervisor_token = await login(client, "xn.supervisor")
    disabled = await gql(
        client, UPDATE, {"id": target, "input": {"status": "DISABLED"}}, token=token
    )
    assert disabled["data"]["updateUser"]["user"]["status"] == "DISABLED"
    assert error_codes(await gql(client, "{ me { user { id } } }", token=supervisor_token)) == [
        "ACCOUNT_DISABLED"
    ]

    me = await user_id("xn.admin")
    self_edit = await gql(
        client,
        UPDATE,
        {"id": me, "input": {"status": "DISABLED", "roles": ["SUPERVISOR"]}},
        token=token,
    )
    assert {e["code"] for e in self_edit["data"]["updateUser"]["errors"]} == {"CANNOT_CHANGE_SELF"}
    with all_tenants("check roles"):
        roles = await UserRole.select(UserRole.role).where(UserRole.user == int(me))
    assert [r["role"] for r in roles] == ["tenant_admin"]


async def test_reset_password_revokes_tokens(client, demo):
    admin = await login(client, "xn.admin")
    victim = await login(client, "xn.purchaser")
    payload = (await gql(client, RESET, {"id": await user_id("xn.purchaser")}, token=admin))[
        "data"
    ]["resetPassword"]
    assert payload["errors"] == [] and payload["oneTimePassword"]
    assert error_codes(await gql(client, "{ me { user { id } } }", token=victim)) == [
        "TOKEN_REVOKED"
    ]
    city = await login(client, "mz.admin")
    province_admin = await user_id("gd.admin")
    assert (await gql(client, RESET, {"id": province_admin}, token=city))["data"]["resetPassword"][
        "errors"
    ] == [{"code": "NOT_FOUND"}]


async def test_users_list_filters_and_pages(client, demo):
    token = await login(client, "mz.admin")
    seen, after = [], None
    while True:
        page = (await gql(client, USERS, {"first": 4, "after": after}, token=token))["data"][
            "users"
        ]
        seen += [e["node"]["username"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 15  # Meizhou's 7 and Xingning's 8; not the province's
    assert "gd.admin" not in seen

    async def names(flt):
        found = data(await gql(client, USERS, {"filter": flt, "first": 100}, token=token))
        return sorted(e["node"]["username"] for e in found["users"]["edges"])

    assert await names({"tenant": "441400", "includeSubtree": False}) == sorted(
        u for u in seen if u.startswith("mz.")
    )
    assert await names({"role": "SUPPLIER"}) == ["mz.supplier", "xn.supplier"]
    assert await names({"search": "xn.a"}) == ["xn.admin", "xn.agency"]
    assert await names({"search": "监管"}) == ["mz.supervisor", "xn.supervisor"]
    # What is typed is matched as typed: LIKE's wildcards and escape character match themselves.
    for typed in ("%", "_", "xn_", "\\", "%admin"):
        assert await names({"search": typed}) == [], typed
    assert await names({"search": "' OR 1=1 --"}) == []
    assert await names({"status": "DISABLED"}) == []
    bad = await gql(client, USERS, {"first": 101}, token=token)
    assert error_codes(bad) == ["PAGE_SIZE_TOO_LARGE"]
    assert error_codes(await gql(client, USERS, {"after": "garbage"}, token=token)) == [
        "INVALID_CURSOR"
    ]


async def test_a_failing_mutation_leaves_nothing_behind(demo):
    """run_mutation: one transaction; a user error after a write rolls the write back."""

    class Payload:
        def __init__(self, errors):
            self.errors = errors

    async def work():
        with all_tenants("test write"):
            await Organisation(name="半途而废的单位", kind="other", region="441481").save()
        raise DomainError("LATE_PROBLEM", "found after writing")

    result = await run_mutation(Payload, work)
    assert [e.code for e in result.errors] == ["LATE_PROBLEM"]
    assert not await Organisation.exists().where(Organisation.name == "半途而废的单位")


async def test_organisations(client, demo):
    token = await login(client, "xn.admin")
    mutation = """mutation($input: CreateOrganisationInput!) {
      createOrganisation(input: $input) { organisation { name kind uscc region { regionCode } } errors { field code } }
    }"""
    ok = await gql(
        client,
        mutation,
        {
            "input": {
                "name": "兴宁市水务局",
                "kind": "PURCHASER",
                "region": "441481",
                "uscc": "11441481MB2C9020",
            }
        },
        token=token,
    )
    errors = ok["data"]["createOrganisation"]["errors"]
    assert errors == [{"field": "uscc", "code": "INVALID_USCC"}]
    from gpcloud.core.validation import uscc_check_char

    code = "11441481MB2C90200" + uscc_check_char("11441481MB2C90200")
    ok = await gql(
        client,
        mutation,
        {
            "input": {
                "name": "兴宁市水务局",
                "kind": "PURCHASER",
                "region": "441481",
                "uscc": code.lower(),
            }
        },
        token=token,
    )
    assert ok["data"]["createOrganisation"] == {
        "organisation": {
            "name": "兴宁市水务局",
            "kind": "PURCHASER",
            "uscc": code,
            "region": {"regionCode": "441481"},
        },
        "errors": [],
    }
    dup = await gql(
        client,
        mutation,
        {"input": {"name": "另一个", "kind": "OTHER", "region": "441481", "uscc": code}},
        token=token,
    )
    assert dup["data"]["createOrganisation"]["errors"] == [
        {"field": "uscc", "code": "DUPLICATE_USCC"}
    ]
    listing = await gql(
        client,
        "{ organisations(first: 100) { edges { node { name region { regionCode } } } } }",
        token=token,
    )
    regions = {e["node"]["region"]["regionCode"] for e in listing["data"]["organisations"]["edges"]}
    assert regions == {"441481"}
