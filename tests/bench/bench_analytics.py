"""Analytics read latency: the province dashboard (every indicator for a year) and a city
drill-down (its indicators, its regions' bars, its months), against a same-run baseline that
computes only three of the figures (spend, processes, bids per tender) straight from the
source tables with one SQL aggregate: what a dashboard without rollups would at least cost.
Also the full rebuild's rate and one incremental round.

    GPCLOUD_DB=postgresql://postgres:postgres@127.0.0.1:5432/postgres \\
        uv run python -m tests.bench.bench_analytics [--per-tenant 300] [--runs 50]

A throwaway deployment (its own database, dropped at the end). Processes are generated in
every tenant of tenants/ (analytics/sample.py): plans, projects, announcements, bids, awards,
contracts, acceptances, payments, e-mall orders.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

from tests.bench.bench_registries import configure, drop, percentile

BASELINE = """
SELECT count(*) AS processes, coalesce(sum(a.amount_fen), 0) AS spend,
       (SELECT count(*) FROM bid b JOIN project p2 ON p2.id = b.project
         WHERE p2.tenant_id = ANY({}) AND b.status IN ('submitted', 'unsealed')) AS bids
FROM award a
JOIN project p ON p.id = a.project
JOIN announcement n ON n.project = p.id AND n.kind = 'result'
WHERE p.tenant_id = ANY({}) AND n.published_on BETWEEN {} AND {}
"""


def _report(name: str, samples: list[float], base: list[float] | None = None) -> None:
    line = (
        f"  {name:<34} p50 {statistics.median(samples):7.1f} ms  "
        f"p95 {percentile(samples, 0.95):7.1f} ms"
    )
    if base:
        line += f"  ratio p95 to baseline {percentile(samples, 0.95) / percentile(base, 0.95):5.2f}"
    print(line)


async def _timed(runs: int, call) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        out.append((time.perf_counter() - start) * 1000)
    return out


async def run(per_tenant: int, runs: int) -> None:
    from datetime import date

    from gpcloud.analytics import sample
    from gpcloud.analytics.service import indicators, refresh, rollup
    from gpcloud.analytics.service.indicators import Filters
    from gpcloud.analytics.tables import Dirty
    from gpcloud.core.db import is_sqlite, open_pool, refresh_statistics, transaction
    from gpcloud.core.migrations import migrate
    from gpcloud.core.tenancy.files import apply_tenant_files
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.core.tenancy.service import tenant_tree
    from gpcloud.settings import get_settings
    from gpcloud.transaction.tables import Project

    settings = get_settings()
    engine = "PostgreSQL" if settings.is_postgres else "SQLite"
    await migrate()
    await open_pool(2, 8)
    with all_tenants("bench: analytics"):
        await apply_tenant_files(settings.tenants_dir)
        tree = await tenant_tree(fresh=True)
        tenants = sorted(tree.subtree(tree.root))
        start = time.perf_counter()
        await sample.generate(tenants, per_tenant, 2026, seed=1, flawed=5)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        processes = await rollup.rebuild()
        rebuilt = time.perf_counter() - start
        await refresh_statistics()
        print(f"gpcloud analytics on {engine}: {len(tenants)} tenants, {processes} processes")
        print(
            f"  generated in {generated:.1f} s; full rebuild {rebuilt:.1f} s "
            f"({processes / rebuilt:.0f} processes/s)"
        )
        # One incremental round of 200 dirty processes.
        plans = await sample_plans(200)
        async with transaction():
            await Dirty.insert(*(Dirty(tenant_id=t, plan_id=p) for p, t in plans))
        start = time.perf_counter()
        await refresh.refresh_pending(sweep=False)
        print(f"  incremental round of {len(plans)} processes {time.perf_counter() - start:.2f} s")

        province = Filters(tree.root, 2026)
        city = Filters("441400", 2026)
        codes = sorted(tree.subtree(tree.root))
        city_codes = sorted(tree.subtree("441400"))

        async def _baseline(region_codes):
            await Project.raw(
                BASELINE, region_codes, region_codes, date(2026, 1, 1), date(2026, 12, 31)
            )

        async def drill_down():
            await indicators.dashboard(None, city)
            await indicators.series(None, "spend", "region", city)
            await indicators.series(None, "spend", "month", city)
            await indicators.series(None, "single_bid_share", "method", city)

        for _ in range(3):  # warm up
            await indicators.dashboard(None, province)
            await drill_down()
        base_province = await _timed(runs, lambda: _baseline(codes)) if not is_sqlite() else None
        base_city = await _timed(runs, lambda: _baseline(city_codes)) if not is_sqlite() else None
        _report("baseline: 3 figures, province", base_province or [0.0])
        _report(
            f"province dashboard ({len(indicators.CATALOGUE)} indicators)",
            await _timed(runs, lambda: indicators.dashboard(None, province)),
            base_province,
        )
        _report("baseline: 3 figures, city", base_city or [0.0])
        _report("city drill-down (4 reads)", await _timed(runs, drill_down), base_city)


async def sample_plans(n: int) -> list[tuple[int, str]]:
    from gpcloud.supervision.tables import ProcurementPlan

    rows = await ProcurementPlan.select(ProcurementPlan.id, ProcurementPlan.tenant_id).limit(n)
    return [(r["id"], r["tenant_id"]) for r in rows]


async def main(per_tenant: int, runs: int) -> None:
    try:
        await run(per_tenant, runs)
    finally:
        from gpcloud.core.db import close_pool
        from gpcloud.core.redis import stop_embedded

        await close_pool()
        stop_embedded()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-tenant", type=int, default=300)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    admin = configure()
    try:
        asyncio.run(main(args.per_tenant, args.runs))
    finally:
        drop(admin)
    sys.exit(0)
