"""Price monitoring at province volume: the catalogue search's data (tests/bench/
bench_emall_search.py: 500,000 listings of 20,000 suppliers, times --scale, agreements in force
designating 40 suppliers each) plus one product in 500 listed twice by its supplier (another
catalogue entry of the same brand, model and unit, 10 % dearer): what the most-favoured price
finds.

Measured in one run:
- the most-favoured statement (emall/service/prices.most_favoured) over every batch of 500
  active listings, as the job walks them: total, p50 / p95 / max per batch; beside it, the
  batch's `goods.offers` read (two statements the job already runs per batch) as the floor;
- the job's `prices.check` on --batches sample batches, with the most-favoured basis and
  without it (the statement swapped for an empty answer: the job before this change), after one
  warm pass so that both only read (the history and the alerts are written once), alternated.

    GPCLOUD_DB=postgresql://postgres:postgres@127.0.0.1:5432/postgres \\
        uv run python -m tests.bench.bench_emall_prices [--scale 1.0] [--batches 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

from tests.bench import bench_emall_search
from tests.bench.bench_registries import configure, drop, percentile

DUPLICATES = """
INSERT INTO goods_item (id, code, category, name, brand, model, specs, unit, reference_price,
                        status)
SELECT i.id + 1000000, 'GD-D-' || i.id, i.category, i.name, i.brand, i.model, i.specs, i.unit,
       i.reference_price, i.status
FROM goods_item i
WHERE i.id IN (SELECT goods_item FROM goods_listing WHERE id % 500 = 0 AND status = 'active')
"""
DUPLICATE_LISTINGS = """
INSERT INTO goods_listing (id, organisation, goods_item, price, stock, status)
SELECT l.id + 1000000, l.organisation, l.goods_item + 1000000, ROUND(l.price * 1.1, 2), 50,
       'active'
FROM goods_listing l WHERE l.id % 500 = 0 AND l.id < 2000000 AND l.status = 'active'
"""
DUPLICATE_REGIONS = """
INSERT INTO goods_listing_region (listing, region)
SELECT l.id + 1000000, '440000' FROM goods_listing l WHERE l.id % 500 = 0 AND l.id < 2000000 AND l.status = 'active'
"""


async def batches(size: int = 500) -> list[list[int]]:
    from gpcloud.registries.goods.service import mall as goods

    found, after = [], 0
    while ids := await goods.active_listing_ids(after, size):
        found.append(ids)
        after = ids[-1]
    return found


def summary(name: str, samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return (
        f"{name:<44} n={len(ms):>4}  total {sum(ms) / 1000:7.2f} s  p50 {statistics.median(ms):7.1f}"
        f"  p95 {percentile(ms, 0.95):7.1f}  max {max(ms):7.1f} ms"
    )


async def measure(sample: int) -> None:
    from gpcloud.core.clock import today
    from gpcloud.core.db import transaction
    from gpcloud.emall.service import prices
    from gpcloud.registries.goods.service import mall as goods

    walked = await batches()
    day = today()
    statement, floor, found = [], [], 0
    for ids in walked:
        start = time.perf_counter()
        async with transaction():
            offers = await goods.offers(ids)
        floor.append(time.perf_counter() - start)
        start = time.perf_counter()
        async with transaction():
            favoured = await prices.most_favoured(list(offers), day)
        statement.append(time.perf_counter() - start)
        found += sum(1 for i, f in favoured.items() if int(offers[i]["price"] * 100) > f.fen)
    print(f"{sum(len(b) for b in walked)} active listings in {len(walked)} batches")
    print(summary("most_favoured statement per batch", statement))
    print(summary("floor: goods.offers per batch (2 statements)", floor))
    print(f"listings above their most-favoured price: {found}")

    chosen = walked[:: max(1, len(walked) // sample)][:sample]
    real = prices.most_favoured

    async def nothing(listing_ids, on):
        return {}

    async def job(with_mf: bool) -> float:
        prices.most_favoured = real if with_mf else nothing
        try:
            start = time.perf_counter()
            for ids in chosen:
                await prices.check(ids)
            return time.perf_counter() - start
        finally:
            prices.most_favoured = real

    await job(True)  # warm: the history and the alerts are written once
    before, after = [], []
    for _ in range(2):
        before.append(await job(False))
        after.append(await job(True))
    listings = sum(len(b) for b in chosen)
    for name, runs in (("before (no most-favoured)", before), ("after (most-favoured)", after)):
        best = min(runs)
        print(
            f"prices.check on {listings} listings, {name:<26}: "
            + ", ".join(f"{r:.2f} s" for r in runs)
            + f"  (best {best * 1000 / len(chosen):.0f} ms per batch of 500)"
        )


async def main(scale: float, sample: int) -> None:
    from gpcloud.core.db import close_pool, is_sqlite, open_pool, transaction
    from gpcloud.core.migrations import migrate
    from gpcloud.core.redis import stop_embedded
    from gpcloud.core.tenancy.files import apply_tenant_files
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.piccolo_conf import DB
    from gpcloud.settings import get_settings

    settings = get_settings()
    try:
        await migrate()
        await open_pool(2, 8)
        with all_tenants("bench: set up"):
            await apply_tenant_files(settings.tenants_dir)
        engine = "PostgreSQL" if settings.is_postgres else "SQLite"
        with all_tenants("bench: bulk load"):
            data = await bench_emall_search.load(scale)
            async with transaction():
                conn = DB.current_transaction.get().connection
                for sql in (DUPLICATES, DUPLICATE_LISTINGS, DUPLICATE_REGIONS):
                    await conn.execute(sql)
            if not is_sqlite():
                for table in ("goods_item", "goods_listing", "goods_listing_region"):
                    await DB.run_ddl(f'ANALYZE "{table}"')
        print(
            f"gpcloud price monitoring on {engine}: {data['listings']} listings loaded in "
            f"{data['seconds']:.1f} s, plus one product in 500 listed twice"
        )
        with all_tenants("bench: price monitoring (the job's scope)"):
            await measure(sample)
    finally:
        await close_pool()
        stop_embedded()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--batches", type=int, default=10)
    args = parser.parse_args()
    admin_url = configure()
    try:
        asyncio.run(main(args.scale, args.batches))
    finally:
        drop(admin_url)
    sys.exit(0)
