"""The catalogue search's directPurchase filter: only listings a purchaser of the region can
order by direct purchase now, by the same rules the order checks (emall/service/purchasable.py)
— a price-flagged, an over-cap, an unserved, a withdrawn, a sold-out and (where the province
reviews new listings) an unreviewed listing are left out, and every listing returned is ordered
without a refusal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gpcloud.core.db import transaction
from gpcloud.core.tenancy.config_admin import edit_config
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.service import orders, prices
from gpcloud.registries.goods.service import listings, search
from tests.integration.emall.world import emall_world, listing
from tests.integration.procurement import actor
from tests.support import data, gql, login

CAP = "20000"  # Xingning's own direct-purchase cap, tighter than the province's 1,000,000
SEARCH = """
query($filter: SupplierListingFilter, $after: String) {
  supplierListings(filter: $filter, first: 50, after: $after) {
    edges { node { id price stock } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
PLACE = """
mutation($input: MallOrderInput!) {
  placeMallOrder(input: $input) { order { id status } errors { field code message } }
}
"""


async def _configure(key: str, value, region: str, who: str) -> None:
    with use_scope((await tenant_tree()).scope_for(region)):
        async with transaction():
            await edit_config(await actor(who), region, [(key, value)], "测试")


@pytest.fixture
async def world(client, demo):
    w = await emall_world()
    await _configure("thresholds.emall_caps.direct_purchase", int(CAP), "441481", "xn.admin")
    w["fair"] = await listing(w["mz"], "华岭", "100.00", 50)
    item = (await _get(w["fair"]))["goods_item"]
    w["flagged"] = await listing(w["xn"], "华岭", "200.00", 50, item_id=item)
    with all_tenants("test"):
        (alert,) = await prices.check([w["fair"], w["flagged"]])
    assert alert["listing"] == w["flagged"]
    w["over_cap"] = await listing(w["xn"], "岭南", "20000.01", 5)
    w["at_cap"] = await listing(w["xn"], "岭南", CAP, 5)
    w["unserved"] = await listing(w["mz"], "南粤星", "100.00", 10, regions=("440100",))
    w["sold_out"] = await listing(w["mz"], "南粤星", "100.00", 0)
    w["withdrawn"] = await listing(w["mz"], "岭南", "100.00", 10)
    with all_tenants("test"):
        await listings.set_listing_status(None, w["withdrawn"], "withdrawn", "停产")
    return w


async def _get(listing_id: int) -> dict:
    with all_tenants("test"):
        return await listings.get_listing(listing_id)


async def _found(region: str) -> set[int]:
    found, after = set(), None
    with all_tenants("test"):
        while True:
            page = await search.search_listings(
                search.ListingFilter(direct_purchase_for=region), 100, after
            )
            found |= {r["id"] for r in page.rows}
            if not page.has_next_page:
                return found
            after = page.end_cursor


async def _search_api(client, token: str, flt: dict) -> list[dict]:
    nodes, after = [], None
    while True:
        page = data(await gql(client, SEARCH, {"filter": flt, "after": after}, token=token))[
            "supplierListings"
        ]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_the_filter_leaves_out_what_an_order_refuses_and_orders_what_it_returns(
    client, world
):
    w = world
    buyer = await login(client, "xn.purchaser")
    everything = {int(n["id"]) for n in await _search_api(client, buyer, {})}
    returned = await _search_api(client, buyer, {"directPurchase": True})
    ids = {int(n["id"]) for n in returned}
    assert ids == await _found("441481")
    assert {w["fair"], w["at_cap"]} <= ids
    left_out = {"flagged", "over_cap", "unserved", "sold_out", "withdrawn"}
    assert {w[k] for k in left_out} <= everything - ids
    # Each left out because an order refuses it, for the reason the filter names.
    refused = {}
    with use_scope(w["scope"]):
        for key in sorted(left_out):
            try:
                await orders.place(
                    w["purchaser"], orders.OrderInput(w[key], 1, w["plan"], w["indicator"])
                )
            except Exception as exc:  # noqa: BLE001 - the code is what is checked
                refused[key] = getattr(exc, "code", repr(exc))
    assert refused == {
        "flagged": "PRICE_UNDER_REVIEW",
        "over_cap": "OVER_MODE_CAP",
        "unserved": "NOT_SERVED",
        "sold_out": "OUT_OF_STOCK",
        "withdrawn": "LISTING_NOT_LIVE",
    }
    # Every listing returned is ordered (one unit, through the API).
    for node in returned:
        placed = data(
            await gql(
                client,
                PLACE,
                {
                    "input": {
                        "listingId": node["id"],
                        "quantity": 1,
                        "planId": str(w["plan"]),
                        "indicatorId": str(w["indicator"]),
                    }
                },
                token=buyer,
            )
        )["placeMallOrder"]
        assert placed["errors"] == [], (node, placed["errors"])
        assert placed["order"]["status"] == "PLACED"


async def test_the_filter_follows_the_review_and_the_regions_own_cap(client, world):
    w = world
    # Once the operating centre clears the alert, the flagged listing is purchasable again.
    with all_tenants("test"):
        (alert,) = (await prices.search(await actor("gd.admin"), "open", None, None)).rows
        await prices.review(await actor("gd.admin"), alert["id"], True, "价格合理")
    assert w["flagged"] in await _found("441481")
    # Meizhou city keeps the province's cap: what is over Xingning's is within Meizhou's, but
    # a Meizhou purchaser is not served by Xingning's listings.
    assert w["over_cap"] not in await _found("441400")
    city = await listing(w["xn"], "岭南", "30000.00", 5, regions=("441400",))
    assert city in await _found("441400") and city not in await _found("441481")
    # Where the province reviews new listings, one monitoring never saw is left out until its
    # review is cleared.
    await _configure("emall.review_new_listings", True, "440000", "gd.admin")
    new = await listing(w["xn"], "华岭", "100.00", 10)
    assert new not in await _found("441481") and w["fair"] in await _found("441481")
    with all_tenants("test"):
        (review,) = await prices.check([new])
        assert new not in await _found("441481")
        await prices.review(await actor("gd.admin"), review["id"], True, "资质齐全")
    assert new in await _found("441481")


async def test_a_bad_region_and_other_filters_with_it(client, world):
    w = world
    buyer = await login(client, "xn.purchaser")
    narrowed = await _search_api(
        client, buyer, {"directPurchase": True, "organisationId": str(w["mz"])}
    )
    assert {int(n["id"]) for n in narrowed} == {
        i for i in await _found("441481") if (await _get(i))["organisation"] == w["mz"]
    }
    priced = await _search_api(
        client, buyer, {"directPurchase": True, "minPrice": "150", "maxPrice": CAP}
    )
    assert all(Decimal("150") <= Decimal(n["price"]) <= Decimal(CAP) for n in priced)
    assert w["at_cap"] in {int(n["id"]) for n in priced}
    with pytest.raises(Exception) as exc, all_tenants("test"):
        await search.search_listings(search.ListingFilter(direct_purchase_for="999999"), 10, None)
    assert getattr(exc.value, "code", None) == "UNKNOWN_REGION"
