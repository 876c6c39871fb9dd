"""Searching goods and listings: keyset pages over indexed filters, fast at province scale.

Goods by catalogue branch (the branch's codes are read from the small catalogue, then matched
with `category IN (...)`), text, reference price and status; listings by goods item, supplier,
region served (a region is served by listings for it, its city and the province), price and
status, and (asked of the e-mall above) whether a region's purchasers can order them by
direct purchase now or from a designated supplier, which modes a page's listings are open to, and
their price alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gpcloud import domains
from gpcloud.core.db import contains_ci
from gpcloud.core.errors import DomainError
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.goods.service import conditions
from gpcloud.registries.goods.service.categories import descendant_codes
from gpcloud.registries.goods.service.common import price_bound, search_term
from gpcloud.registries.goods.service.items import COLUMNS as ITEM_COLUMNS
from gpcloud.registries.goods.service.items import normalised
from gpcloud.registries.goods.service.listings import COLUMNS as LISTING_COLUMNS
from gpcloud.registries.goods.service.listings import regions_of, with_regions
from gpcloud.registries.goods.tables import GoodsItem, SupplierListing


@dataclass(frozen=True)
class GoodsItemFilter:
    category: str | None = None
    search: str | None = None
    code: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    status: str | None = None


@dataclass(frozen=True)
class ListingFilter:
    goods_item_id: int | None = None
    organisation_id: int | None = None
    region: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    status: str | None = None
    # Only listings purchasers of this region can order by direct purchase now (the e-mall's
    # conditions, gpcloud.domains.DIRECT_PURCHASE).
    direct_purchase_for: str | None = None
    # Only listings whose supplier this region's purchasers may order from under a framework
    # agreement in force, for the item's category (gpcloud.domains.DESIGNATED).
    designated_for: str | None = None


async def search_items(flt: GoodsItemFilter, first: int | None, after: str | None) -> Page:
    query = GoodsItem.select(*ITEM_COLUMNS)
    if flt.category:
        codes = await descendant_codes(flt.category)
        if not codes:
            raise DomainError(
                "UNKNOWN_CATEGORY",
                f"{flt.category[:20]} is not in the procurement catalogue",
                "category",
            )
        query = query.where(GoodsItem.category.is_in(codes))
    if flt.code:
        query = query.where(GoodsItem.code == flt.code.strip().upper())
    term = search_term(flt.search)
    if term is not None:
        query = query.where(
            contains_ci(GoodsItem.name, term)
            | contains_ci(GoodsItem.brand, term)
            | contains_ci(GoodsItem.model, term)
        )
    low, high = price_bound(flt.min_price, "minPrice"), price_bound(flt.max_price, "maxPrice")
    if low is not None:
        query = query.where(GoodsItem.reference_price >= low)
    if high is not None:
        query = query.where(GoodsItem.reference_price <= high)
    if flt.status:
        query = query.where(GoodsItem.status == flt.status)
    page = await keyset_page(query, GoodsItem.id, first, after)
    return Page([normalised(r) for r in page.rows], page.has_next_page, page.end_cursor)


async def _known(region: str) -> None:
    if (await tenant_tree()).get(region) is None:
        raise DomainError("UNKNOWN_REGION", f"no region {region[:12]}", "region")


async def search_listings(flt: ListingFilter, first: int | None, after: str | None) -> Page:
    query = SupplierListing.select(*LISTING_COLUMNS)
    selective = flt.goods_item_id is not None or flt.organisation_id is not None
    if flt.goods_item_id is not None:
        query = query.where(SupplierListing.goods_item == flt.goods_item_id)
    if flt.organisation_id is not None:
        query = query.where(SupplierListing.organisation == flt.organisation_id)
    if flt.region:
        await _known(flt.region)
        query = query.where(await conditions.serving(flt.region, selective))
    if flt.direct_purchase_for:
        await _known(flt.direct_purchase_for)
        for condition in await domains.resolve(domains.DIRECT_PURCHASE)(
            flt.direct_purchase_for, selective
        ):
            query = query.where(condition)
    if flt.designated_for:
        await _known(flt.designated_for)
        query = query.where(await domains.resolve(domains.DESIGNATED)(flt.designated_for))
    low, high = price_bound(flt.min_price, "minPrice"), price_bound(flt.max_price, "maxPrice")
    if low is not None:
        query = query.where(SupplierListing.price >= low)
    if high is not None:
        query = query.where(SupplierListing.price <= high)
    if flt.status:
        query = query.where(SupplierListing.status == flt.status)
    page = await keyset_page(query, SupplierListing.id, first, after)
    regions = await regions_of([r["id"] for r in page.rows])
    return Page(
        [with_regions(r, regions[r["id"]]) for r in page.rows], page.has_next_page, page.end_cursor
    )


async def listing_modes(region: str | None, listing_ids: list[int]) -> list[list[str]]:
    """The e-mall modes a purchaser of `region` could use for each listing today (asked of the
    e-mall, gpcloud.domains.LISTING_MODES); none for no purchaser."""
    if region is None:
        return [[] for _ in listing_ids]
    return await domains.resolve(domains.LISTING_MODES)(region, listing_ids)


async def listing_alerts(listing_ids: list[int]) -> list[dict | None]:
    """Each listing's price alert holding its current price, or None (gpcloud.domains
    .LISTING_ALERTS); who may see it is the API's check."""
    return await domains.resolve(domains.LISTING_ALERTS)(listing_ids)
