"""Reading the registry: every account searches it; contacts only for those who may see them."""

from datetime import timedelta

import pytest

from gpcloud.core.clock import today
from gpcloud.registries.suppliers.tables import SupplierQualification
from tests.integration.registries.suppliers.helpers import (
    MZ_SUPPLIER,
    TEA,
    WUHUA_SUPPLIER,
    XN_SUPPLIER,
    organisation,
    supplier_id,
)
from tests.support import error_codes, gql, login

SEARCH = """query($filter: SupplierFilter, $first: Int, $after: String) {
  suppliers(filter: $filter, first: $first, after: $after) {
    edges { cursor node { name status sizeClass region { regionCode } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
ONE = """query($id: ID!) {
  supplier(id: $id) {
    name contact { name phone email legalRepresentative } caCertificate { serial }
    qualifications { kind number valid }
  }
}"""
DEMO_COUNT = 13


async def names(client, token, **flt) -> list[str]:
    result = await gql(client, SEARCH, {"filter": flt, "first": 100}, token=token)
    assert "errors" not in result, result
    return [e["node"]["name"] for e in result["data"]["suppliers"]["edges"]]


async def test_every_account_searches_the_registry(client, suppliers):
    for username in (
        "xn.purchaser",
        "mz.agency",
        "xn.expert",
        "mz.bank",
        "xn.supplier",
        "gd.admin",
    ):
        token = await login(client, username)
        assert len(await names(client, token)) == DEMO_COUNT, username
    assert error_codes(await gql(client, SEARCH)) == ["UNAUTHENTICATED"]
    assert error_codes(await gql(client, ONE, {"id": "1"})) == ["UNAUTHENTICATED"]


async def test_filters(client, suppliers):
    token = await login(client, "xn.purchaser")
    assert await names(client, token, name="合水") == [XN_SUPPLIER, "兴宁市合水物业管理有限公司"]
    assert await names(client, token, name="%") == []  # typed text, not a wildcard
    assert await names(client, token, name="不存在的公司") == []
    uscc = (await organisation(MZ_SUPPLIER))["uscc"]
    assert await names(client, token, uscc=uscc.lower()) == [MZ_SUPPLIER]
    assert await names(client, token, sizeClass="LARGE") == ["广东客都建设工程有限公司"]
    assert len(await names(client, token, sizeClass="MICRO")) == 4
    assert await names(client, token, status="INCOMPLETE") == [TEA]
    assert await names(client, token, status="SUSPENDED") == []
    # Region: the city and its counties, or the city's own only; a county its own.
    assert len(await names(client, token, region="441400")) == DEMO_COUNT
    assert len(await names(client, token, region="441400", includeSubtree=False)) == 4
    assert await names(client, token, region="441424") == [WUHUA_SUPPLIER]
    assert await names(client, token, region="440300") == []
    assert len(await names(client, token, region="440000")) == DEMO_COUNT
    combined = await names(client, token, region="441481", sizeClass="MICRO", status="ACTIVE")
    assert combined == [XN_SUPPLIER, "兴宁市兴城印务有限公司"]


async def test_qualification_valid_on_a_date(client, suppliers):
    token = await login(client, "xn.purchaser")
    holders = await names(client, token, qualificationKind="ISO9001")
    assert holders == [MZ_SUPPLIER, XN_SUPPLIER, WUHUA_SUPPLIER]
    q = (
        await SupplierQualification.select(SupplierQualification.id)
        .where(
            (SupplierQualification.kind == "iso9001")
            & (SupplierQualification.number == "00121Q3QJ106R0S")
        )
        .first()
    )
    soon = today() + timedelta(days=10)
    await SupplierQualification.update({SupplierQualification.valid_until: soon}).where(
        SupplierQualification.id == q["id"]
    )
    assert await names(client, token, qualificationKind="ISO9001") == holders
    later = (soon + timedelta(days=1)).isoformat()
    assert (
        await names(client, token, qualificationKind="ISO9001", qualificationValidOn=later)
        == holders[:2]
    )
    assert await names(client, token, qualificationKind="HIGH_TECH", region="441481") == [
        XN_SUPPLIER
    ]
    assert await names(client, token, qualificationKind="FOOD_BUSINESS") == []
    bad = await gql(client, SEARCH, {"filter": {"qualificationValidOn": later}}, token=token)
    assert error_codes(bad) == ["INVALID_FILTER"]


@pytest.mark.parametrize(
    "flt,variables,code_",
    [
        ({"region": "999999"}, {}, "TENANT_NOT_FOUND"),
        ({"name": "名" * 129}, {}, "INVALID_FILTER"),
        ({}, {"first": 101}, "PAGE_SIZE_TOO_LARGE"),
        ({}, {"first": 0}, "INVALID_PAGE_SIZE"),
        ({}, {"after": "not-a-cursor"}, "INVALID_CURSOR"),
    ],
)
async def test_bad_search_arguments_are_refused(client, suppliers, flt, variables, code_):
    token = await login(client, "xn.purchaser")
    assert error_codes(await gql(client, SEARCH, {"filter": flt, **variables}, token=token)) == [
        code_
    ]


async def test_pages_follow_each_other(client, suppliers):
    token = await login(client, "xn.purchaser")
    seen, after = [], None
    while True:
        page = (await gql(client, SEARCH, {"first": 5, "after": after}, token=token))["data"][
            "suppliers"
        ]
        seen += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == DEMO_COUNT == len(set(seen))
    assert seen == await names(client, token)


@pytest.mark.parametrize(
    "username,sees",
    [
        ("gd.admin", True),
        ("mz.admin", True),
        ("xn.admin", True),
        ("mz.supervisor", True),
        ("xn.supervisor", True),
        ("xn.supplier", True),  # its own users
        ("mz.supplier", False),  # another supplier
        ("xn.purchaser", False),
        ("mz.agency", False),
        ("xn.expert", False),
        ("mz.bank", False),
    ],
)
async def test_contacts_are_visible_to_admins_supervisors_and_own_users(
    client, suppliers, username, sees
):
    token = await login(client, username)
    result = await gql(client, ONE, {"id": await supplier_id(XN_SUPPLIER)}, token=token)
    assert "errors" not in result, result
    supplier = result["data"]["supplier"]
    assert supplier["name"] == XN_SUPPLIER
    assert {q["kind"] for q in supplier["qualifications"]} == {
        "BUSINESS_LICENSE",
        "HIGH_TECH",
        "ISO9001",
    }
    if sees:
        assert supplier["contact"]["name"].startswith("示例联系人")
        assert supplier["contact"]["phone"] and supplier["contact"]["email"].endswith(
            "@demo.example.com"
        )
        assert supplier["contact"]["legalRepresentative"].startswith("示例法人")
        assert supplier["caCertificate"]["serial"]
    else:
        assert supplier["contact"] is None and supplier["caCertificate"] is None
    listed = await gql(
        client, "{ suppliers(first: 100) { edges { node { contact { phone } } } } }", token=token
    )
    visible = [e["node"]["contact"] is not None for e in listed["data"]["suppliers"]["edges"]]
    # In a list: every supplier's for admins and supervisors, a supplier's user its own only.
    assert sum(visible) == {"xn.supplier": 1, "mz.supplier": 1}.get(
        username, DEMO_COUNT if sees else 0
    )


async def test_a_missing_supplier_is_null(client, suppliers):
    token = await login(client, "xn.purchaser")
    for missing in ("987654", "x", "-1"):
        assert (await gql(client, ONE, {"id": missing}, token=token))["data"]["supplier"] is None


async def test_qualifications_load_in_one_query_per_page(client, suppliers, monkeypatch):
    """No N+1: a page of suppliers with their qualifications and regions costs a fixed number of queries."""
    from gpcloud.registries.suppliers.service import loaders

    calls = []
    original = loaders.qualifications_by_supplier

    async def counting(keys):
        calls.append(len(keys))
        return await original(keys)

    monkeypatch.setattr(loaders, "qualifications_by_supplier", counting)
    token = await login(client, "xn.purchaser")
    result = await gql(
        client,
        "{ suppliers(first: 100) { edges { node { qualifications { kind } } } } }",
        token=token,
    )
    assert len(result["data"]["suppliers"]["edges"]) == DEMO_COUNT
    assert calls == [DEMO_COUNT]
