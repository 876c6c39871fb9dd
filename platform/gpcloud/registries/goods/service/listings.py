"""Supplier listings (the e-mall's base): a supplier's price and stock for a goods item, and the
regions it delivers to.

Suppliers keep the listings of their own organisation (another organisation's listing is simply
not found); provincial admins keep any. Every authenticated user reads them. A listing serving
a city serves that city's counties, so a region filter matches the region and its ancestors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import is_unique_violation
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.goods.service.common import money, price_problem
from gpcloud.registries.goods.tables import (
    LISTING_STATUSES,
    GoodsItem,
    ListingRegion,
    SupplierListing,
)
from gpcloud.registries.suppliers.service import records as suppliers

MAX_STOCK = 1_000_000_000
MAX_REGIONS = 200
COLUMNS = (
    SupplierListing.id,
    SupplierListing.organisation,
    SupplierListing.goods_item,
    SupplierListing.price,
    SupplierListing.stock,
    SupplierListing.status,
    SupplierListing.created_at,
    SupplierListing.updated_at,
)


@dataclass(frozen=True)
class ListingInput:
    """For a create goods item, price and regions are required (a supplier's organisation is
    their own; a provincial admin names it); for an update None means "keep"."""

    organisation_id: int | None = None
    goods_item_id: int | None = None
    price: Decimal | None = None
    stock: int | None = None
    regions: list[str] | None = None


def _acts_for_any(actor: CurrentUser | None) -> bool:
    """Suppliers keep their own organisation's listings; who keeps the goods (goods.manage) any."""
    return actor is None or actor.can(Perm.GOODS_MANAGE)


def with_regions(row: dict, regions: list[str]) -> dict:
    return {**row, "price": money(row["price"]), "regions": regions}


async def regions_of(listing_ids: list[int]) -> dict[int, list[str]]:
    rows = (
        await ListingRegion.select(ListingRegion.listing, ListingRegion.region).where(
            ListingRegion.listing.is_in(listing_ids)
        )
        if listing_ids
        else []
    )
    found: dict[int, list[str]] = {i: [] for i in listing_ids}
    for row in rows:
        found[row["listing"]].append(row["region"])
    return {k: sorted(v) for k, v in found.items()}


async def get_listing(listing_id: int) -> dict:
    row = await SupplierListing.select(*COLUMNS).where(SupplierListing.id == listing_id).first()
    if row is None:
        raise NotFound("listing", listing_id)
    return with_regions(row, (await regions_of([listing_id]))[listing_id])


async def home_region(organisation_id: int) -> str:
    """Where a listing's audit entries belong: its supplier's region."""
    row = (
        await Organisation.select(Organisation.region)
        .where(Organisation.id == organisation_id)
        .first()
    )
    return row["region"]


async def _own_listing(actor: CurrentUser | None, listing_id: int) -> dict:
    """A supplier reaches only the listings of their organisation; others are "not found"."""
    row = await get_listing(listing_id)
    if not _acts_for_any(actor) and row["organisation"] != actor.organisation_id:
        raise NotFound("listing", listing_id)
    return row


def state(row: dict) -> dict:
    return {
        **{k: row[k] for k in ("organisation", "goods_item", "stock", "status")},
        "price": money(row["price"]),
        "regions": sorted(row["regions"]),
    }


async def supplier_problem(organisation_id: int, field: str = "organisationId") -> Problem | None:
    """Listings belong to supplier organisations; a suspended or deregistered supplier lists
    nothing (the suppliers registry says so; organisations still migrating have no record)."""
    row = (
        await Organisation.select(Organisation.kind)
        .where(Organisation.id == organisation_id)
        .first()
    )
    if row is None:
        return Problem("NOT_FOUND", "no such organisation", field)
    if row["kind"] != "supplier":
        return Problem("NOT_A_SUPPLIER", "only supplier organisations list goods", field)
    supplier = await suppliers.of_organisation(organisation_id)
    if supplier is not None and supplier["status"] in ("suspended", "inactive"):
        return Problem("SUPPLIER_NOT_USABLE", f"the supplier is {supplier['status']}", field)
    return None


