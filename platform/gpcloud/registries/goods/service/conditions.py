"""What a listing is, as SQL conditions on its row: live, serving a region, in stock, priced at
most an amount.

Each condition is written once here and used wherever the question is asked: the catalogue
search (a page of listings meeting them), an order about one listing (which of them it fails,
`meets`), the stock hold (one conditional UPDATE). The e-mall above composes them with its
own (price review, its caps) into the rule of "directly purchasable" (emall/service/purchasable.py).

A condition is a piccolo combinable over `"goods_listing"`: usable in `.where()` of a select,
update or count on SupplierListing, and in a subquery of another domain's condition through
`LISTING_ID` and `PRICE_FEN` (the listing's id and price in fen).
"""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns.combination import WhereRaw
from piccolo.querystring import QueryString

from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.goods.tables import ListingRegion, SupplierListing

LISTING_ID = QueryString('"goods_listing"."id"')
PRICE_FEN = QueryString('CAST(ROUND("goods_listing"."price" * 100) AS BIGINT)')
# Past this many listings for the regions, a region is dense: see serving().
DENSE_REGION = 5000


def active():
    """The supplier offers it (not withdrawn)."""
    return SupplierListing.status == "active"


def live():
    """Offered, and of a goods item the province still lists."""
    return active() & WhereRaw(
        'EXISTS (SELECT 1 FROM "goods_item" AS item WHERE item."id" = "goods_listing"."goods_item"'
        " AND item.\"status\" = 'active')"
    )


def in_stock(quantity: int):
    """It has at least `quantity` units left."""
    return WhereRaw('"goods_listing"."stock" >= {}', quantity)


def priced_at_most(price: Decimal):
    """Its unit price is at most `price` (yuan)."""
    return SupplierListing.price <= price


async def served_by(region: str) -> list[str]:
    """The regions whose listings serve `region`: it and every region above it (a listing for a
    city serves its counties, one for the province serves everyone)."""
    return [region, *(await tenant_tree()).ancestors(region)]


async def serving(region: str, selective: bool = True):
    """Listings serving `region` (see served_by), in the shape that stays fast at province scale.

    A keyset page walks listings by id and stops after a page: with another selective filter
    (or about one listing), or when the regions have many listings, each candidate is probed in
    the (region, listing) index (EXISTS). For regions with few listings their ids are read from
    that index instead (IN), so a page does not walk the whole table to find none. Both shapes
    mean the same and run on both engines.
    """
    regions = await served_by(region)
    placeholders = ", ".join("{}" for _ in regions)
    exists = WhereRaw(
        'EXISTS (SELECT 1 FROM "goods_listing_region" AS served WHERE served."listing" = '
        f'"goods_listing"."id" AND served."region" IN ({placeholders}))',
        *regions,
    )
    if selective:
        return exists
    dense = await (
        ListingRegion.select(ListingRegion.listing)
        .where(ListingRegion.region.is_in(regions))
        .offset(DENSE_REGION)
        .limit(1)
    )
    if dense:
        return exists
    return SupplierListing.id.is_in(
        ListingRegion.select(ListingRegion.listing).where(ListingRegion.region.is_in(regions))
    )


async def meets(listing_ids: list[int], conditions: list) -> dict[int, list[bool]]:
    """{listing: [whether it meets each condition, in order]} for those of the ids that exist,
    in one statement: what an order asks of the listings it names."""
    if not listing_ids:
        return {}
    columns = ", ".join(
        f'CASE WHEN {{}} THEN 1 ELSE 0 END AS "c{i}"' for i in range(len(conditions))
    )
    ids = sorted(set(listing_ids))
    rows = await SupplierListing.raw(
        f'SELECT "goods_listing"."id" AS "id"{", " if conditions else ""}{columns} '
        f'FROM "goods_listing" WHERE "goods_listing"."id" IN ({", ".join("{}" for _ in ids)})',
        *(c.querystring for c in conditions),
        *ids,
    )
    return {r["id"]: [bool(r[f"c{i}"]) for i in range(len(conditions))] for r in rows}
