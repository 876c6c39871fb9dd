"""Analytics read latency: the province dashboard (every indicator for a year) and a city
drill-down (its indicators, its regions' bars, its months), against a same-run baseline that
computes only three of the figures (spend, processes, bids per tender) straight from the
source tables with one SQL aggregate: what a dashboard without rollups would at least cost.
Also the full rebuild's rate and one incremental round, and the time from a publication to
its figure on the dashboard (issue 19: within 60 s) with the worker's loops running as a
deployment runs them (`gpcloud worker`, or `gpcloud serve` in the embedded default: the arq
worker's startup starts the analytics refresh loop, the audit sequencer, the scheduler and
the payment watch): --publications results published one at a time through the transaction
service, each polled on the indicator read the dashboard makes until the award counts,
against the loop's own period measured in the same run.

    GPCLOUD_DB=postgresql://postgres:postgres@127.0.0.1:5432/postgres \\
    GPCLOUD_REDIS=redis://127.0.0.1:6379/0 \\
        uv run python -m tests.bench.bench_analytics [--per-tenant 300] [--runs 50] \\
        [--publications 20]

A throwaway deployment (its own database, dropped at the end). Processes are generated in
every tenant of tenants/ (analytics/sample.py): plans, projects, announcements, bids, awards,
contracts, acceptances, payments, e-mall orders.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
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


async def run(per_tenant: int, runs: int, publications: int) -> None:
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
        print(
            f"gpcloud analytics on {engine}: {len(tenants)} tenants, {processes} processes "
            "(load average {:.2f} {:.2f} {:.2f})".format(*os.getloadavg())
        )
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
    if publications:
        await visible_latency(publications)


XINGNING = "441481"


async def _prepared(n: int) -> list[tuple]:
    """n open tenders of 兴宁市第一中学 announced and waiting for their result, each on a budget
    indicator of its own (as tests/integration/procurement.py sets one up)."""
    from datetime import date
    from decimal import Decimal

    from gpcloud.core.db import transaction
    from gpcloud.core.tenancy.scope import use_scope
    from gpcloud.core.tenancy.service import tenant_tree
    from gpcloud.demo import seed_accounts
    from gpcloud.integrations.digital_finance.tables import BudgetIndicator
    from gpcloud.registries.purchasers import service as purchasers
    from gpcloud.supervision import plans
    from gpcloud.transaction import service as projects
    from tests.integration.procurement import actor, filed_plan, school_plan

    await seed_accounts()
    world = await filed_plan()  # seeds the units, the agency and the supplier: one plan more
    purchaser, supervisor = world["purchaser"], await actor("xn.supervisor")
    out = []
    with use_scope((await tenant_tree()).scope_for(XINGNING)):
        unit = (await purchasers.by_budget_unit_codes(XINGNING, ["441481311"]))["441481311"]
        for i in range(n):
            async with transaction():
                line = BudgetIndicator(
                    tenant_id=XINGNING,
                    code=f"ZB-BENCH-{i}",
                    purchaser=unit["id"],
                    fiscal_year=2026,
                    name="教学设备购置",
                    amount_fen=500_000_000,
                )
                await line.save()
            plan = await plans.create(purchaser, school_plan(line.id))
            await plans.submit(purchaser, plan["id"])
            await plans.file(supervisor, plan["id"])
            project = (await projects.entrust(purchaser, plan["id"], world["agency"]))["id"]
            await projects.publish_tender(
                world["agent"],
                project,
                "招标公告",
                "正文",
                date(2026, 10, 12),
                on=date(2026, 9, 21),
            )
            award = projects.AwardInput(world["supplier"]["uscc"], Decimal(4_000_000 + i))
            out.append((world["agent"], project, award))
    return out


async def visible_latency(n: int) -> None:
    """Publish n results one at a time with the worker running; for each, the seconds from the
    publication's commit until the dashboard's `processes` figure counts its award."""
    import random
    from datetime import date

    from gpcloud.analytics.service import indicators, refresh
    from gpcloud.analytics.service.indicators import Filters
    from gpcloud.core.clock import now
    from gpcloud.core.redis import get_redis
    from gpcloud.core.tenancy.scope import all_tenants, use_scope
    from gpcloud.core.tenancy.service import tenant_tree
    from gpcloud.transaction import service as projects
    from gpcloud.worker import make_worker

    # The rebuild covered every change before it: the loop's sweep starts from here. (With no
    # watermark its first round would look back a day, over every generated payment: 9,021
    # processes, 16 s at --per-tenant 300 under a load average of 7.)
    await get_redis().set(refresh._watermark_key(), now().isoformat())
    start = time.perf_counter()
    pending = await _prepared(n)
    print(f"  {n} tenders prepared in {time.perf_counter() - start:.1f} s")

    # The loop's own period, measured: each round's start and end, as the worker runs it.
    rounds: list[tuple[float, float]] = []
    running = asyncio.Event()  # the loop has taken its lease and run a round
    plain = refresh.refresh_pending

    async def timed_round(sweep: bool = True) -> int:
        began = time.perf_counter()
        try:
            return await plain(sweep)
        finally:
            rounds.append((began, time.perf_counter()))
            running.set()

    refresh.refresh_pending = timed_round  # what the loop's `work` calls each round

    async def awarded() -> int:
        with all_tenants("bench: the dashboard's read", audited=False):
            values = await indicators.dashboard(None, Filters(XINGNING, 2026))
        return int(next(v.value for v in values if v.indicator.id == "processes"))

    rng = random.Random(19)
    worker = make_worker(in_app=True)  # as the app's lifespan starts it (gpcloud serve)
    task = asyncio.create_task(worker.async_run())
    committed: list[float] = []  # when each result's transaction returned
    publish: list[float] = []
    scope = (await tenant_tree()).scope_for(XINGNING)

    async def publisher() -> None:
        """One result at a time, each at a random point of the loop's period (not in step
        with its rounds), without waiting for the previous one to show: a steady flow."""
        for agent, project, award in pending:
            await asyncio.sleep(rng.uniform(0, refresh.INTERVAL))
            began = time.perf_counter()
            with use_scope(scope):
                await projects.publish_result(
                    agent, project, "中标公告", "正文", [award], on=date(2026, 10, 16)
                )
            committed.append(time.perf_counter())
            publish.append((committed[-1] - began) * 1000)

    latencies: list[float] = []
    try:
        await running.wait()
        base = await awarded()
        publishing = asyncio.create_task(publisher())
        # A round refreshes every process queued before it, so results show in the order
        # published: the figure at base + k means the first k are visible.
        while len(latencies) < n:
            shown = await awarded() - base
            seen = time.perf_counter()
            latencies += [seen - at for at in committed[len(latencies) : shown]]
            if publishing.done():
                publishing.result()  # its error, if it failed
            if committed and seen - committed[-1] > 120 and len(latencies) < len(committed):
                raise RuntimeError("a published result not visible after 120 s")
            await asyncio.sleep(0.05)
        await publishing
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await worker.close()  # its on_shutdown stops the loops
        refresh.refresh_pending = plain
    starts = [b for b, _ in rounds]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)] or [0.0]
    took = [(e - b) * 1000 for b, e in rounds]
    print(
        f"  loop (INTERVAL {refresh.INTERVAL:.0f} s): {len(rounds)} rounds, period p50 "
        f"{statistics.median(gaps):.2f} s max {max(gaps):.2f} s; round p50 "
        f"{statistics.median(took):.0f} ms max {max(took):.0f} ms"
    )
    print(f"  publish_result p50 {statistics.median(publish):.0f} ms max {max(publish):.0f} ms")
    print(
        f"  publication -> visible on the dashboard, {len(latencies)} results: "
        f"p50 {statistics.median(latencies):.2f} s  p95 {percentile(latencies, 0.95):.2f} s  "
        f"max {max(latencies):.2f} s  (target 60 s: "
        f"{'met' if max(latencies) < 60 else 'MISSED'})"
    )
    print("  load average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


async def sample_plans(n: int) -> list[tuple[int, str]]:
    from gpcloud.supervision.tables import ProcurementPlan

    rows = await ProcurementPlan.select(ProcurementPlan.id, ProcurementPlan.tenant_id).limit(n)
    return [(r["id"], r["tenant_id"]) for r in rows]


async def main(per_tenant: int, runs: int, publications: int) -> None:
    try:
        await run(per_tenant, runs, publications)
    finally:
        from gpcloud.core.db import close_pool
        from gpcloud.core.redis import stop_embedded

        await close_pool()
        stop_embedded()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-tenant", type=int, default=300)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--publications", type=int, default=20, help="0: no latency run")
    args = parser.parse_args()
    admin = configure()
    try:
        asyncio.run(main(args.per_tenant, args.runs, args.publications))
    finally:
        drop(admin)
    sys.exit(0)
