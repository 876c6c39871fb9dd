"""What the e-mall reads and holds in the goods registry: a listing with its item, the prices of
an item's listings, goods items by code, who lists a category in a region, and stock held by orders.

Stock is held with one conditional UPDATE (the check and the change in one statement), so
concurrent orders for the last units cannot both win: PostgreSQL re-checks the condition after
taking the row lock, SQLite runs one writer at a time.
"""

from __future__ import annotations

from datetime import UTC, datetime

from gpcloud.core.db import any_of
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.registries.goods.service import conditions
from gpcloud.registries.goods.service.categories import descendant_codes
from gpcloud.registries.goods.service.common import money
from gpcloud.registries.goods.service.listings import regions_of
from gpcloud.registries.goods.tables import GoodsItem, ListingRegion, SupplierListing

OFFER = (
    SupplierListing.id,
    SupplierListing.organisation,
    SupplierListing.organisation.name.as_alias("supplier_name"),
    SupplierListing.organisation.region.as_alias("supplier_region"),
    SupplierListing.goods_item,
    SupplierListing.price,
    SupplierListing.stock,
    SupplierListing.status,
    SupplierListing.goods_item.name.as_alias("item_name"),
    SupplierListing.goods_item.code.as_alias("item_code"),
    SupplierListing.goods_item.brand.as_alias("brand"),
    SupplierListing.goods_item.model.as_alias("model"),
    SupplierListing.goods_item.unit.as_alias("unit"),
    SupplierListing.goods_item.category.as_alias("category"),
    SupplierListing.goods_item.status.as_alias("item_status"),
)


async def offers(listing_ids: list[int]) -> dict[int, dict]:
    """{listing: the listing with its item's name, brand (the maker), unit, category and the
    regions it serves} for those of the ids that exist (two queries)."""
    if not listing_ids:
        return {}
    rows = await SupplierListing.select(*OFFER).where(
        SupplierListing.id.is_in(sorted(set(listing_ids)))
    )
    regions = await regions_of([r["id"] for r in rows])
    return {r["id"]: {**r, "price": money(r["price"]), "regions": regions[r["id"]]} for r in rows}


async def offer(listing_id: int) -> dict:
    found = (await offers([listing_id])).get(listing_id)
    if found is None:
        raise NotFound("listing", listing_id)
    return found


async def item_prices(item_ids: list[int]) -> dict[int, list[tuple[int, object]]]:
    """{goods item: [(listing, price) of each active listing]}: for price monitoring."""
    if not item_ids:
        return {}
    rows = await SupplierListing.select(
        SupplierListing.id, SupplierListing.goods_item, SupplierListing.price
    ).where(
        SupplierListing.goods_item.is_in(sorted(set(item_ids)))
        & (SupplierListing.status == "active")
    )
    found: dict[int, list[tuple[int, object]]] = {i: [] for i in item_ids}
    for row in rows:
        found[row["goods_item"]].append((row["id"], money(row["price"])))
    return found


async def items_by_code(codes: list[str]) -> dict[str, dict]:
    """{code: {id, code, status}} of the goods items with these codes: the e-mall's reference
    price import names items as the goods import does."""
    if not codes:
        return {}
    rows = await GoodsItem.select(GoodsItem.id, GoodsItem.code, GoodsItem.status).where(
        any_of(GoodsItem.code, sorted(set(codes)))
    )
    return {r["code"]: r for r in rows}


async def active_listing_ids(after: int = 0, limit: int = 500) -> list[int]:
    """Active listings by id, a batch at a time (price monitoring walks them all)."""
    rows = await (
        SupplierListing.select(SupplierListing.id)
        .where((SupplierListing.status == "active") & (SupplierListing.id > after))
        .order_by(SupplierListing.id)
        .limit(limit)
    )
    return [r["id"] for r in rows]


async def lists_category(organisation_id: int, category: str, region: str) -> bool:
    """Whether the organisation has an active listing of goods in `category` (or below it) that
    serves `region`: who may quote on a demand."""
    codes = await descendant_codes(category)
    if not codes:
        return False
    row = (
        await SupplierListing.select(SupplierListing.id)
        .where(
            (SupplierListing.organisation == organisation_id)
            & (SupplierListing.status == "active")
            & SupplierListing.goods_item.is_in(
                GoodsItem.select(GoodsItem.id).where(GoodsItem.category.is_in(codes))
            )
            & SupplierListing.id.is_in(
                ListingRegion.select(ListingRegion.listing).where(
                    ListingRegion.region.is_in(await conditions.served_by(region))
                )
            )
        )
        .first()
    )
    return row is not None


async def hold_stock(listing_id: int, quantity: int) -> int:
    """Take `quantity` from an active listing's stock; the stock left. OUT_OF_STOCK when it
    has fewer (nothing taken). Call inside the order's transaction."""
    updated = await (
        SupplierListing.update(
            {
                SupplierListing.stock: SupplierListing.stock - quantity,
                SupplierListing.updated_at: datetime.now(UTC),
            }
        )
        .where(
            (SupplierListing.id == listing_id) & conditions.active() & conditions.in_stock(quantity)
        )
        .returning(SupplierListing.stock)
    )
    if not updated:
        raise DomainError(
            "OUT_OF_STOCK", f"the listing has fewer than {quantity} in stock", "quantity"
        )
    return updated[0]["stock"]


async def release_stock(listing_id: int, quantity: int) -> None:
    """Give back what a lapsed, declined or cancelled order held."""
    await SupplierListing.update(
        {
            SupplierListing.stock: SupplierListing.stock + quantity,
            SupplierListing.updated_at: datetime.now(UTC),
        }
    ).where(SupplierListing.id == listing_id)
