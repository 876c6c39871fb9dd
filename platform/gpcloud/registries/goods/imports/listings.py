"""The supplier listings file (`goods_listings`): one row per supplier and item."""

from __future__ import annotations

from datetime import UTC, datetime

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import any_of, bulk_insert
from gpcloud.core.imports import columns as p
from gpcloud.core.imports.spec import BulkPath, Column, ImportRow, ImportSpec, reason
from gpcloud.registries.goods.imports import columns as cells
from gpcloud.registries.goods.service import listings
from gpcloud.registries.goods.service.common import money
from gpcloud.registries.goods.tables import GoodsItem, ListingRegion, SupplierListing

LISTING_KEY = "supplier_uscc+goods_code"
LISTING_COLUMNS = (
    Column(
        "supplier_uscc",
        "供应商统一社会信用代码",
        True,
        p.uscc,
        "91441481MA4W000061",
        "a registered supplier organisation",
    ),
    Column(
        "goods_code",
        "商品编码",
        True,
        cells.goods_code,
        "GD-A02010104-000001",
        "an active goods item",
    ),
    Column(
        "price", "报价", True, cells.price, "4680.00", "yuan; at most the item's reference price"
    ),
    Column("stock", "库存", False, p.count, "50", "0 or more; blank keeps (0 for a new listing)"),
    Column(
        "regions",
        "供货区域",
        True,
        cells.regions,
        "441400;441481",
        'active region codes separated by ";"; a city covers its counties; replaces the list',
    ),
    Column("status", "状态", False, cells.LISTING_STATUS, "active", "active / withdrawn"),
)


def _check_listing(row: ImportRow) -> None:
    # The runner finds duplicates within the file by the key's value: supplier and goods together.
    row.values[LISTING_KEY] = f"{row.values['supplier_uscc']}+{row.values['goods_code']}"


async def apply_listings(rows: list[ImportRow], tenant: str) -> None:
    usccs = sorted({r.values["supplier_uscc"] for r in rows})
    orgs = {
        o["uscc"]: o
        for o in await Organisation.select(
            Organisation.id, Organisation.uscc, Organisation.kind
        ).where(any_of(Organisation.uscc, usccs))
    }
    codes = sorted({r.values["goods_code"] for r in rows})
    goods = {
        g["code"]: g
        for g in await GoodsItem.select(
            GoodsItem.id, GoodsItem.code, GoodsItem.reference_price, GoodsItem.status
        ).where(any_of(GoodsItem.code, codes))
    }
    existing: dict[tuple[int, int], dict] = {}
    if orgs and goods:
        found = await SupplierListing.select(*listings.COLUMNS).where(
            any_of(SupplierListing.organisation, [o["id"] for o in orgs.values()])
            & any_of(SupplierListing.goods_item, [g["id"] for g in goods.values()])
        )
        regions = await listings.regions_of([r["id"] for r in found])
        existing = {
            (r["organisation"], r["goods_item"]): listings.with_regions(r, regions[r["id"]])
            for r in found
        }

    for row in rows:
        v = row.values
        org, item = orgs.get(v["supplier_uscc"]), goods.get(v["goods_code"])
        if org is None:
            row.reject(
                reason(
                    "UNKNOWN_ORGANISATION",
                    f"no organisation with the code {v['supplier_uscc']}",
                    "supplier_uscc",
                )
            )
        elif org["kind"] != "supplier":
            row.reject(
                reason("NOT_A_SUPPLIER", f"{v['supplier_uscc']} is not a supplier", "supplier_uscc")
            )
        if item is None:
            row.reject(
                reason(
                    "UNKNOWN_GOODS", f"{v['goods_code']} is not in the goods registry", "goods_code"
                )
            )
        current = existing.get((org["id"], item["id"])) if org and item else None
        status = v["status"] or (current["status"] if current else "active")
        if item is not None and status == "active":
            if item["status"] != "active":
                row.reject(
                    reason(
                        "GOODS_INACTIVE", f"{v['goods_code']} is not offered any more", "goods_code"
                    )
                )
            elif v["price"] > money(item["reference_price"]):
                row.reject(
                    reason(
                        "ABOVE_REFERENCE_PRICE",
                        f"above the reference price {money(item['reference_price'])}",
                        "price",
                    )
                )
        for problem in (await listings.region_problems(v["regions"]))[1]:
            row.reject(f"regions: {problem.message}")
        if row.ok:
            v.update(status=status, organisation=org["id"], goods_item=item["id"], current=current)

    new = [r for r in rows if r.ok and r.values["current"] is None]
    if new:
        ids = await bulk_insert(
            SupplierListing,
            [
                {
                    "organisation": r.values["organisation"],
                    "goods_item": r.values["goods_item"],
                    "price": r.values["price"],
                    "stock": r.values["stock"] or 0,
                    "status": r.values["status"],
                }
                for r in new
            ],
        )
        await bulk_insert(
            ListingRegion,
            [
                {"listing": made, "region": code}
                for r, made in zip(new, ids, strict=True)
                for code in r.values["regions"]
            ],
            returning=False,
        )
        for row in new:
            row.outcome = "created"
    now = datetime.now(UTC)
    for row in rows:
        if not row.ok or row.outcome == "created":
            continue
        current = row.values["current"]
        changes = cells.changed(row, current, ("price", "stock", "status"))
        if changes:
            await SupplierListing.update({**changes, "updated_at": now}).where(
                SupplierListing.id == current["id"]
            )
        if row.values["regions"] != current["regions"]:
            await listings.set_regions(current["id"], row.values["regions"])
            changes["regions"] = row.values["regions"]
        row.outcome = "updated" if changes else "unchanged"
    for row in rows:
        row.values.pop("current", None)


