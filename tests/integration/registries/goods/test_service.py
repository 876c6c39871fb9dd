"""The goods services called directly (as other domains and the demo seed do), and the import
parsers."""

from decimal import Decimal

import pytest

from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.goods.demo import GOODS, LISTINGS, seed
from gpcloud.registries.goods.imports import columns as parsers
from gpcloud.registries.goods.service import categories, items, listings
from gpcloud.registries.goods.service.common import money, price_problem
from gpcloud.registries.goods.tables import Category, GoodsItem, ListingRegion, SupplierListing
from tests.integration.registries.goods.helpers import XN_SUPPLIER, audit_entries, org_id


def user(*roles: str, tenant: str = "440000", organisation: int = 1) -> CurrentUser:
    region = None if tenant == "440000" else frozenset({tenant})
    return CurrentUser(1, "someone", tenant, organisation, frozenset(roles), False, (), region)


async def province():
    return use_scope((await tenant_tree()).scope_for("440000"))


def test_prices_are_decimal_yuan_with_two_places():
    assert price_problem(Decimal("0.01"), "price") is None
    assert price_problem(Decimal("999999999999.99"), "price") is None
    for bad in ("0", "-0.01", "0.001", "1000000000000", "NaN", "sNaN", "Infinity", "1E+999999999"):
        assert price_problem(Decimal(bad), "price").code == "INVALID_PRICE", bad
    assert price_problem(None, "price").code == "REQUIRED"
    assert money(4999.0) == Decimal("4999.00") and str(money("1420")) == "1420.00"


def test_import_parsers():
    assert parsers.specs("CPU=8核; 内存=16GB；硬盘＝1TB;") == {
        "CPU": "8核",
        "内存": "16GB",
        "硬盘": "1TB",
    }
    assert parsers.specs("备注=") == {"备注": ""}
    for bad in ("CPU", "=8核", "; ;x"):
        with pytest.raises(ValueError):
            parsers.specs(bad)
    with pytest.raises(ValueError):
        parsers.specs("; ".join(f"k{i}=v" for i in range(51)))
    assert parsers.regions("441481；441400, 441481 441424") == ["441400", "441424", "441481"]
    for bad in ("4414", "441400;abc", "4414000"):
        with pytest.raises(ValueError):
            parsers.regions(bad)
    assert parsers.category_code("a0201") == "A0201"
    with pytest.raises(ValueError):
        parsers.category_code("A020")
    with pytest.raises(ValueError):
        parsers.price("0")


async def test_services_check_roles_themselves(catalogue):
    with await province():
        for actor in (user("tenant_admin"), user("supplier"), user("purchaser")):
            with pytest.raises(DomainError) as info:
                await categories.create_category(actor, "A02010108", "一体机")
            assert info.value.code == "FORBIDDEN"
            with pytest.raises(DomainError) as info:
                await items.create_item(actor, items.GoodsItemInput(category_code="A02010104"))
            assert info.value.code == "FORBIDDEN"
        with pytest.raises(DomainError) as info:
            await listings.update_listing(user("expert"), 1, listings.ListingInput(stock=1))
        assert info.value.code == "FORBIDDEN"
        async with transaction():
            made = await categories.create_category(user("province_admin"), "A02010108", "一体机")
    assert made["parent"] == "A020101"


async def test_withdrawing_an_items_listings(goods):
    item = (
        await GoodsItem.select(GoodsItem.id)
        .where(GoodsItem.code == "GD-A0201060102-000001")
        .first()
    )["id"]
    with await province():
        async with transaction():
            assert await listings.withdraw_listings(item, "测试", above=Decimal("1460.00")) == 0
            assert await listings.withdraw_listings(item, "测试", above=Decimal("1459.99")) == 1
            assert await listings.withdraw_listings(item, "测试") == 1
            assert await listings.withdraw_listings(item, "测试") == 0
    assert [e["tenant_id"] for e in await audit_entries("goods.withdraw_listing")] == [
        "441481",
        "441400",
    ]


async def test_a_listing_state_names_its_regions(goods):
    xn = int(await org_id(XN_SUPPLIER))
    row = (
        await SupplierListing.select(SupplierListing.id)
        .where(SupplierListing.organisation == xn)
        .first()
    )
    with await province():
        listing = await listings.get_listing(row["id"])
    assert listing["regions"] == ["441481"] and isinstance(listing["price"], Decimal)
    assert listings.state(listing)["regions"] == ["441481"]


async def test_the_demo_seed_is_realistic_and_idempotent(goods):
    counts = (
        await Category.count(),
        await GoodsItem.count(),
        await SupplierListing.count(),
        await ListingRegion.count(),
    )
    assert counts[1:] == (len(GOODS), len(LISTINGS), len(LISTINGS)) and counts[0] >= 150
    audit_before = len(await audit_entries(""))
    await seed()
    assert (
        await Category.count(),
        await GoodsItem.count(),
        await SupplierListing.count(),
        await ListingRegion.count(),
    ) == counts
    assert len(await audit_entries("")) == audit_before
    prices = await SupplierListing.select(
        SupplierListing.price, SupplierListing.goods_item.reference_price.as_alias("reference")
    )
    assert all(0 < money(p["price"]) <= money(p["reference"]) for p in prices)
    regions = {r["region"] for r in await ListingRegion.select(ListingRegion.region)}
    assert regions == {"441400", "441481"}
