"""Listings through PostgreSQL's staging table: the set-based insert writes the new pairs that
pass every check, apply_listings words the others' problems, and the outcomes are those of
SQLite's apply_listings alone."""

import dataclasses
from decimal import Decimal

import pytest

from gpcloud.core.db import is_sqlite
from gpcloud.core.imports import staging
from gpcloud.core.validation import uscc_check_char
from gpcloud.registries.goods.imports import LISTINGS_SPEC
from gpcloud.registries.goods.tables import ListingRegion, SupplierListing
from tests.integration.registries.goods.helpers import XN_SUPPLIER, listing_id
from tests.integration.registries.goods.test_imports import (
    LISTING_HEADER,
    MZ_USCC,
    SCHOOL_USCC,
    XN_USCC,
    rejects,
    run,
    write_csv,
)

NOBODY = "91440000MA4W00099" + uscc_check_char("91440000MA4W00099")
ROWS = [
    [XN_USCC, "GD-A02010105-000002", "7600", "5", "441481;441424", ""],  # new
    [XN_USCC.lower(), "GD-A02010104-000001", "5000", "", "441481", ""],  # listed: price change
    [MZ_USCC, "GD-A02010105-000002", "7700", "3", "441400", "下架"],  # new, withdrawn
    [XN_USCC, "GD-A02010105-000002", "7500", "1", "441481", ""],  # the same pair again
    [NOBODY, "GD-A02010105-000002", "1", "1", "441481", ""],  # nobody has this code
    [SCHOOL_USCC, "GD-A02010105-000002", "1", "1", "441481", ""],  # not a supplier
    [XN_USCC, "GD-NOPE-1", "1", "1", "441481", ""],  # unknown goods
    [XN_USCC, "GD-A020201-000001", "18500.01", "1", "441481", ""],  # above the reference
]


@pytest.fixture
def staged(monkeypatch):
    """Row numbers the set-based statement wrote, batch by batch (PostgreSQL only)."""
    written: list[list[int]] = []
    original = staging.Stage.write

    async def write(self, rows):
        await original(self, rows)
        written.append([r.number for r in rows if r.outcome == "created"])

    monkeypatch.setattr(staging.Stage, "write", write)
    return written


async def test_new_pairs_set_based_the_rest_worded_by_apply_listings(tmp_path, goods, staged):
    path = write_csv(tmp_path / "listings.csv", LISTING_HEADER, ROWS)
    summary = await run(LISTINGS_SPEC, path)
    assert summary.counts == {"created": 2, "updated": 1, "rejected": 5}
    assert staged == ([] if is_sqlite() else [[2, 4]])
    reasons = rejects(summary, tmp_path / "listings-out")
    assert list(reasons) == [5, 6, 7, 8, 9]
    assert "also in row 2" in reasons[5]
    assert "no organisation with the code" in reasons[6]
    assert "is not a supplier" in reasons[7]
    assert "GD-NOPE-1 is not in the goods registry" in reasons[8]
    assert reasons[9] == "price: above the reference price 18500.00"

    new = (
        await SupplierListing.select()
        .where(SupplierListing.id == int(await listing_id(XN_SUPPLIER, "GD-A02010105-000002")))
        .first()
    )
    assert (Decimal(str(new["price"])), new["stock"], new["status"]) == (Decimal(7600), 5, "active")
    regions = await ListingRegion.select(ListingRegion.region).where(
        ListingRegion.listing == new["id"]
    )
    assert sorted(r["region"] for r in regions) == ["441424", "441481"]
    withdrawn = await SupplierListing.select(SupplierListing.status, SupplierListing.stock).where(
        SupplierListing.status == "withdrawn", SupplierListing.price == Decimal(7700)
    )
    assert withdrawn == [{"status": "withdrawn", "stock": 3}]

    staged.clear()
    again = await run(LISTINGS_SPEC, path, tmp_path / "again")
    assert again.counts == {"unchanged": 3, "rejected": 5}
    assert staged == ([] if is_sqlite() else [[]])
    assert await SupplierListing.count().where(SupplierListing.goods_item == new["goods_item"]) == 2


async def test_a_reimport_finds_the_listings_of_every_batch(tmp_path, goods, staged, caplog):
    """Each pair is looked up (by index, row by row): a listing in the second batch of a re-run
    is found there and left to apply_listings; only new pairs are written set-based, and the
    statement never falls back on a duplicate pair."""
    spec = dataclasses.replace(
        LISTINGS_SPEC, batch_size=2, bulk=dataclasses.replace(LISTINGS_SPEC.bulk, batch_size=2)
    )
    first = [XN_USCC, "GD-A02010105-000002", "7600", "5", "441481", ""]
    await run(spec, write_csv(tmp_path / "first.csv", LISTING_HEADER, [first]))
    staged.clear()
    rows = [
        [MZ_USCC, "GD-A02010105-000002", "7700", "3", "441400", ""],  # new
        [MZ_USCC, "GD-A02010104-000001", "5000", "1", "441400", ""],  # new
        [XN_USCC, "GD-A02010105-000002", "7500", "5", "441481", ""],  # listed: price change
        [XN_USCC, "GD-A020201-000001", "18000", "1", "441481", ""],  # new
    ]
    summary = await run(spec, write_csv(tmp_path / "again.csv", LISTING_HEADER, rows))
    assert summary.counts == {"created": 3, "updated": 1}
    assert staged == ([] if is_sqlite() else [[2, 3], [5]])
    assert "retrying" not in caplog.text
    price = await SupplierListing.select(SupplierListing.price).where(
        SupplierListing.id == int(await listing_id(XN_SUPPLIER, "GD-A02010105-000002"))
    )
    assert Decimal(str(price[0]["price"])) == Decimal(7500)