async def _screen(rows: list[ImportRow]) -> list[ImportRow]:
    """Rows whose regions are fine may be staged; apply_listings words the others' problems.
    (A file names few distinct region lists: each is checked once.)"""
    fine: dict[tuple, bool] = {}
    for regions in {tuple(row.values["regions"]) for row in rows}:
        fine[regions] = not (await listings.region_problems(list(regions)))[1]
    return [row for row in rows if fine[tuple(row.values["regions"])]]


def _staged(row: ImportRow) -> tuple:
    v = row.values
    return (v["supplier_uscc"], v["goods_code"], v["price"], v["stock"], v["status"], v["regions"])


# Rows of a supplier and an item that have no listing yet and pass every check against the
# item; the others are left to apply_listings. The listing's id is drawn first so that its
# regions need no join with what was inserted; a pair listed meanwhile fails the statement, and
# the batch goes to apply_listings. The supplier and the listing are looked up row by row in
# their unique indexes (scalar subqueries, which PostgreSQL does not turn into joins; `found`
# is materialised so that each is looked up once): as joins, the planner, which has no
# statistics of the staging table, often hashed every organisation and every listing each batch.
INSERT = """
WITH found AS MATERIALIZED (
    SELECT s.*, (SELECT o.id FROM organisation o
                 WHERE o.uscc = s.supplier_uscc AND o.kind = 'supplier') AS organisation
    FROM {stage} s
), fresh AS (
    SELECT nextval(pg_get_serial_sequence('goods_listing', 'id')) AS id, f.n,
           f.organisation, g.id AS goods_item, f.price, coalesce(f.stock, 0) AS stock,
           coalesce(f.status, 'active') AS status, f.regions
    FROM found f
    JOIN goods_item g ON g.code = f.goods_code
    WHERE f.organisation IS NOT NULL
      AND (coalesce(f.status, 'active') <> 'active'
           OR (g.status = 'active' AND f.price <= g.reference_price))
      AND (SELECT l.id FROM goods_listing l
           WHERE l.organisation = f.organisation AND l.goods_item = g.id) IS NULL
    ORDER BY f.n
), made AS (
    INSERT INTO goods_listing (id, organisation, goods_item, price, stock, status)
    SELECT id, organisation, goods_item, price, stock, status FROM fresh ORDER BY n
), served AS (
    INSERT INTO goods_listing_region (listing, region)
    SELECT id, unnest(regions) FROM fresh ORDER BY n
)
SELECT array_agg(n) FROM fresh
"""
BULK = BulkPath(
    columns=(
        ("supplier_uscc", "text"),
        ("goods_code", "text"),
        ("price", "numeric"),
        ("stock", "integer"),
        ("status", "text"),
        ("regions", "text[]"),
    ),
    record=_staged,
    insert=INSERT,
    screen=_screen,
)

LISTINGS_SPEC = ImportSpec(
    registry="goods_listings",
    title="供应商商品报价",
    columns=LISTING_COLUMNS,
    key=LISTING_KEY,
    apply_batch=apply_listings,
    permission=Perm.GOODS_MANAGE,
    tenant_owned=False,
    check_row=_check_listing,
    bulk=BULK,
)
