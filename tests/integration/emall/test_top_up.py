"""Designated suppliers leaving a framework agreement and the top-up entry (补充征集, MOF Order
110) through the API: the awarding region withdraws designated suppliers (saying why; once);
below 70 % of those first designated the agreement shows it needs a top-up, and only then the
region records one, held to the first entry's checks and within the agreement's term. A
withdrawn supplier is ordered from no more. Another region's admin, a purchaser, a bad entry
are refused."""

from __future__ import annotations

from datetime import date

import pytest

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.service import agreements
from gpcloud.portal.tables import Notice
from tests.integration.emall.frameworks import (
    TERM,
    api_supplier,
    designated,
    designated_rows,
    record,
)
from tests.integration.emall.world import emall_world, listing, org_of
from tests.integration.procurement import actor
from tests.support import data, error_codes, gql, login

WITHDRAW = """
mutation($id: ID!, $reason: String!) {
  withdrawDesignatedSupplier(id: $id, reason: $reason) {
    designatedSupplier { id status reason entry } errors { field code message }
  }
}
"""
TOP_UP = """
mutation($a: ID!, $input: TopUpEntryInput!) {
  recordTopUpEntry(agreementId: $a, input: $input) {
    agreement {
      id endsOn
      topUp { firstDesignated activeDesignated sharePercent needed }
      designatedSuppliers { supplierName status entry maxUnitPrice }
    }
    errors { field code message }
  }
}
"""
AGREEMENTS = """
query {
  frameworkAgreements(first: 10) {
    edges { node { id topUp { firstDesignated activeDesignated needed } } }
  }
}
"""
ORDER = """
mutation($input: DesignatedOrderInput!) {
  placeDesignatedOrder(input: $input) { order { id } errors { code } }
}
"""


@pytest.fixture
async def world(client, demo):
    w = await emall_world()
    garages = [await api_supplier(f"梅州市测试汽车维修有限公司{i}") for i in range(4)]
    w["garages"] = [await org_of(g) for g in garages]
    w["newcomers"] = [
        await org_of(await api_supplier(f"梅州市补充入围汽车维修有限公司{i}")) for i in range(2)
    ]
    # 4 designated of 6 entrants: 3 remaining is 75 %, 2 is 50 % (below 70 %)
    w["agreement"] = await record(
        "441400", "mz.admin", [designated(g, "120") for g in w["garages"]], 6
    )
    w["rows"] = await designated_rows(w["agreement"]["id"])
    return w


def entry(organisations: list[int], entrants: int, price: str = "118") -> dict:
    return {
        "entrants": entrants,
        "suppliers": [
            {
                "organisationId": str(o),
                "item": "小型客车维修工时",
                "unit": "工时",
                "maxUnitPrice": price,
            }
            for o in organisations
        ],
    }


