"""The purchaser registry through the API: who registers, changes and reads budget units."""

import pytest

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.validation import uscc_check_char
from tests.support import data, error_codes, gql, login

FIELDS = "id name uscc budgetUnitCode status contactPhone tenant { regionCode } parent { name }"
CREATE = f"""mutation($tenant: String!, $input: PurchaserInput!) {{
  createPurchaser(tenant: $tenant, input: $input) {{ purchaser {{ {FIELDS} }} errors {{ field code message }} }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: PurchaserInput!) {{
  updatePurchaser(id: $id, input: $input) {{ purchaser {{ {FIELDS} }} errors {{ field code }} }}
}}"""
STATUS = """mutation($id: ID!, $status: PurchaserStatus!, $reason: String!) {
  setPurchaserStatus(id: $id, status: $status, reason: $reason) { purchaser { status } errors { field code } }
}"""
SEARCH = """query($filter: PurchaserFilter, $first: Int, $after: String) {
  purchasers(filter: $filter, first: $first, after: $after) {
    edges { node { name budgetUnitCode tenant { regionCode } } } pageInfo { hasNextPage endCursor }
  }
}"""


def code(seq: int) -> str:
    head = f"12441481MA5T{seq:05d}"
    return head + uscc_check_char(head)


async def create(client, token, tenant="441481", **values):
    values = {"name": "兴宁市第二中学", "budgetUnitCode": "441481002", **values}
    result = await gql(client, CREATE, {"tenant": tenant, "input": values}, token=token)
    return result["data"]["createPurchaser"]


async def test_a_tenant_admin_registers_a_unit_below_another(client, demo):
    token = await login(client, "xn.admin")
    bureau = await create(
        client, token, name="兴宁市教育局", budgetUnitCode="441481100", uscc=code(1)
    )
    assert bureau["errors"] == []
    school = await create(
        client,
        token,
        parentId=bureau["purchaser"]["id"],
        uscc=code(2).lower(),
        contactPhone="0753-3333333",
    )
    assert school["errors"] == []
    assert school["purchaser"]["uscc"] == code(2)
    assert school["purchaser"]["parent"] == {"name": "兴宁市教育局"}
    assert school["purchaser"]["tenant"] == {"regionCode": "441481"}
    with all_tenants("test: audit"):
        assert await AuditEntry.count().where(AuditEntry.action == "purchaser.create") == 2


@pytest.mark.parametrize(
    "values,expected",
    [
        ({"uscc": "12441481MB2C900040"}, ("uscc", "INVALID_USCC")),
        ({"uscc": "11441481MB2C90002Y"}, ("uscc", "DUPLICATE_USCC")),  # 兴宁市财政局
        ({"budgetUnitCode": "441-481"}, ("budgetUnitCode", "INVALID_CODE")),
        ({"budgetUnitCode": "9" * 33}, ("budgetUnitCode", "INVALID_CODE")),
        ({"name": "校"}, ("name", "INVALID_NAME")),
        ({"name": "校" * 129}, ("name", "INVALID_NAME")),
        ({"contactPhone": "12345"}, ("contactPhone", "INVALID_PHONE")),
        ({"parentId": "999999"}, ("parentId", "NOT_FOUND")),
        ({"parentId": "abc"}, ("id", "NOT_FOUND")),
    ],
)
async def test_bad_input_registers_nothing(client, demo, values, expected):
    token = await login(client, "xn.admin")
    payload = await create(client, token, **values)
    assert payload["purchaser"] is None
    assert expected in [(e["field"], e["code"]) for e in payload["errors"]]
    assert (await gql(client, SEARCH, {}, token=token))["data"]["purchasers"]["edges"] == []


async def test_codes_are_unique_per_tenant_not_province_wide(client, demo):
    county, city = await login(client, "xn.admin"), await login(client, "mz.admin")
    assert (await create(client, county))["errors"] == []
    again = await create(client, county, name="另一单位")
    assert [(e["field"], e["code"]) for e in again["errors"]] == [
        ("budgetUnitCode", "DUPLICATE_CODE")
    ]
    assert (await create(client, city, tenant="441424", name="五华县第二中学"))["errors"] == []


