"""Order placement latency: sequential, and 50 concurrent requests at once; with --search, the
catalogue search at 500,000 listings instead (tests/bench/bench_emall_search.py).

    GPCLOUD_DB=postgresql://postgres:postgres@127.0.0.1:5432/postgres \\
        uv run python -m tests.bench.bench_emall [--orders 200] [--concurrency 50]
    ... uv run python -m tests.bench.bench_emall --search [--scale 1.0] [--searches 200]

A throwaway deployment (its own database, dropped at the end; SQLite without GPCLOUD_DB) with
the demo accounts and the e-mall test world (tests/integration/emall/world.py). All requests
come from one purchaser unit: the worst case, as one unit's orders decide one at a time (its
plan lines and splitting sums); orders of different units only share the listing's row.
The issue's target is p99 < 100 ms under 50 concurrent purchasers.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

from tests.bench.bench_registries import configure, drop, percentile


async def run(orders_n: int, concurrency: int) -> None:
    from gpcloud.core.db import open_pool
    from gpcloud.core.migrations import migrate
    from gpcloud.core.tenancy.files import apply_tenant_files
    from gpcloud.core.tenancy.scope import all_tenants, use_scope
    from gpcloud.demo import seed_accounts
    from gpcloud.emall.service import orders
    from gpcloud.settings import get_settings
    from tests.integration.emall.world import emall_world, listing

    settings = get_settings()
    engine = "PostgreSQL" if settings.is_postgres else "SQLite"
    await migrate()
    await open_pool(2, concurrency + 5)
    with all_tenants("bench: set up"):
        await apply_tenant_files(settings.tenants_dir)
    await seed_accounts()
    w = await emall_world()
    item = await listing(w["xn"], "华岭", "100.00", 1_000_000)
    data = orders.OrderInput(item, 1, w["plan"], w["indicator"])

    async def one() -> float:
        start = time.perf_counter()
        with use_scope(w["scope"]):
            await orders.place(w["purchaser"], data)
        return (time.perf_counter() - start) * 1000

    print(f"gpcloud e-mall order placement on {engine}")
    for _ in range(10):  # warm up
        await one()
    sequential = [await one() for _ in range(orders_n)]
    concurrent: list[float] = []
    rounds = max(1, orders_n // concurrency)
    started = time.perf_counter()
    for _ in range(rounds):
        concurrent += await asyncio.gather(*(one() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    for name, samples in (
        ("sequential", sequential),
        (f"{concurrency} at once, one unit", concurrent),
    ):
        print(
            f"  {name:<28} n {len(samples):4d}  p50 {statistics.median(samples):7.1f} ms  "
            f"p99 {percentile(samples, 0.99):7.1f} ms"
        )
    print(f"  throughput at {concurrency} at once: {len(concurrent) / elapsed:.0f} orders/s")


async def main(orders_n: int, concurrency: int) -> None:
    try:
        await run(orders_n, concurrency)
    finally:
        from gpcloud.core.db import close_pool
        from gpcloud.core.redis import stop_embedded

        await close_pool()
        stop_embedded()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--search", action="store_true", help="the 500k-listing search instead")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--searches", type=int, default=200)
    args = parser.parse_args()
    admin_url = configure(pool_max=args.concurrency + 5)
    try:
        if args.search:
            from tests.bench import bench_emall_search

            asyncio.run(bench_emall_search.main(args.scale, args.searches))
        else:
            asyncio.run(main(args.orders, args.concurrency))
    finally:
        drop(admin_url)
    sys.exit(0)