async def region_problems(
    codes: list[str], field: str = "regions"
) -> tuple[list[str], list[Problem]]:
    """The regions served, deduplicated: at least one, each an active tenant."""
    wanted = sorted({c.strip() for c in codes if c and c.strip()})
    if not wanted:
        return wanted, [Problem("REGIONS_REQUIRED", "name at least one region served", field)]
    if len(wanted) > MAX_REGIONS:
        return wanted, [Problem("TOO_MANY_REGIONS", f"at most {MAX_REGIONS} regions", field)]
    tree = await tenant_tree()
    unknown = [c for c in wanted if tree.get(c) is None]
    inactive = [c for c in wanted if c not in unknown and tree.get(c).status != "active"]
    problems = []
    if unknown:
        problems.append(
            Problem("UNKNOWN_REGION", f"no region {', '.join(c[:12] for c in unknown[:10])}", field)
        )
    if inactive:
        problems.append(
            Problem("REGION_NOT_ACTIVE", f"not on the platform: {', '.join(inactive[:10])}", field)
        )
    return wanted, problems


async def item_for_listing(
    item_id: int, field: str = "goodsItemId"
) -> tuple[dict | None, Problem | None]:
    item = (
        await GoodsItem.select(GoodsItem.id, GoodsItem.reference_price, GoodsItem.status)
        .where(GoodsItem.id == item_id)
        .first()
    )
    if item is None:
        return None, Problem("NOT_FOUND", "no such goods item", field)
    if item["status"] != "active":
        return item, Problem("GOODS_INACTIVE", "the goods item is not offered any more", field)
    return item, None


def ceiling_problem(price: Decimal, item: dict, field: str = "price") -> Problem | None:
    reference = money(item["reference_price"])
    if price > reference:
        return Problem("PRICE_ABOVE_REFERENCE", f"at most the reference price {reference}", field)
    return None


def stock_problem(stock: int | None, field: str = "stock") -> Problem | None:
    if stock is not None and not 0 <= stock <= MAX_STOCK:
        return Problem("INVALID_STOCK", f"a whole number from 0 to {MAX_STOCK}", field)
    return None


async def set_regions(listing_id: int, regions: list[str]) -> None:
    current = set((await regions_of([listing_id]))[listing_id])
    gone, new = current - set(regions), set(regions) - current
    if gone:
        await ListingRegion.delete().where(
            (ListingRegion.listing == listing_id) & ListingRegion.region.is_in(sorted(gone))
        )
    if new:
        await ListingRegion.insert(
            *(ListingRegion(listing=listing_id, region=r) for r in sorted(new))
        )


@requires(Perm.LISTING_MANAGE)
async def create_listing(actor: CurrentUser | None, new: ListingInput) -> dict:
    organisation = new.organisation_id
    problems: list[Problem] = []
    if not _acts_for_any(actor):
        if organisation is not None and organisation != actor.organisation_id:
            problems.append(Problem("NOT_FOUND", "no such organisation", "organisationId"))
        organisation = actor.organisation_id
    elif organisation is None:
        problems.append(Problem("REQUIRED", "name the supplier organisation", "organisationId"))
    if new.goods_item_id is None:
        problems.append(Problem("REQUIRED", "name the goods item", "goodsItemId"))
    problems += [p for p in (price_problem(new.price, "price"), stock_problem(new.stock)) if p]
    regions, region_issues = await region_problems(new.regions or [])
    problems += region_issues
    if organisation is not None and not any(p.field == "organisationId" for p in problems):
        if (problem := await supplier_problem(organisation)) is not None:
            problems.append(problem)
    if new.goods_item_id is not None:
        item, problem = await item_for_listing(new.goods_item_id)
        if problem is not None:
            problems.append(problem)
        elif not any(p.field == "price" for p in problems) and (
            problem := ceiling_problem(new.price, item)
        ):
            problems.append(problem)
    if not problems and await SupplierListing.exists().where(
        (SupplierListing.organisation == organisation)
        & (SupplierListing.goods_item == new.goods_item_id)
    ):
        problems.append(_duplicate())
    if problems:
        raise DomainError.many(problems)
    listing = SupplierListing(
        organisation=organisation,
        goods_item=new.goods_item_id,
        price=new.price,
        stock=new.stock or 0,
        status="active",
    )
    try:
        await listing.save()
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError.many([_duplicate()]) from None
        raise
    await set_regions(listing.id, regions)
    row = await get_listing(listing.id)
    await audit.record(
        "goods.create_listing",
        "goods_listing",
        listing.id,
        None,
        state(row),
        tenant=await home_region(organisation),
    )
    return row


def _duplicate() -> Problem:
    return Problem(
        "DUPLICATE_LISTING",
        "this supplier lists this goods item already; update that listing",
        "goodsItemId",
    )


