"""Where an import's seconds go: cProfile of the Python side and wall time of each phase of a
batch, for suppliers and goods listings on the bench_registries generator's files.

    GPCLOUD_DB=postgresql://postgres@127.0.0.1:5432/postgres \\
        uv run python -m tests.bench.profile_imports [--scale 0.25] [--out /tmp/prof]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import csv
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from tests.bench import bench_registries as bench
from tests.bench import generate as gen

PHASES: dict[str, float] = defaultdict(float)
CPROFILE = True  # --no-cprofile: wall times without the profiler's overhead
EXPLAIN: set[int] = set()  # the batches whose set statement is explained


class _Undo(Exception):
    pass


def timed(owner, name: str, label: str) -> None:
    original = getattr(owner, name)

    async def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            PHASES[label] += time.perf_counter() - start

    setattr(owner, name, wrapper)


def instrument() -> None:
    import asyncpg.connection

    from gpcloud.core.audit import service as audit
    from gpcloud.core.imports import runner, staging

    timed(runner, "_apply", "batch write (_apply, whole)")
    timed(staging.Stage, "write", "  Stage.write (screen, COPY, set statement)")
    from piccolo.engine.postgres import PostgresTransaction

    timed(asyncpg.connection.Connection, "copy_to_table", "    COPY")
    timed(asyncpg.connection.Connection, "execute", "    execute (SET, TRUNCATE)")
    timed(PostgresTransaction, "begin", "  BEGIN")
    timed(PostgresTransaction, "commit", "  COMMIT")
    timed(runner, "serialize_writes", "  serialize_writes")
    timed(asyncpg.connection.Connection, "fetchval", "    set statement (fetchval)")
    if EXPLAIN:
        fetchval = asyncpg.connection.Connection.fetchval
        seen: dict[str, int] = defaultdict(int)

        async def explained(self, query, *args, **kwargs):
            if "{stage}" not in query and "array_agg(n)" in query:
                seen[query] += 1
                if seen[query] in EXPLAIN:
                    async with self.transaction():  # a savepoint, rolled back
                        plan = await self.fetch("EXPLAIN (ANALYZE, BUFFERS) " + query)
                        print(f"-- batch {seen[query]}\n" + "\n".join(r[0] for r in plan))
                        raise _Undo
            return await fetchval(self, query, *args, **kwargs)

        async def guarded(self, query, *args, **kwargs):
            try:
                return await explained(self, query, *args, **kwargs)
            except _Undo:
                return await fetchval(self, query, *args, **kwargs)

        asyncpg.connection.Connection.fetchval = guarded
    timed(audit, "record", "  audit.record")
    timed(runner, "refresh_statistics", "refresh_statistics")
    for spec in runner.import_specs().values():
        if spec.registry in ("suppliers", "goods_listings"):
            object.__setattr__(spec, "apply_batch", _timed_fn(spec.apply_batch, "  apply_batch"))
            if spec.bulk and spec.bulk.screen:
                object.__setattr__(spec.bulk, "screen", _timed_fn(spec.bulk.screen, "    screen"))


def _timed_fn(fn, label):
    async def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            PHASES[label] += time.perf_counter() - start

    return wrapper


async def profiled(registry: str, path: Path, out: Path) -> None:
    PHASES.clear()
    profile = cProfile.Profile()
    if CPROFILE:
        profile.enable()
    start = time.perf_counter()
    rows, seconds, counts = await bench.import_file(registry, path, "440000")
    wall = time.perf_counter() - start
    if not CPROFILE:
        print(f"\n== {registry}: {rows} rows in {wall:.1f} s ({rows / wall:.0f}/s), no cProfile")
        for label, s in PHASES.items():
            print(f"  {label:<48} {s:7.2f} s  {100 * s / wall:5.1f}%")
        return
    profile.disable()
    profile.dump_stats(out / f"{registry}.prof")
    print(f"\n== {registry}: {rows} rows in {wall:.1f} s ({rows / wall:.0f}/s) {counts}")
    for label, s in PHASES.items():
        print(f"  {label:<48} {s:7.2f} s  {100 * s / wall:5.1f}%")
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(25)


async def run(scale: float, out: Path) -> None:
    from gpcloud.core.db import close_pool, open_pool
    from gpcloud.core.migrations import migrate
    from gpcloud.core.redis import stop_embedded
    from gpcloud.core.tenancy.files import apply_tenant_files
    from gpcloud.settings import PROJECT_ROOT, get_settings

    try:
        settings = get_settings()
        await migrate()
        await open_pool(2, 8)
        await apply_tenant_files(settings.tenants_dir)
        folder = Path(tempfile.mkdtemp(prefix="gpcloud-prof-"))
        n = lambda count: max(1, int(count * scale))  # noqa: E731
        catalogue = PROJECT_ROOT / "platform/gpcloud/registries/goods/catalogue.csv"
        await bench.import_file("goods_categories", catalogue, "440000")
        with catalogue.open(encoding="utf-8") as fh:
            leaves = [r["code"] for r in csv.DictReader(fh) if len(r["code"]) >= 5]
        instrument()
        suppliers = gen.suppliers(folder, n(200_000))
        await profiled("suppliers", suppliers, out)
        goods_file = gen.goods(folder, n(20_000), leaves)
        await bench.import_file("goods", goods_file, "440000")
        with suppliers.open(encoding="utf-8") as fh:
            usccs = [r["uscc"] for r in csv.DictReader(fh)]
        with goods_file.open(encoding="utf-8") as fh:
            goods = [
                (r["code"], int(r["reference_price"].split(".")[0])) for r in csv.DictReader(fh)
            ]
        listings = gen.listings(folder, n(500_000), usccs[: max(1, n(500_000) // 25)], goods)
        await profiled("goods_listings", listings, out)
    finally:
        await close_pool()
        stop_embedded()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--out", default="/tmp")
    parser.add_argument("--no-cprofile", action="store_true", help="phase wall times only")
    parser.add_argument("--explain", default="", help="EXPLAIN ANALYZE these batches (2,90)")
    args = parser.parse_args()
    CPROFILE = not args.no_cprofile
    EXPLAIN = {int(b) for b in args.explain.split(",") if b}
    Path(args.out).mkdir(parents=True, exist_ok=True)
    admin_url = bench.configure()
    try:
        asyncio.run(run(args.scale, Path(args.out)))
    finally:
        bench.drop(admin_url)
    sys.exit(0)
