"""The expert draw at province volume, against a baseline measured in the same run.

    GPCLOUD_DB=postgresql://postgres:postgres@127.0.0.1:5432/postgres \\
        uv run python -m tests.bench.bench_draw [--experts 20000] [--bidders 30] [--runs 200]

Creates a database of its own (dropped at the end; with no GPCLOUD_DB, SQLite in a temporary
folder) with N experts all in the searched specialty and region (the worst case: the whole pool
is a candidate), 30 bidders with ~1% of the experts related to one of them, some on leave, some
banned and a history of recent draws (rotation). Reports p50 / p95 of:

- draw: what a draw computes from the database: the eligible pool (one query), the active bans,
  the recusals against every bidder, the rotation counts, the weighted snapshot, its digest and
  the seats + backups picked (the 7 member rows written afterwards are not included);
- baseline: a bare SELECT of the active experts' ids (the eligible set with no conditions);
- the registry's pool query alone (specialty, region, leave, status), to tell the database's
  share from the rest (bans, recusals, rotation, weights, digest, picks).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from gpcloud.core import clock
from tests.bench.bench_registries import configure, drop, percentile


async def setup(n: int, bidders: int, rng: random.Random) -> tuple[list[str], list[str]]:
    from gpcloud.core.auth.tables import Organisation
    from gpcloud.core.db import bulk_insert, transaction
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.core.validation import uscc_check_char
    from gpcloud.credit.tables import CreditRecord
    from gpcloud.evaluation.tables import DrawMember, EvaluationCommittee, ExpertDraw
    from gpcloud.registries.experts.tables import (
        Expert,
        ExpertAvoidance,
        ExpertLeave,
        ExpertRegion,
        ExpertSpecialty,
    )

    with all_tenants("bench"):
        async with transaction():
            ids = await bulk_insert(
                Expert,
                [
                    {
                        "name": f"专家{i}",
                        "id_number_digest": hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
                        "id_number_masked": "4414**********0000",
                        "id_number_cipher": "-",
                        "birth_date": date(1970, 1, 1),
                        "gender": "male",
                        "title_level": "senior",
                        "status": "active",
                    }
                    for i in range(n)
                ],
            )
            await bulk_insert(
                ExpertSpecialty,
                [{"expert": e, "category_code": "A020101", "primary": True} for e in ids],
                returning=False,
            )
            await bulk_insert(
                ExpertRegion, [{"expert": e, "region": "441400"} for e in ids], returning=False
            )
            usccs = []
            for b in range(bidders):
                head = f"91440100MA5B{b:05d}"[:17]
                usccs.append(head + uscc_check_char(head))
            names = [f"投标供应商{b}有限公司" for b in range(bidders)]
            await bulk_insert(
                Organisation,
                [
                    {"name": nm, "kind": "supplier", "uscc": u, "region": "440100"}
                    for nm, u in zip(names, usccs, strict=True)
                ],
                returning=False,
            )
            related = rng.sample(ids, n // 100)
            await bulk_insert(
                ExpertAvoidance,
                [
                    {
                        "expert": e,
                        "organisation_name": names[i % bidders],
                        "organisation_uscc": usccs[i % bidders],
                        "relation": "employer",
                        "start_date": date(2024, 1, 1),
                    }
                    for i, e in enumerate(related)
                ],
                returning=False,
            )
            await bulk_insert(
                ExpertLeave,
                [
                    {"expert": e, "start_date": date(2026, 10, 1), "end_date": date(2026, 10, 31)}
                    for e in rng.sample(ids, n // 50)
                ],
                returning=False,
            )
            await bulk_insert(
                CreditRecord,
                [
                    {
                        "subject_kind": "expert",
                        "expert": e,
                        "subject_name": "专家",
                        "kind": "blacklist",
                        "bars": True,
                        "source": "supervisor_decision",
                        "starts_on": date(2026, 1, 1),
                        "region": "441400",
                        "evidence": [],
                    }
                    for e in rng.sample(ids, 20)
                ],
                returning=False,
            )
            # recent draws: one committee with 2,000 past invitations (rotation counts)
            project = await _project()
            committee = await bulk_insert(
                EvaluationCommittee,
                [
                    {
                        "tenant_id": "441400",
                        "project": project,
                        "agency_organisation": (await Organisation.select().first())["id"],
                        "method": "open_tender",
                        "members": 5,
                        "expert_seats": 5,
                        "region": "441400",
                        "evaluation_at": datetime(2026, 9, 1, tzinfo=UTC),
                        "backups": 0,
                    }
                ],
            )
            draw = await bulk_insert(
                ExpertDraw,
                [
                    {
                        "tenant_id": "441400",
                        "committee": committee[0],
                        "draw_type": "review",
                        "seed": "00" * 32,
                        "seed_hash": "11" * 32,
                        "committed_at": datetime(2026, 9, 1, tzinfo=UTC),
                    }
                ],
            )
            await bulk_insert(
                DrawMember,
                [
                    {
                        "tenant_id": "441400",
                        "committee": committee[0],
                        "draw": draw[0],
                        "expert": e,
                        "position": i + 1,
                        "status": "confirmed",
                        # Recent to the clock the draw's rotation reads (eligibility.py), so
                        # the rotation is measured whatever the day.
                        "invited_at": clock.now() - timedelta(days=10),
                    }
                    for i, e in enumerate(rng.sample(ids, 2000))
                ],
                returning=False,
            )
    return usccs, names


def settings_is_postgres() -> bool:
    from gpcloud.settings import get_settings

    return get_settings().is_postgres


async def vacuum() -> None:
    import asyncpg

    from gpcloud.settings import get_settings

    conn = await asyncpg.connect(get_settings().db)
    try:
        for table in ("expert", "expert_specialty", "expert_region", "expert_leave"):
            await conn.execute(f'VACUUM ANALYZE "{table}"')
    finally:
        await conn.close()


async def _project() -> int:
    from tests.tenancy.rows import make_project

    return await make_project("441400")


async def measure(n: int, bidders: int, runs: int) -> None:
    from gpcloud.core.db import refresh_statistics
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.evaluation import algorithm
    from gpcloud.evaluation.service import eligibility
    from gpcloud.evaluation.settings import draw_settings
    from gpcloud.registries.experts.service import pool
    from gpcloud.registries.experts.tables import Expert

    rng = random.Random(7)
    t0 = time.perf_counter()
    usccs, names = await setup(n, bidders, rng)
    print(f"setup: {n} experts, {bidders} bidders in {time.perf_counter() - t0:.1f} s")
    await refresh_statistics()
    if settings_is_postgres():
        await vacuum()  # as autovacuum would have by then: index-only scans see all-visible pages
    found = eligibility.Bidders(usccs, names)
    day = date(2026, 10, 13)
    with all_tenants("bench"):
        settings = await draw_settings("441400")
        draw_ms, base_ms, pool_ms, cpu_ms = [], [], [], []
        codes = sorted({c for c in pool.category_codes("A020101")})
        regions = await pool.region_codes("441400")
        eligible = 0
        for i in range(runs):
            t, c = time.perf_counter(), time.process_time()
            snap = await eligibility.snapshot(["A020101"], "441400", day, found, settings)
            hashlib.sha256(algorithm.snapshot_text(snap.pairs).encode()).hexdigest()
            algorithm.draw(f"{i:064x}", i + 1, snap.pairs, 7)
            draw_ms.append((time.perf_counter() - t) * 1000)
            cpu_ms.append((time.process_time() - c) * 1000)
            eligible = len(snap.pairs)
            t = time.perf_counter()
            rows = await Expert.select(Expert.id).where(Expert.status == "active")
            base_ms.append((time.perf_counter() - t) * 1000)
            assert len(rows) == n
            t = time.perf_counter()
            await pool.eligible(codes, regions, day)
            pool_ms.append((time.perf_counter() - t) * 1000)
    d95, b95 = percentile(draw_ms, 0.95), percentile(base_ms, 0.95)
    print(f"eligible after exclusions: {eligible} of {n} ({snap.excluded})")
    print(
        f"draw:     p50 {statistics.median(draw_ms):7.1f} ms  p95 {d95:7.1f} ms  (target p95 < 50)"
    )
    print(
        f"draw CPU: p50 {statistics.median(cpu_ms):7.1f} ms  p95 {percentile(cpu_ms, 0.95):7.1f} ms"
        "  (this process only: what a loaded machine's other work does not inflate)"
    )
    print(f"baseline: p50 {statistics.median(base_ms):7.1f} ms  p95 {b95:7.1f} ms")
    print(
        f"pool query alone: p50 {statistics.median(pool_ms):7.1f} ms  "
        f"p95 {percentile(pool_ms, 0.95):7.1f} ms  (the registry's eligible set, one query)"
    )
    print(f"ratio p95 draw / baseline: {d95 / b95:.1f}x")


async def main(n: int, bidders: int, runs: int) -> None:
    from gpcloud.core.db import close_pool, open_pool
    from gpcloud.core.migrations import migrate
    from gpcloud.core.tenancy.files import apply_tenant_files
    from gpcloud.settings import get_settings

    await migrate()
    settings = get_settings()
    await open_pool(settings.db_pool_min, settings.db_pool_max)
    await apply_tenant_files(settings.tenants_dir)
    print(f"expert draw benchmark on {'PostgreSQL' if settings.is_postgres else 'SQLite'}")
    try:
        await measure(n, bidders, runs)
    finally:
        await close_pool()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--experts", type=int, default=20000)
    parser.add_argument("--bidders", type=int, default=30)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    admin = configure()
    try:
        asyncio.run(main(args.experts, args.bidders, args.runs))
    finally:
        drop(admin)