async def call(client, query: str, variables: dict, token: str, field: str) -> dict:
    return data(await gql(client, query, variables, token=token))[field]


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def test_below_70_percent_the_region_tops_the_agreement_up(client, world):
    w = world
    admin = await login(client, "mz.admin")
    buyer = await login(client, "xn.purchaser")
    a = str(w["agreement"]["id"])
    first, second = (str(r["id"]) for r in w["rows"][:2])

    gone = await call(
        client,
        WITHDRAW,
        {"id": first, "reason": "申请退出协议"},
        admin,
        "withdrawDesignatedSupplier",
    )
    assert gone["errors"] == []
    assert gone["designatedSupplier"] == {
        "id": first,
        "status": "WITHDRAWN",
        "reason": "申请退出协议",
        "entry": "initial",
    }
    twice = await call(
        client, WITHDRAW, {"id": first, "reason": "再次"}, admin, "withdrawDesignatedSupplier"
    )
    assert codes(twice) == ["WRONG_STATE"]
    # 3 of 4 remain (75 %): no top-up yet
    seen = await call(client, AGREEMENTS, {}, buyer, "frameworkAgreements")
    assert seen["edges"][0]["node"]["topUp"] == {
        "firstDesignated": 4,
        "activeDesignated": 3,
        "needed": False,
    }
    early = await call(
        client, TOP_UP, {"a": a, "input": entry(w["newcomers"], 3)}, admin, "recordTopUpEntry"
    )
    assert codes(early) == ["TOP_UP_NOT_NEEDED"]

    # the withdrawn supplier is ordered from no more
    refused = await call(
        client,
        ORDER,
        {
            "input": {
                "designatedSupplierId": first,
                "quantity": 1,
                "unitPrice": "100",
                "planId": str(w["plan"]),
                "indicatorId": str(w["indicator"]),
            }
        },
        buyer,
        "placeDesignatedOrder",
    )
    assert codes(refused) == ["NOT_DESIGNATED"]

    await call(
        client,
        WITHDRAW,
        {"id": second, "reason": "严重违约，取消入围资格"},
        admin,
        "withdrawDesignatedSupplier",
    )
    seen = await call(client, AGREEMENTS, {}, buyer, "frameworkAgreements")
    assert seen["edges"][0]["node"]["topUp"] == {
        "firstDesignated": 4,
        "activeDesignated": 2,
        "needed": True,
    }

    # the first entry's checks: elimination, maximum prices, registry suppliers, not twice
    bad = await call(
        client, TOP_UP, {"a": a, "input": entry(w["newcomers"], 2)}, admin, "recordTopUpEntry"
    )
    assert codes(bad) == ["TOO_FEW_ELIMINATED"]
    bad = await call(
        client,
        TOP_UP,
        {"a": a, "input": entry(w["newcomers"], 3, price="0")},
        admin,
        "recordTopUpEntry",
    )
    assert codes(bad) == ["MAX_PRICE_REQUIRED", "MAX_PRICE_REQUIRED"]
    purchaser_org = await org_of("xn.purchaser")
    bad = await call(
        client,
        TOP_UP,
        {"a": a, "input": entry([w["garages"][0], purchaser_org], 3)},
        admin,
        "recordTopUpEntry",
    )
    assert codes(bad) == ["NOT_A_SUPPLIER", "ALREADY_DESIGNATED"]
    # another region's admin, and a purchaser, cannot top it up
    other = await call(
        client,
        TOP_UP,
        {"a": a, "input": entry(w["newcomers"], 3)},
        await login(client, "xn.admin"),
        "recordTopUpEntry",
    )
    assert codes(other) == ["NOT_FOUND"]
    wrong_role = await gql(client, TOP_UP, {"a": a, "input": entry(w["newcomers"], 3)}, token=buyer)
    assert error_codes(wrong_role) == ["FORBIDDEN"]

    topped = await call(
        client, TOP_UP, {"a": a, "input": entry(w["newcomers"], 3)}, admin, "recordTopUpEntry"
    )
    assert topped["errors"] == []
    agreement = topped["agreement"]
    assert agreement["endsOn"] == TERM[1].isoformat()  # the term is not extended
    assert agreement["topUp"] == {
        "firstDesignated": 4,
        "activeDesignated": 4,
        "sharePercent": 70,
        "needed": False,
    }
    assert [(d["status"], d["entry"]) for d in agreement["designatedSuppliers"]] == [
        ("WITHDRAWN", "initial"),
        ("WITHDRAWN", "initial"),
        ("ACTIVE", "initial"),
        ("ACTIVE", "initial"),
        ("ACTIVE", "top_up"),
        ("ACTIVE", "top_up"),
    ]
    with all_tenants("test"):
        notice = (
            await Notice.select()
            .where(Notice.source.like(f"framework_agreement:{a}:top_up:%"))
            .first()
        )
        audited = await AuditEntry.count().where(
            AuditEntry.action.is_in(
                ["mall_designated_supplier.withdraw", "framework_agreement.top_up"]
            )
        )
    assert notice["method"] == "framework_agreement" and "补充征集" in notice["title"]
    assert "最高限价 118.00" in notice["body"]
    assert audited == 3
    again = await call(
        client, TOP_UP, {"a": a, "input": entry(w["newcomers"], 3)}, admin, "recordTopUpEntry"
    )
    assert codes(again) == ["TOP_UP_NOT_NEEDED"]


async def test_another_region_and_a_purchaser_cannot_withdraw(client, world):
    w = world
    row = str(w["rows"][0]["id"])
    other = await call(
        client,
        WITHDRAW,
        {"id": row, "reason": "退出"},
        await login(client, "xn.admin"),
        "withdrawDesignatedSupplier",
    )
    assert codes(other) == ["NOT_FOUND"]
    buyer = await gql(
        client, WITHDRAW, {"id": row, "reason": "退出"}, token=await login(client, "xn.purchaser")
    )
    assert error_codes(buyer) == ["FORBIDDEN"]
    admin = await login(client, "mz.admin")
    blank = await call(
        client, WITHDRAW, {"id": row, "reason": " "}, admin, "withdrawDesignatedSupplier"
    )
    assert codes(blank) == ["INVALID_REASON"]
    assert [r["status"] for r in await designated_rows(w["agreement"]["id"])] == ["active"] * 4


SEARCH = """
query($filter: SupplierListingFilter) {
  supplierListings(filter: $filter, first: 100) { edges { node { id modes } } }
}
"""


async def test_a_withdrawn_supplier_s_listings_lose_the_designated_mode(client, world):
    w = world
    desktops = await listing(w["xn"], "岭南", "100.00", 5)
    with use_scope((await tenant_tree()).scope_for("441400")):
        agreement = await agreements.record(
            await actor("mz.admin"),
            agreements.AgreementInput(
                title="梅州市台式计算机定点采购",
                category_code="A0201",
                kind="goods",
                starts_on=TERM[0],
                ends_on=date(2026, 12, 31),
                entrants=3,
                suppliers=[designated(w["xn"], "6000"), designated(w["mz"], "6000")],
            ),
        )
    buyer = await login(client, "xn.purchaser")

    async def modes(flt: dict) -> dict[int, list[str]]:
        page = await call(client, SEARCH, {"filter": flt}, buyer, "supplierListings")
        return {int(e["node"]["id"]): e["node"]["modes"] for e in page["edges"]}

    assert "DESIGNATED" in (await modes({}))[desktops]
    assert desktops in await modes({"designated": True})
    (row,) = [
        r for r in await designated_rows(agreement["id"]) if r["supplier_organisation"] == w["xn"]
    ]
    admin = await login(client, "mz.admin")
    gone = await call(
        client,
        WITHDRAW,
        {"id": str(row["id"]), "reason": "申请退出"},
        admin,
        "withdrawDesignatedSupplier",
    )
    assert gone["errors"] == []
    assert "DESIGNATED" not in (await modes({}))[desktops]
    assert desktops not in await modes({"designated": True})
