"""The catalogue search's mode flags and price flags (issue 17): SupplierListing.modes (what a
purchaser of the caller's region could use for the listing today: direct purchase, a designated
supplier under an agreement in force, an open group buy of the category), the designated filter
and SupplierListing.priceAlert, each loaded once per page; another region's agreements and
group buys give a purchaser no modes, and a listing's alert is not shown to other suppliers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from gpcloud.core.clock import now, today
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.emall.service import agreements, group_buys, prices
from gpcloud.registries.goods.service import listings, search
from tests.integration.emall.world import CATEGORY, emall_world, listing
from tests.integration.procurement import actor
from tests.support import data, gql, login

SEARCH = """
query($filter: SupplierListingFilter) {
  supplierListings(filter: $filter, first: 100) {
    edges { node { id modes priceAlert { id basis basisSource price basisPrice tolerancePercent reason
      status raisedAt } } }
  }
}
"""


def _agreement(organisation: int, starts_in: int = -1) -> agreements.AgreementInput:
    return agreements.AgreementInput(
        title="兴宁市台式计算机定点采购",
        category_code="A0201",  # above the listings' A02010104: covers it
        kind="goods",
        starts_on=today() + timedelta(days=starts_in),
        ends_on=today() + timedelta(days=starts_in + 200),
        entrants=5,
        suppliers=[agreements.DesignatedInput(organisation, "台式计算机", "台", Decimal("6000"))],
    )


@pytest.fixture
async def world(client, demo):
    w = await emall_world()
    w["plain"] = await listing(w["mz"], "华岭", "100.00", 50)
    with all_tenants("test"):
        item = (await listings.get_listing(w["plain"]))["goods_item"]
    w["flagged"] = await listing(w["xn"], "华岭", "200.00", 50, item_id=item)
    w["city"] = await listing(w["xn"], "岭南", "100.00", 5, regions=("441400",))
    w["withdrawn"] = await listing(w["xn"], "南粤星", "100.00", 5)
    with all_tenants("test"):
        (alert,) = await prices.check([w["plain"], w["flagged"]])
        await listings.set_listing_status(None, w["withdrawn"], "withdrawn", "停产")
    w["alert"] = alert
    xn_admin = await actor("xn.admin")
    with use_scope(w["scope"]):
        # Xingning's agreement designates the Xingning supplier; one designating the Meizhou
        # supplier starts tomorrow (not in force yet); Xingning collects desktops.
        await agreements.record(xn_admin, _agreement(w["xn"]))
        await agreements.record(xn_admin, _agreement(w["mz"], starts_in=1))
        await group_buys.open_group_buy(
            xn_admin,
            group_buys.GroupBuyInput(
                title="兴宁市台式计算机批量集中采购",
                category_code=CATEGORY,
                unit="台",
                ceiling_unit_price=Decimal("5000"),
                joins_close_at=now() + timedelta(days=7),
            ),
        )
    return w


async def _nodes(client, who: str, flt: dict | None = None) -> dict[int, dict]:
    token = await login(client, who)
    page = data(await gql(client, SEARCH, {"filter": flt or {}}, token=token))
    return {int(e["node"]["id"]): e["node"] for e in page["supplierListings"]["edges"]}


async def test_a_purchaser_sees_the_modes_of_its_region_only(client, world):
    w = world
    mine = await _nodes(client, "xn.purchaser")
    assert mine[w["plain"]]["modes"] == ["DIRECT_PURCHASE", "GROUP_BUY"]
    # Flagged: not directly purchasable, but its supplier is designated for the category.
    assert mine[w["flagged"]]["modes"] == ["DESIGNATED", "GROUP_BUY"]
    assert mine[w["city"]]["modes"] == ["DIRECT_PURCHASE", "DESIGNATED", "GROUP_BUY"]
    assert mine[w["withdrawn"]]["modes"] == []
    # Meizhou city is above Xingning: Xingning's agreement and group buy are not its purchasers'.
    city = await _nodes(client, "mz.purchaser")
    assert city[w["city"]]["modes"] == ["DIRECT_PURCHASE"]
    assert city[w["plain"]]["modes"] == city[w["flagged"]]["modes"] == []
    # Not a purchaser: no modes.
    for who in ("xn.supplier", "gd.admin"):
        assert {tuple(n["modes"]) for n in (await _nodes(client, who)).values()} == {()}


async def test_the_designated_filter_is_the_designated_mode(client, world):
    w = world
    everything = await _nodes(client, "xn.purchaser")
    designated = await _nodes(client, "xn.purchaser", {"designated": True})
    # The filter returns exactly the listings whose modes include DESIGNATED (the demo's own
    # listings of the Xingning supplier among them).
    assert set(designated) == {i for i, n in everything.items() if "DESIGNATED" in n["modes"]}
    assert {w["flagged"], w["city"]} <= set(designated)
    assert not {w["plain"], w["withdrawn"]} & set(designated)
    both = await _nodes(client, "xn.purchaser", {"designated": True, "directPurchase": True})
    assert set(both) == {
        i for i, n in everything.items() if {"DESIGNATED", "DIRECT_PURCHASE"} <= set(n["modes"])
    }
    assert w["city"] in both and w["flagged"] not in both
    assert await _nodes(client, "mz.purchaser", {"designated": True}) == {}
    with all_tenants("test"):
        page = await search.search_listings(search.ListingFilter(designated_for="441400"), 50, None)
        assert page.rows == []
        with pytest.raises(Exception) as exc:
            await search.search_listings(search.ListingFilter(designated_for="999999"), 5, None)
    assert getattr(exc.value, "code", None) == "UNKNOWN_REGION"


async def test_the_price_alert_shows_to_whom_may_see_it(client, world):
    w = world
    for who in ("xn.supplier", "xn.purchaser", "mz.purchaser", "gd.admin"):
        nodes = await _nodes(client, who)
        alert = nodes[w["flagged"]]["priceAlert"]
        assert alert["id"] == str(w["alert"]["id"]) and alert["basis"] == "median", who
        assert alert["basisSource"] == ""  # a median has no source
        assert Decimal(alert["price"]) == Decimal("200.00") and alert["status"] == "open"
        assert Decimal(alert["basisPrice"]) == Decimal("100.00") and "中位数" in alert["reason"]
        assert nodes[w["plain"]]["priceAlert"] is None
    # Another supplier does not see a competitor's alert.
    assert (await _nodes(client, "mz.supplier"))[w["flagged"]]["priceAlert"] is None
    # Cleared: no alert holds the price, and the listing is directly purchasable again.
    with all_tenants("test"):
        await prices.review(await actor("gd.admin"), w["alert"]["id"], True, "价格合理")
    after = (await _nodes(client, "xn.purchaser"))[w["flagged"]]
    assert after["priceAlert"] is None
    assert after["modes"] == ["DIRECT_PURCHASE", "DESIGNATED", "GROUP_BUY"]


async def test_modes_and_alerts_load_once_per_page(client, world, monkeypatch):
    calls = {"modes": [], "alerts": []}
    modes, alerts = search.listing_modes, search.listing_alerts

    async def counting_modes(region, ids):
        calls["modes"].append(len(ids))
        return await modes(region, ids)

    async def counting_alerts(ids):
        calls["alerts"].append(len(ids))
        return await alerts(ids)

    monkeypatch.setattr(search, "listing_modes", counting_modes)
    monkeypatch.setattr(search, "listing_alerts", counting_alerts)
    nodes = await _nodes(client, "xn.purchaser")
    assert len(nodes) >= 4
    assert calls == {"modes": [len(nodes)], "alerts": [len(nodes)]}
