"""Second-stage competition (二次竞价, MOF Order 110) through the API: a designated order above
the region's second-stage band is refused; the purchaser puts the purchase to the agreement's
designated suppliers instead, sealed until the close; only they quote, each at most its own
maximum unit price; the lowest compliant wins and becomes a designated order of the agreement
that goes round the closed loop. And what is refused: another region's purchaser, a supplier
not designated, a price above the maximum, the wrong role, the wrong state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from gpcloud.core.clock import end_of, now
from gpcloud.core.errors import DomainError
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.service import agreements, auctions, quotes
from gpcloud.emall.tables import FrameworkAgreement, MallOrder
from gpcloud.portal.tables import Notice
from tests.integration.emall.frameworks import (
    TERM,
    api_supplier,
    designated,
    designated_rows,
    record,
)
from tests.integration.emall.world import emall_world, org_of
from tests.integration.procurement import actor
from tests.support import data, error_codes, gql, login


@pytest.fixture(autouse=True)
def _within_the_term():
    """Windows are instants of the real clock (now() + 2 h) that must close within the test
    agreement's term (to 2027-12-31): the real clock stands on the pinned test day, so that the
    tests hold whatever day they run (CI runs them with the clock a year ahead)."""
    with time_machine.travel(datetime(2026, 9, 1, 2, tzinfo=UTC), tick=True):
        yield


DESIGNATED_ORDER = """
mutation($input: DesignatedOrderInput!) {
  placeDesignatedOrder(input: $input) { order { id amount } errors { field code message } }
}
"""
OPEN = """
mutation($input: SecondStageInput!) {
  openSecondStageCompetition(input: $input) {
    demand { id status agreementId ceilingUnitPrice minQuotes closesAt categoryCode }
    errors { field code message }
  }
}
"""
QUOTE = """
mutation($d: ID!, $p: Decimal!) {
  submitMallQuote(demandId: $d, unitPrice: $p, offer: "原厂配件，工时按协议") {
    quote { id unitPrice } errors { field code message }
  }
}
"""
AWARD = """
mutation($id: ID!) {
  awardMallDemand(id: $id) { order { id mode status amount supplierName } errors { code message } }
}
"""
STEP = """
mutation($id: ID!) { %s(id: $id%s) { order { id status } errors { code message } } }
"""
DEMAND = """
query($id: ID!) {
  mallDemand(id: $id) {
    status agreementId quoteCount winningQuoteId orderId
    quotes { supplierName unitPrice rank compliant }
  }
}
"""
DEMANDS = "query { mallDemands(first: 50) { edges { node { id } } } }"


@pytest.fixture
async def world(client, demo):
    w = await emall_world()
    w["third"] = await api_supplier("梅州市测试汽车维修有限公司")
    w["outsider"] = await api_supplier("梅州市未入围汽车维修有限公司")
    third = await org_of(w["third"])
    # Meizhou's agreement, 6 entered, 3 designated: the two demo suppliers and a garage, with
    # different maxima; Xingning's school orders under it.
    w["agreement"] = await record(
        "441400",
        "mz.admin",
        [designated(w["xn"], "120"), designated(w["mz"], "110"), designated(third, "130")],
        6,
    )
    rows = await designated_rows(w["agreement"]["id"])
    w["designated"] = {r["supplier_organisation"]: r["id"] for r in rows}
    w["third_org"] = third
    return w


def open_input(w: dict, quantity: int = 2000, closes_at: datetime | None = None) -> dict:
    return {
        "agreementId": str(w["agreement"]["id"]),
        "planId": str(w["plan"]),
        "indicatorId": str(w["indicator"]),
        "title": "校车年度维修工时二次竞价",
        "quantity": quantity,
        "unit": "工时",
        "closesAt": (closes_at or now() + timedelta(hours=2)).isoformat(),
        "delivery": "兴宁市第一中学校车，按需维修",
    }


async def call(client, query: str, variables: dict, token: str, field: str) -> dict:
    return data(await gql(client, query, variables, token=token))[field]


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def test_above_the_band_a_second_stage_is_won_by_the_lowest_and_paid(client, world):
    w = world
    buyer = await login(client, "xn.purchaser")
    xn, mz = await login(client, "xn.supplier"), await login(client, "mz.supplier")
    third, outsider = await login(client, w["third"]), await login(client, w["outsider"])

    # 2,000 hours at 110 = 220,000 yuan: above the 200,000 band, refused as a designated order
    refused = await call(
        client,
        DESIGNATED_ORDER,
        {
            "input": {
                "designatedSupplierId": str(w["designated"][w["mz"]]),
                "quantity": 2000,
                "unitPrice": "110",
                "planId": str(w["plan"]),
                "indicatorId": str(w["indicator"]),
            }
        },
        buyer,
        "placeDesignatedOrder",
    )
    assert codes(refused) == ["SECOND_STAGE_REQUIRED"] and refused["order"] is None
    # at the band it is an ordinary designated order (1,000 x 110 = 110,000)
    below = await call(
        client,
        DESIGNATED_ORDER,
        {
            "input": {
                "designatedSupplierId": str(w["designated"][w["mz"]]),
                "quantity": 1000,
                "unitPrice": "110",
                "planId": str(w["plan"]),
                "indicatorId": str(w["indicator"]),
            }
        },
        buyer,
        "placeDesignatedOrder",
    )
    assert below["errors"] == [] and below["order"]["amount"] == "110000.00"

    opened = await call(client, OPEN, {"input": open_input(w)}, buyer, "openSecondStageCompetition")
    assert opened["errors"] == []
    demand = opened["demand"]
    assert demand["status"] == "OPEN" and demand["agreementId"] == str(w["agreement"]["id"])
    # the highest maximum is the demand's ceiling; each quote is held to its own maximum
    assert demand["ceilingUnitPrice"] == "130.00" and demand["minQuotes"] == 1
    assert demand["categoryCode"] == "C0301"
    d = demand["id"]

    # only the designated suppliers see it
    seen = await call(client, DEMANDS, {}, outsider, "mallDemands")
    assert d not in [e["node"]["id"] for e in seen["edges"]]
    seen = await call(client, DEMANDS, {}, third, "mallDemands")
    assert d in [e["node"]["id"] for e in seen["edges"]]
    hidden = await gql(client, DEMAND, {"id": d}, token=outsider)
    assert hidden["data"] is None or hidden["data"]["mallDemand"] is None

    over = await call(client, QUOTE, {"d": d, "p": "110.01"}, mz, "submitMallQuote")
    assert codes(over) == ["OVER_MAX_PRICE"]  # mz.supplier's maximum is 110
    stranger = await call(client, QUOTE, {"d": d, "p": "90"}, outsider, "submitMallQuote")
    assert codes(stranger) == ["NOT_DESIGNATED"]
    for token, price in ((xn, "118"), (mz, "109"), (third, "125"), (xn, "105")):  # xn revises
        quoted = await call(client, QUOTE, {"d": d, "p": price}, token, "submitMallQuote")
        assert quoted["errors"] == [], quoted["errors"]
    sealed = await call(client, DEMAND, {"id": d}, buyer, "mallDemand")
    assert sealed["quoteCount"] == 3 and sealed["quotes"] == []  # one quote each, sealed
    early = await call(client, AWARD, {"id": d}, buyer, "awardMallDemand")
    assert codes(early) == ["WRONG_STATE"]

    closes_at = datetime.fromisoformat(demand["closesAt"])
    ran = await scheduler.run_once(closes_at + timedelta(seconds=1))
    assert ("e-mall demand", "close") in [(r.machine, r.action) for r in ran]
    closed = await call(client, DEMAND, {"id": d}, buyer, "mallDemand")
    assert closed["status"] == "CLOSED"
    assert [(q["unitPrice"], q["rank"]) for q in closed["quotes"]] == [
        ("105.00", 1),
        ("109.00", 2),
        ("125.00", 3),
    ]

    not_theirs = await gql(client, AWARD, {"id": d}, token=xn)  # a supplier: wrong role
    assert error_codes(not_theirs) == ["FORBIDDEN"]
    awarded = await call(client, AWARD, {"id": d}, buyer, "awardMallDemand")
    assert awarded["errors"] == []
    order = awarded["order"]
    assert order["mode"] == "designated_purchase" and order["amount"] == "210000.00"
    with all_tenants("test"):
        row = await MallOrder.select().where(MallOrder.id == int(order["id"])).first()
        notice = await Notice.select().where(Notice.source == f"mall_demand:{d}").first()
    assert row["agreement"] == w["agreement"]["id"] and row["demand"] == int(d)
    assert notice["method"] == "framework_agreement" and "二次竞价" in notice["title"]
    again = await call(client, AWARD, {"id": d}, buyer, "awardMallDemand")
    assert codes(again) == ["WRONG_STATE"]

    # the same closed loop as any order
    for token, mutation, extra, state in (
        (xn, "confirmMallOrder", "", "CONFIRMED"),
        (xn, "deliverMallOrder", "", "DELIVERED"),
        (buyer, "acceptMallOrder", ', findings: "维修完成，验收合格", passed: true', "ACCEPTED"),
        (buyer, "payMallOrder", "", "PAID"),
    ):
        moved = await call(client, STEP % (mutation, extra), {"id": order["id"]}, token, mutation)
        assert moved["errors"] == [] and moved["order"]["status"] == state, moved


async def test_a_second_stage_is_refused_outside_the_agreement_and_its_term(client, world):
    w = world
    buyer = await login(client, "xn.purchaser")
    # a supplier cannot open one (the permission)
    seller = await login(client, "xn.supplier")
    result = await gql(client, OPEN, {"input": open_input(w)}, token=seller)
    assert error_codes(result) == ["FORBIDDEN"]
    # the window must close within the agreement's term
    late = await call(
        client,
        OPEN,
        {"input": open_input(w, closes_at=end_of(TERM[1]) + timedelta(hours=1))},
        buyer,
        "openSecondStageCompetition",
    )
    assert codes(late) == ["INVALID_WINDOW"] and "有效期" in late["errors"][0]["message"]
    xn_org = w["xn"]
    county = await record("441481", "xn.admin", [designated(xn_org, "120")], 2)
    # Meizhou's own purchaser is not of Xingning's region: it cannot open on Xingning's agreement
    city_buyer = await login(client, "mz.purchaser")
    other = await call(
        client,
        OPEN,
        {"input": {**open_input(w), "agreementId": str(county["id"])}},
        city_buyer,
        "openSecondStageCompetition",
    )
    assert codes(other) == ["NOT_FOUND"]
    # Xingning's school opens one on it; Meizhou's purchaser cannot see it
    mine = await call(
        client,
        OPEN,
        {"input": {**open_input(w), "agreementId": str(county["id"])}},
        buyer,
        "openSecondStageCompetition",
    )
    assert mine["errors"] == []
    peek = await gql(client, DEMAND, {"id": mine["demand"]["id"]}, token=city_buyer)
    assert peek["data"] is None or peek["data"]["mallDemand"] is None
    # withdrawn: its only designated supplier is gone, so nobody can compete
    admin = await login(client, "xn.admin")
    (row,) = await designated_rows(county["id"])
    withdrawn = await call(
        client,
        'mutation($id: ID!) { withdrawDesignatedSupplier(id: $id, reason: "退出协议") '
        "{ designatedSupplier { status } errors { code } } }",
        {"id": str(row["id"])},
        admin,
        "withdrawDesignatedSupplier",
    )
    assert withdrawn["errors"] == []
    none_left = await call(
        client,
        OPEN,
        {"input": {**open_input(w), "agreementId": str(county["id"])}},
        buyer,
        "openSecondStageCompetition",
    )
    assert codes(none_left) == ["TOO_FEW_DESIGNATED"]
    # the withdrawn supplier's quote on the open one fails; at the close it is not compliant
    refused = await call(
        client, QUOTE, {"d": mine["demand"]["id"], "p": "100"}, seller, "submitMallQuote"
    )
    assert codes(refused) == ["NOT_DESIGNATED"]
    # terminated: not in force
    with all_tenants("test"):
        await FrameworkAgreement.update({FrameworkAgreement.status: "terminated"}).where(
            FrameworkAgreement.id == w["agreement"]["id"]
        )
    ended = await call(client, OPEN, {"input": open_input(w)}, buyer, "openSecondStageCompetition")
    assert codes(ended) == ["AGREEMENT_NOT_IN_FORCE"]


async def test_a_withdrawn_supplier_is_not_compliant_and_not_awarded(client, world):
    w = world
    with use_scope(w["scope"]):
        demand = await agreements.open_second_stage(
            w["purchaser"],
            agreements.SecondStageInput(
                w["agreement"]["id"],
                w["plan"],
                w["indicator"],
                "校车维修工时二次竞价",
                100,
                "工时",
                now() + timedelta(hours=2),
            ),
        )
    assert demand["agreement"] == w["agreement"]["id"] and demand["min_quotes"] == 1
    suppliers = {
        w["xn"]: await actor("xn.supplier"),
        w["mz"]: await actor("mz.supplier"),
        w["third_org"]: await actor(w["third"]),
    }
    for org, price in ((w["xn"], "100"), (w["mz"], "90"), (w["third_org"], "95")):
        await quotes.submit(suppliers[org], demand["id"], quotes.QuoteInput(Decimal(price), "工时"))
    admin = await actor("mz.admin")
    city = (await tenant_tree()).scope_for("441400")
    with use_scope(city):  # the lowest leaves the agreement before the close
        await agreements.withdraw_designated(admin, w["designated"][w["mz"]], "申请退出")
    await scheduler.run_once(demand["closes_at"] + timedelta(seconds=1))
    with all_tenants("test"):
        ranked = (await quotes.of_demands([demand["id"]]))[0]
    assert [(q["unit_fen"], q["rank"], q["compliant"]) for q in ranked] == [
        (9_500, 1, "yes"),
        (10_000, 2, "yes"),
        (9_000, None, "no"),
    ]
    assert ranked[2]["reason"] == "截止时已不是该框架协议的入围供应商"
    with use_scope(city):  # the winner leaves after the close: the award is refused
        await agreements.withdraw_designated(admin, w["designated"][w["third_org"]], "违约")
    with use_scope(w["scope"]):
        with pytest.raises(DomainError) as exc:
            await auctions.award(w["purchaser"], demand["id"])
        assert exc.value.code == "NOT_DESIGNATED"
        assert (await auctions.get(demand["id"]))["status"] == "closed"