async def test_isolation_and_roles(client, demo):
    city = await login(client, "mz.admin")
    wuhua = (await create(client, city, tenant="441424", name="五华县第一中学"))["purchaser"]
    county = await login(client, "xn.admin")
    assert [e["code"] for e in (await create(client, county, tenant="441424"))["errors"]] == [
        "TENANT_NOT_FOUND"
    ]
    update = await gql(
        client, UPDATE, {"id": wuhua["id"], "input": {"contactPhone": "13800000000"}}, token=county
    )
    assert update["data"]["updatePurchaser"]["errors"] == [{"field": None, "code": "NOT_FOUND"}]
    assert (
        await gql(
            client,
            "query($id: ID!) { purchaser(id: $id) { name } }",
            {"id": wuhua["id"]},
            token=county,
        )
    )["data"]["purchaser"] is None
    other = await create(client, county, parentId=wuhua["id"])
    assert [(e["field"], e["code"]) for e in other["errors"]] == [("parentId", "NOT_FOUND")]
    for username in ("xn.purchaser", "xn.supplier", "xn.agency"):
        assert error_codes(await gql(client, SEARCH, {}, token=await login(client, username))) == [
            "FORBIDDEN"
        ]
    assert error_codes(
        await gql(
            client,
            CREATE,
            {"tenant": "441481", "input": {"name": "某单位", "budgetUnitCode": "1"}},
            token=await login(client, "xn.purchaser"),
        )
    ) == ["FORBIDDEN"]
    supervisor = await gql(client, SEARCH, {}, token=await login(client, "mz.supervisor"))
    assert [e["node"]["name"] for e in supervisor["data"]["purchasers"]["edges"]] == [
        "五华县第一中学"
    ]


async def test_parents_cannot_form_a_cycle(client, demo):
    token = await login(client, "xn.admin")
    a = (await create(client, token, name="甲单位", budgetUnitCode="A1"))["purchaser"]
    b = (await create(client, token, name="乙单位", budgetUnitCode="B1", parentId=a["id"]))[
        "purchaser"
    ]
    cycle = await gql(client, UPDATE, {"id": a["id"], "input": {"parentId": b["id"]}}, token=token)
    assert cycle["data"]["updatePurchaser"]["errors"] == [
        {"field": "parentId", "code": "PARENT_CYCLE"}
    ]
    self_parent = await gql(
        client, UPDATE, {"id": a["id"], "input": {"parentId": a["id"]}}, token=token
    )
    assert self_parent["data"]["updatePurchaser"]["errors"] == [
        {"field": "parentId", "code": "PARENT_CYCLE"}
    ]


async def test_deactivate_and_reactivate_with_a_reason(client, demo):
    token = await login(client, "xn.admin")
    unit = (await create(client, token))["purchaser"]
    no_reason = await gql(
        client, STATUS, {"id": unit["id"], "status": "INACTIVE", "reason": " "}, token=token
    )
    assert no_reason["data"]["setPurchaserStatus"]["errors"] == [
        {"field": "reason", "code": "REASON_REQUIRED"}
    ]
    done = await gql(
        client, STATUS, {"id": unit["id"], "status": "INACTIVE", "reason": "机构撤并"}, token=token
    )
    assert done["data"]["setPurchaserStatus"]["purchaser"] == {"status": "INACTIVE"}
    twice = await gql(
        client, STATUS, {"id": unit["id"], "status": "INACTIVE", "reason": "再次"}, token=token
    )
    assert twice["data"]["setPurchaserStatus"]["errors"] == [
        {"field": "status", "code": "WRONG_STATE"}
    ]
    inactive = await gql(client, SEARCH, {"filter": {"status": "INACTIVE"}}, token=token)
    assert len(inactive["data"]["purchasers"]["edges"]) == 1
    with all_tenants("test: audit"):
        entry = await AuditEntry.select().where(AuditEntry.action == "purchaser.deactivate").first()
    assert '"reason":"机构撤并"' in entry["detail"]


async def test_search_filters_and_pages(client, demo):
    token = await login(client, "mz.admin")
    for i in range(7):
        await create(
            client,
            token,
            tenant="441481" if i % 2 else "441400",
            name=f"测试单位{i}",
            budgetUnitCode=f"C{i}",
            uscc=code(10 + i),
        )
    seen, after = [], None
    while True:
        page = (await gql(client, SEARCH, {"first": 3, "after": after}, token=token))["data"][
            "purchasers"
        ]
        seen += [e["node"]["budgetUnitCode"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == [f"C{i}" for i in range(7)]

    async def codes(flt):
        found = data(await gql(client, SEARCH, {"filter": flt}, token=token))["purchasers"]
        return sorted(e["node"]["budgetUnitCode"] for e in found["edges"])

    assert await codes({"tenant": "441400", "includeSubtree": False}) == ["C0", "C2", "C4", "C6"]
    assert await codes({"tenant": "441481"}) == ["C1", "C3", "C5"]
    assert await codes({"search": "单位3"}) == ["C3"]
    assert await codes({"search": "C5"}) == ["C5"]
    assert await codes({"search": code(16).lower()}) == ["C6"]


async def test_a_purchaser_user_reads_their_own_unit(client, demo):
    mine = await gql(client, "{ myPurchaser { name } }", token=await login(client, "xn.purchaser"))
    assert (
        mine["data"]["myPurchaser"] is None
    )  # the demo school is an organisation, not yet a registered unit
    admin = await login(client, "xn.admin")
    await create(client, admin)
    assert error_codes(await gql(client, "{ myPurchaser { name } }", token=admin)) == ["FORBIDDEN"]
