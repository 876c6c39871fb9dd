"""The most-favoured price (Korea PPS's MAS most-favoured-customer price): price monitoring holds
a listing priced above the lowest price its own supplier gave the government for the same item
elsewhere on the platform: its other live listing of the same product (another catalogue
entry, other regions), its winning quote of an awarded reverse auction closed within
`emall_most_favoured_days`, its maximum unit price in a framework agreement in force. The alert
names the record and its price; another supplier's lower price is not the supplier's; the
alert's detail shows where the alert shows; the operating centre's review clears it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from gpcloud.core.clock import end_of, now, start_of, today
from gpcloud.core.errors import DomainError
from gpcloud.core.rules.service import effective_rule
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.service import agreements, auctions, orders, prices, quotes
from gpcloud.emall.tables import MallDemand, PriceAlert
from gpcloud.portal.tables import Notice
from gpcloud.registries.goods.service import mall as goods
from tests.integration.emall.world import emall_world, listing, new_supplier
from tests.integration.procurement import actor
from tests.support import data, gql, login


@pytest.fixture
async def world(demo):
    return await emall_world()


async def alerts_of(listing_id: int) -> list[dict]:
    with all_tenants("test"):
        return (
            await PriceAlert.select()
            .where(PriceAlert.listing == listing_id)
            .order_by(PriceAlert.id)
        )


async def monitor() -> None:
    with all_tenants("test"):
        await prices.monitor()


async def code_of(listing_id: int) -> str:
    return (await goods.offers([listing_id]))[listing_id]["item_code"]


async def order(w: dict, listing_id: int) -> dict:
    with use_scope(w["scope"]):
        return await orders.place(
            w["purchaser"], orders.OrderInput(listing_id, 1, w["plan"], w["indicator"])
        )


async def test_a_lower_own_listing_of_the_same_product_holds_the_dearer_and_names_it(world):
    w = world
    # Xingning's supplier lists one product (华岭 MF-1, 台) under two catalogue entries: at
    # 100.00 for Xingning, at 120.00 for Meizhou (the city: it serves Xingning too).
    cheap = await listing(w["xn"], "华岭", "100.00", 50, model="MF-1")
    dear = await listing(w["xn"], "华岭", "120.00", 50, regions=("441400",), model="MF-1")
    # Another product of the same brand, and the same product of another supplier cheaper:
    # neither is the Xingning supplier's most-favoured price.
    other_model = await listing(w["xn"], "华岭", "150.00", 50, model="MF-9")
    rival = await listing(w["mz"], "华岭", "80.00", 50, model="MF-1")
    await monitor()

    (alert,) = await alerts_of(dear)
    assert (alert["basis"], alert["basis_fen"], alert["tolerance_percent"]) == (
        "most_favoured",
        10_000,
        0,
    )
    assert (alert["basis_record_kind"], alert["basis_record"]) == ("listing", cheap)
    assert await code_of(cheap) in alert["basis_source"]
    assert alert["reason"].startswith("报价 120.00 元高于本供应商给予政府的最惠价（本供应商的商品")
    assert alert["reason"].endswith("（100.00 元），待运营机构审核")
    for unheld in (cheap, other_model, rival):
        assert await alerts_of(unheld) == [], unheld

    with pytest.raises(DomainError) as exc:
        await order(w, dear)
    assert exc.value.code == "PRICE_UNDER_REVIEW"
    with all_tenants("test"):
        assert await prices.check([dear]) == []  # once per price and basis
        seen = await prices.search(w["seller"], None, None, None)  # the supplier sees why
        assert [a["id"] for a in seen.rows] == [alert["id"]]
        await prices.review(await actor("gd.admin"), alert["id"], True, "两地配送成本不同，合理")
    assert (await order(w, dear))["status"] == "placed"


def demand_input(w: dict, closes_in: timedelta) -> auctions.DemandInput:
    return auctions.DemandInput(
        plan_id=w["plan"],
        indicator_id=w["indicator"],
        category_code="A0201",  # above the listings' A02010104: the item is of it
        title="教师办公台式计算机竞价采购",
        quantity=10,
        unit="台",
        ceiling_unit_price=Decimal("5000"),
        closes_at=now() + closes_in,
    )


async def awarded_auction(w: dict, bidders: list, offers: list[tuple[str, str]]) -> dict:
    """A demand the bidders quote (price, offer) on, closed and awarded to the lowest."""
    with use_scope(w["scope"]):
        demand = await auctions.post(w["purchaser"], demand_input(w, timedelta(hours=2)))
    for bidder, (price, offer) in zip(bidders, offers, strict=True):
        await quotes.submit(bidder, demand["id"], quotes.QuoteInput(Decimal(price), offer))
    await scheduler.run_once(demand["closes_at"] + timedelta(seconds=1))
    with use_scope(w["scope"]):
        awarded, _ = await auctions.award(w["purchaser"], demand["id"])
    assert awarded["status"] == "awarded"
    return awarded


async def closed_days_ago(demand_id: int, days: int) -> None:
    """The auction closed `days` before today (history: a demand cannot be posted closed)."""
    with all_tenants("test: an auction of the past"):
        await MallDemand.update(
            {MallDemand.closes_at: start_of(today() - timedelta(days=days))}
        ).where(MallDemand.id == demand_id)


async def test_a_winning_quote_within_the_look_back_holds_a_dearer_listing(world):
    w = world
    bidders = [await new_supplier(f"兴宁市最惠价测试供应商{i}有限公司") for i in range(3)]
    # The winner lists 华岭 MF-2 at 5,000.00 after winning an auction for it at 4,500.00.
    held = await listing(bidders[0].organisation_id, "华岭", "5000.00", 10, model="MF-2")
    losers = [
        await listing(b.organisation_id, "华岭", "5000.00", 10, model="MF-2") for b in bidders[1:]
    ]
    demand = await awarded_auction(
        w,
        bidders,
        [("4500", "华岭 MF-2 台式计算机，满足参数"), ("4600", "华岭 MF-2"), ("4700", "华岭 MF-2")],
    )
    # Older than emall_most_favoured_days (180): no longer the supplier's most-favoured price.
    await closed_days_ago(demand["id"], 181)
    await monitor()
    assert await alerts_of(held) == []
    await closed_days_ago(demand["id"], 180)  # the look-back's first day counts
    await monitor()
    (alert,) = await alerts_of(held)
    assert (alert["basis"], alert["basis_fen"]) == ("most_favoured", 450_000)
    assert (alert["basis_record_kind"], alert["basis_record"]) == ("auction", demand["id"])
    assert (
        alert["basis_source"]
        == f"本供应商的竞价成交报价（竞价 {demand['id']}：教师办公台式计算机竞价采购）"
    )
    # Losing quotes are no price given to the government.
    for loser in losers:
        assert await alerts_of(loser) == []
    with all_tenants("test"):
        # What the alert names is public: the auction's result notice, with the price.
        notice = await Notice.select().where(Notice.source == f"mall_demand:{demand['id']}").first()
    assert "4500.00" in notice["body"]


def agreement_input(w: dict, start: int, end: int, maxima: list[tuple[int, str, str]]):
    return agreements.AgreementInput(
        title=f"梅州市台式计算机定点采购{start}",
        category_code="A0201",
        kind="goods",
        starts_on=today() + timedelta(days=start),
        ends_on=today() + timedelta(days=end),
        entrants=5,
        suppliers=[agreements.DesignatedInput(o, item, "台", Decimal(p)) for o, item, p in maxima],
    )


async def test_an_agreement_in_force_holds_a_dearer_listing_an_expired_one_does_not(world):
    w = world
    mz_admin = await actor("mz.admin")
    held = await listing(w["xn"], "华岭", "3200.00", 10, model="MF-3")
    by_code = await listing(w["xn"], "康达", "3200.00", 10, model="KD-7")
    rival = await listing(w["mz"], "华岭", "900.00", 10, model="MF-3")
    # A model with LIKE's wildcards is matched literally: "A_1%" is not in "康达 AX1Y".
    wild = await listing(w["xn"], "康达", "3200.00", 10, model="A_1%")
    with use_scope((await tenant_tree()).scope_for("441400")):
        expired = await agreements.record(
            mz_admin,
            agreement_input(
                w,
                -200,
                -10,
                [(w["xn"], "华岭 MF-3 台式计算机", "2000"), (w["mz"], "华岭 MF-3", "800")],
            ),
        )
        in_force = await agreements.record(
            mz_admin,
            agreement_input(
                w,
                -30,
                100,
                [
                    (w["xn"], "华岭 MF-3 台式计算机", "3000"),
                    (w["mz"], "华岭 MF-3", "1000"),  # another supplier's maximum
                ],
            ),
        )
        coded = await agreements.record(
            mz_admin,
            agreement_input(
                w, -20, 100, [(w["xn"], f"台式计算机（{await code_of(by_code)}）", "3100")]
            ),
        )
        await agreements.record(
            mz_admin, agreement_input(w, -10, 100, [(w["xn"], "康达 AX1Y 台式计算机", "100")])
        )
    await scheduler.run_once(end_of(today() - timedelta(days=10)) + timedelta(seconds=1))
    with all_tenants("test"):
        assert (await agreements.get(expired["id"]))["status"] == "expired"
    await monitor()
    (alert,) = await alerts_of(held)  # 3,000.00 in force, not the expired 2,000.00
    assert (alert["basis"], alert["basis_fen"]) == ("most_favoured", 300_000)
    assert (alert["basis_record_kind"], alert["basis_record"]) == ("agreement", in_force["id"])
    assert "框架协议最高限价" in alert["basis_source"]
    (named,) = await alerts_of(by_code)  # the designated item names the catalogue code
    assert (named["basis_fen"], named["basis_record"]) == (310_000, coded["id"])
    assert await alerts_of(rival) == []  # 900.00 is below its own 1,000.00
    assert await alerts_of(wild) == []


SEARCH = """
query($filter: SupplierListingFilter) {
  supplierListings(filter: $filter, first: 100) {
    edges { node { id priceAlert { id basis basisPrice basisSource basisRecordKind basisRecordId
      tolerancePercent } } }
  }
}
"""
ALERTS = "{ priceAlerts(first: 50) { edges { node { id listingId basis basisRecordKind basisRecordId } } } }"


async def test_the_alert_shows_its_record_where_the_alert_shows_and_only_there(client, world):
    w = world
    cheap = await listing(w["xn"], "华岭", "100.00", 50, model="MF-4")
    dear = await listing(w["xn"], "华岭", "130.00", 50, regions=("441400",), model="MF-4")
    await monitor()
    (alert,) = await alerts_of(dear)

    async def seen_by(who: str) -> tuple[dict | None, list[dict]]:
        token = await login(client, who)
        page = data(await gql(client, SEARCH, {"filter": {}}, token=token))
        nodes = {int(e["node"]["id"]): e["node"] for e in page["supplierListings"]["edges"]}
        mine = data(await gql(client, ALERTS, token=token))["priceAlerts"]["edges"]
        return nodes[dear]["priceAlert"], [e["node"] for e in mine]

    shown = {
        "basis": "most_favoured",
        "basisPrice": "100.00",
        "basisRecordKind": "LISTING",
        "basisRecordId": str(cheap),
        "tolerancePercent": 0,
    }
    # The operating centre, the supplier and purchasers (of Xingning, of Meizhou) see it: the
    # record is the supplier's own listing, public like every listing's price.
    for who in ("gd.admin", "xn.supplier", "xn.purchaser", "mz.purchaser"):
        on_listing, _ = await seen_by(who)
        assert {k: on_listing[k] for k in shown} == shown, who
        assert on_listing["id"] == str(alert["id"])
    _, own = await seen_by("xn.supplier")
    assert [(n["id"], n["basisRecordKind"], n["basisRecordId"]) for n in own] == [
        (str(alert["id"]), "LISTING", str(cheap))
    ]
    # Another (Meizhou) supplier sees neither the alert on the listing nor in its alerts, and a
    # purchaser's alert list is of its own organisation's listings: none.
    for who in ("mz.supplier", "mz.purchaser", "xn.purchaser"):
        on_listing, listed = await seen_by(who)
        assert listed == [], who
    assert (await seen_by("mz.supplier"))[0] is None
    # Cleared: nothing holds the price any more.
    with all_tenants("test"):
        await prices.review(await actor("gd.admin"), alert["id"], True, "价格合理")
    assert (await seen_by("xn.purchaser"))[0] is None
    assert (await order(w, dear))["status"] == "placed"


async def test_the_look_back_is_a_rule_of_the_emall_set_marked_unverified(world):
    rule = await effective_rule("emall_most_favoured_days", "440000")
    assert (rule.value, rule.rule.unit, rule.rule.override) == (180, "d", "at_least")
    assert rule.rule.unverified and rule.rule.rule_set == "emall"