@requires(Perm.LISTING_MANAGE)
async def update_listing(actor: CurrentUser | None, listing_id: int, changes: ListingInput) -> dict:
    """Price, stock and regions; the supplier and the goods item of a listing stay."""
    before = await _own_listing(actor, listing_id)
    problems = [p for p in (stock_problem(changes.stock),) if p]
    for value, field, current in (
        (changes.organisation_id, "organisationId", before["organisation"]),
        (changes.goods_item_id, "goodsItemId", before["goods_item"]),
    ):
        if value is not None and value != current:
            problems.append(Problem("IMMUTABLE", "make a new listing instead", field))
    if changes.price is not None:
        if (problem := price_problem(changes.price, "price")) is not None:
            problems.append(problem)
        else:
            item, _ = await item_for_listing(before["goods_item"])
            if (problem := ceiling_problem(changes.price, item)) is not None:
                problems.append(problem)
    regions = None
    if changes.regions is not None:
        regions, region_issues = await region_problems(changes.regions)
        problems += region_issues
    if problems:
        raise DomainError.many(problems)
    values = {
        column: value
        for column, value in (
            (SupplierListing.price, changes.price),
            (SupplierListing.stock, changes.stock),
        )
        if value is not None
    }
    await SupplierListing.update({**values, SupplierListing.updated_at: datetime.now(UTC)}).where(
        SupplierListing.id == listing_id
    )
    if regions is not None:
        await set_regions(listing_id, regions)
    after = await get_listing(listing_id)
    if state(after) != state(before):
        await audit.record(
            "goods.update_listing",
            "goods_listing",
            listing_id,
            state(before),
            state(after),
            tenant=await home_region(before["organisation"]),
        )
    return after


@requires(Perm.LISTING_MANAGE)
async def set_listing_status(
    actor: CurrentUser | None, listing_id: int, status: str, reason: str = ""
) -> dict:
    """Withdraw a listing, or offer it again (checked like a new one: active item, price at
    most the reference, regions still on the platform)."""
    if status not in LISTING_STATUSES:
        raise DomainError("INVALID_STATUS", f"one of {', '.join(LISTING_STATUSES)}", "status")
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise DomainError("INVALID_REASON", "at most 500 characters", "reason")
    before = await _own_listing(actor, listing_id)
    if before["status"] == status:
        raise DomainError("WRONG_STATE", f"the listing is already {status}", "status")
    if status == "active":
        problems = []
        item, problem = await item_for_listing(before["goods_item"], "status")
        if problem is None:
            problem = ceiling_problem(before["price"], item)
        problems += [
            p for p in (problem, await supplier_problem(before["organisation"], "status")) if p
        ]
        problems += (await region_problems(before["regions"]))[1]
        if problems:
            raise DomainError.many(problems)
    await SupplierListing.update(
        {SupplierListing.status: status, SupplierListing.updated_at: datetime.now(UTC)}
    ).where(SupplierListing.id == listing_id)
    after = await get_listing(listing_id)
    verb = "withdraw" if status == "withdrawn" else "reactivate"
    await audit.record(
        f"goods.{verb}_listing",
        "goods_listing",
        listing_id,
        state(before),
        state(after),
        {"reason": reason} if reason else None,
        tenant=await home_region(before["organisation"]),
    )
    return after


async def withdraw_listings(item_id: int, reason: str, above: Decimal | None = None) -> int:
    """Withdraw the active listings of an item (those priced above `above` when given)."""
    condition = (SupplierListing.goods_item == item_id) & (SupplierListing.status == "active")
    if above is not None:
        condition &= SupplierListing.price > above
    rows = await SupplierListing.select(*COLUMNS).where(condition).order_by(SupplierListing.id)
    if not rows:
        return 0
    ids = [r["id"] for r in rows]
    regions = await regions_of(ids)
    await SupplierListing.update(
        {SupplierListing.status: "withdrawn", SupplierListing.updated_at: datetime.now(UTC)}
    ).where(SupplierListing.id.is_in(ids))
    for row in rows:
        before = with_regions(row, regions[row["id"]])
        await audit.record(
            "goods.withdraw_listing",
            "goods_listing",
            row["id"],
            state(before),
            {**state(before), "status": "withdrawn"},
            {"reason": reason},
            tenant=await home_region(row["organisation"]),
        )
    return len(rows)
