"""Market integrity: splitting detection (warn or block by tenant config, visible to
supervisors) and price monitoring (flagged listings are not directly purchasable until the
operating centre clears them; the supplier sees why)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.notifications.tables import Notification
from gpcloud.core.tenancy.config_admin import edit_config
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.service import orders, prices
from gpcloud.registries.goods.service import listings
from gpcloud.registries.goods.service.listings import get_listing
from tests.integration.emall.world import emall_world, listing
from tests.integration.procurement import actor


@pytest.fixture
async def world(demo):
    return await emall_world()


def order(w: dict, listing_id: int, quantity: int) -> orders.OrderInput:
    return orders.OrderInput(listing_id, quantity, w["plan"], w["indicator"])


async def test_orders_of_a_category_past_the_cap_in_a_year_warn_supervisors(world):
    w = world
    item = await listing(w["xn"], "华岭", "19000.00", 100)
    with use_scope(w["scope"]):
        for _ in range(5):  # 5 x 190,000 = 950,000: within the 1,000,000 direct-purchase cap
            placed = await orders.place(w["purchaser"], order(w, item, 10))
            assert placed["split_warning"] == ""
        sixth = await orders.place(w["purchaser"], order(w, item, 10))
        assert "1140000.00" in sixth["split_warning"]
        warned = await orders.search(
            w["supervisor"], orders.OrderFilter(split_warned=True), None, None
        )
        assert [o["id"] for o in warned.rows] == [sixth["id"]]
        mine = await orders.search(w["purchaser"], orders.OrderFilter(), None, None)
        assert len(mine.rows) == 6
    with all_tenants("test"):
        assert (
            await Notification.count().where(
                (Notification.kind == "mall_order.split_warning")
                & (Notification.recipient == w["supervisor"].id)
            )
            == 1
        )


async def test_a_tenant_that_blocks_splitting_refuses_the_order(world):
    w = world
    with use_scope((await tenant_tree()).scope_for("441481")):
        async with transaction():
            await edit_config(
                await actor("xn.admin"), "441481", [("emall.splitting_action", "block")], "严禁拆分"
            )
    item = await listing(w["xn"], "华岭", "19000.00", 100)
    with use_scope(w["scope"]):
        for _ in range(5):
            await orders.place(w["purchaser"], order(w, item, 10))
        with pytest.raises(DomainError) as exc:
            await orders.place(w["purchaser"], order(w, item, 10))
    assert exc.value.code == "SPLITTING_BLOCKED"
    with all_tenants("test"):
        assert (await get_listing(item))["stock"] == 50  # nothing half-written


async def test_a_price_far_above_the_median_is_held_until_reviewed(world):
    w = world
    fair = await listing(w["mz"], "华岭", "100.00", 50)
    item = (await _listing(fair))["goods_item"]
    dear = await listing(w["xn"], "华岭", "200.00", 50, item_id=item)
    with all_tenants("test"):
        raised = await prices.check([fair, dear])
    assert [(a["listing"], a["basis"], a["basis_fen"]) for a in raised] == [
        (dear, "median", 10_000)
    ]
    with use_scope(w["scope"]), pytest.raises(DomainError) as exc:
        await orders.place(w["purchaser"], order(w, dear, 1))
    assert exc.value.code == "PRICE_UNDER_REVIEW"
    with use_scope(w["scope"]):
        assert (await orders.place(w["purchaser"], order(w, fair, 1)))["status"] == "placed"
    with all_tenants("test"):
        seen = await prices.search(w["seller"], None, None, None)
        assert [a["id"] for a in seen.rows] == [raised[0]["id"]] and "中位数" in seen.rows[0][
            "reason"
        ]
        assert (await prices.search(w["other_seller"], None, None, None)).rows == []
        assert await prices.check([fair, dear]) == []  # raised once per price
    admin = await actor("gd.admin")
    with pytest.raises(DomainError) as exc:
        await prices.review(w["seller"], raised[0]["id"], True, "合理")
    assert exc.value.code == "FORBIDDEN"
    with all_tenants("test"):
        cleared = await prices.review(admin, raised[0]["id"], True, "配置更高，价格合理")
    assert cleared["status"] == "cleared"
    with use_scope(w["scope"]):
        assert (await orders.place(w["purchaser"], order(w, dear, 1)))["status"] == "placed"


async def test_a_price_rise_above_the_tolerance_is_flagged_against_its_history(world):
    w = world
    alone = await listing(w["xn"], "华岭", "100.00", 50)
    with all_tenants("test"):
        assert await prices.check([alone]) == []
        await listings.update_listing(None, alone, listings.ListingInput(price=Decimal("125.00")))
        (alert,) = await prices.check([alone])
    assert (alert["basis"], alert["basis_fen"], alert["price_fen"]) == ("history", 10_000, 12_500)
    with all_tenants("test"):
        await listings.update_listing(None, alone, listings.ListingInput(price=Decimal("110.00")))
        assert await prices.check([alone]) == []
        assert (await prices.search(await actor("gd.admin"), "superseded", None, None)).rows
    with use_scope(w["scope"]):
        assert (await orders.place(w["purchaser"], order(w, alone, 1)))["status"] == "placed"


async def _listing(listing_id: int) -> dict:
    with all_tenants("test"):
        return await get_listing(listing_id)


async def test_where_the_province_reviews_new_listings_one_waits_for_its_review(world):
    w = world
    seen_before = await listing(w["xn"], "华岭", "100.00", 50)
    with all_tenants("test"):
        await prices.check([seen_before])  # monitored before the province turned review on
    province = await actor("gd.admin")
    with use_scope((await tenant_tree()).scope_for("440000")):
        async with transaction():
            await edit_config(province, "440000", [("emall.review_new_listings", True)], "上架审核")
    new = await listing(w["xn"], "华岭", "100.00", 50)
    with use_scope(w["scope"]):
        with pytest.raises(DomainError) as exc:  # not yet seen by monitoring
            await orders.place(w["purchaser"], order(w, new, 1))
        assert exc.value.code == "PRICE_UNDER_REVIEW" and "待运营机构审核" in str(exc.value)
        assert (await orders.place(w["purchaser"], order(w, seen_before, 1)))["status"] == "placed"
    with all_tenants("test"):
        (review,) = await prices.check([new, seen_before])
        assert (review["listing"], review["basis"]) == (new, "new")
        # A price change does not escape the review: it is of the listing, not of a price.
        await listings.update_listing(None, new, listings.ListingInput(price=Decimal("99.00")))
        assert await prices.check([new]) == []
    with use_scope(w["scope"]), pytest.raises(DomainError) as exc:
        await orders.place(w["purchaser"], order(w, new, 1))
    assert exc.value.code == "PRICE_UNDER_REVIEW"
    with all_tenants("test"):
        await prices.review(province, review["id"], True, "资质齐全，价格合理")
    with use_scope(w["scope"]):
        assert (await orders.place(w["purchaser"], order(w, new, 1)))["status"] == "placed"
