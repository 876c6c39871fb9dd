"""Registry imports and searches at province volume, against baselines measured in the same run.

    GPCLOUD_DB=postgresql://postgres@127.0.0.1:5432/postgres \\
        uv run python -m tests.bench.bench_registries [--scale 1.0] [--searches 200] \\
        [--only suppliers,goods_listings] [--no-staging]

Creates a database of its own on that server (dropped at the end; with no GPCLOUD_DB it uses
SQLite in a temporary folder), generates files with 50k purchasers, 200k suppliers, 10k agencies,
20k experts and 500k goods listings (times --scale), and reports:

- imports: rows/s of `gpcloud import` (validation, lookups, upserts, audit) against a raw bulk
  insert of the same records in the same run: executemany INSERT and COPY into temporary copies
  of the same tables with the same indexes (no WAL, no foreign keys: the ceiling), COPY into
  logged copies (WAL, still no foreign keys), and the target: COPY of the rows the import wrote
  (its ids, so every reference finds its parent) into logged copies with the same indexes and
  the same foreign keys (PostgreSQL; the import checks its references, so must the baseline);
  with the CPU seconds of the import (Python and PostgreSQL) and of that baseline, which another
  session's load on the machine changes less than the wall time;
- --only names the registries to report (suppliers and goods are imported regardless: the
  listings need them); --no-staging imports through apply_batch alone, as before issue 20;
- searches: p50 / p95 latency of typical filters through the registries' search services.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from tests.bench import generate as gen

RUN = uuid.uuid4().hex[:8]


def configure(pool_max: int | None = None) -> str | None:
    """A throwaway deployment for a benchmark (its own var/, Redis namespace and, with
    GPCLOUD_DB, database); returns the admin URL to drop the database with."""
    os.environ["GPCLOUD_VAR"] = tempfile.mkdtemp(prefix="gpcloud-bench-")
    os.environ["GPCLOUD_REDIS_NAMESPACE"] = f"gpcloud-bench-{RUN}"
    if pool_max:
        os.environ["GPCLOUD_DB_POOL_MAX"] = str(pool_max)
    admin_url = os.environ.get("GPCLOUD_DB", "")
    if not admin_url.startswith("postgres"):
        os.environ.pop("GPCLOUD_DB", None)
        return None
    from urllib.parse import urlsplit, urlunsplit

    import asyncpg

    async def create() -> None:
        conn = await asyncpg.connect(admin_url)
        await conn.execute(f'CREATE DATABASE "gpcloud_bench_{RUN}"')
        await conn.close()

    asyncio.run(create())
    os.environ["GPCLOUD_DB"] = urlunsplit(
        urlsplit(admin_url)._replace(path=f"/gpcloud_bench_{RUN}")
    )
    return admin_url


def drop(admin_url: str | None) -> None:
    if admin_url is None:
        return
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(admin_url)
        await conn.execute(f'DROP DATABASE IF EXISTS "gpcloud_bench_{RUN}" WITH (FORCE)')
        await conn.close()

    asyncio.run(run())


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def baseline(
    rows_by_table: dict[str, list[tuple]], copy: bool, logged: bool = False
) -> float:
    """Seconds to insert these records into copies of the tables (same columns and indexes):
    PostgreSQL COPY (the ceiling) or an executemany INSERT (what a plain loader script does);
    `logged`: COPY into regular tables (WAL and shared buffers, as the real tables have)."""
    from gpcloud.core.db import is_sqlite, transaction
    from gpcloud.piccolo_conf import DB

    start = time.perf_counter()
    async with transaction():
        conn = DB.current_transaction.get().connection
        for table, rows in rows_by_table.items():
            target = f"bench_{table}"
            columns = list(rows[0][0]) if rows else []
            quoted = ", ".join(f'"{c}"' for c in columns)
            values = [r[1] for r in rows]
            if is_sqlite():
                await conn.execute(f"DROP TABLE IF EXISTS temp.{target}")
                await conn.execute(f'CREATE TEMP TABLE {target} AS SELECT * FROM "{table}" WHERE 0')
                marks = ", ".join("?" * len(columns))
                await conn.executemany(f"INSERT INTO {target} ({quoted}) VALUES ({marks})", values)
                continue
            if logged:
                target = f"bench_logged_{table}"
                await conn.execute(f'CREATE TABLE {target} (LIKE "{table}" INCLUDING ALL)')
            else:
                await conn.execute(
                    f'CREATE TEMP TABLE {target} (LIKE "{table}" INCLUDING ALL) ON COMMIT DROP'
                )
            if copy:
                await conn.copy_records_to_table(target, records=values, columns=columns)
            else:
                marks = ", ".join(f"${i + 1}" for i in range(len(columns)))
                await conn.executemany(f"INSERT INTO {target} ({quoted}) VALUES ({marks})", values)
    seconds = time.perf_counter() - start
    if logged and not is_sqlite():
        for table in rows_by_table:
            await DB.run_ddl(f"DROP TABLE IF EXISTS bench_logged_{table}")
    return seconds


async def high_ids(tables) -> dict[str, int]:
    """Each table's highest id: the rows an import writes are those above it."""
    from gpcloud.piccolo_conf import DB

    return {t: (await DB.run_ddl(f'SELECT max(id) AS m FROM "{t}"'))[0]["m"] or 0 for t in tables}


async def written(base: dict[str, list[tuple]], before: dict[str, int]) -> dict[str, list[tuple]]:
    """The rows the import wrote, in the baseline's columns: the real ids its references carry
    (the generated records number their parents 1, 2, ..., which need not exist)."""
    from gpcloud.piccolo_conf import DB

    out = {}
    for table, rows in base.items():
        columns = list(rows[0][0]) if rows else []
        quoted = ", ".join(f'"{c}"' for c in columns)
        found = await DB.run_ddl(
            f'SELECT {quoted} FROM "{table}" WHERE id > {before[table]} ORDER BY id'
        )
        out[table] = [(tuple(columns), tuple(r[c] for c in columns)) for r in found]
    return out


async def foreign_keys(conn, table: str) -> list[str]:
    """The definitions of a table's foreign keys, as pg_get_constraintdef writes them."""
    found = await conn.fetch(
        "SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint"
        " WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname",
        table,
    )
    return [r["d"] for r in found]


async def baseline_with_keys(rows_by_table: dict[str, list[tuple]]) -> float:
    """Seconds to COPY these rows into logged copies of the tables with the same indexes and
    the same foreign keys (referencing the same parent tables): what the issue's "raw COPY of
    the same rows into the same tables" costs once PostgreSQL checks references as it does for
    the import. The copies are checked to have every foreign key of their table."""
    from gpcloud.core.db import transaction
    from gpcloud.piccolo_conf import DB

    start = time.perf_counter()
    async with transaction():
        conn = DB.current_transaction.get().connection
        for table, rows in rows_by_table.items():
            target = f"bench_fk_{table}"
            await conn.execute(f'CREATE TABLE {target} (LIKE "{table}" INCLUDING ALL)')
            keys = await foreign_keys(conn, table)
            for i, definition in enumerate(keys):
                await conn.execute(
                    f"ALTER TABLE {target} ADD CONSTRAINT {target}_fk{i} {definition}"
                )
            copied = await foreign_keys(conn, target)
            assert sorted(copied) == sorted(keys), (table, keys, copied)
            if rows:
                columns = list(rows[0][0])
                values = [r[1] for r in rows]
                await conn.copy_records_to_table(target, records=values, columns=columns)
    seconds = time.perf_counter() - start
    for table in rows_by_table:
        await DB.run_ddl(f"DROP TABLE IF EXISTS bench_fk_{table}")
    return seconds


async def cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by this process and by each PostgreSQL backend of the bench's
    database (Linux /proc; {} elsewhere): what an import costs whatever else runs on the
    machine, which wall time under another session's load does not tell."""
    from gpcloud.piccolo_conf import DB

    rows = await DB.run_ddl(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        " AND backend_type = 'client backend'"
    )
    return _cpu([row["pid"] for row in rows])


def _cpu(pids: list[int]) -> dict[str, float]:
    tick = os.sysconf("SC_CLK_TCK")
    used = {"python": time.process_time()}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return {}
        used[str(pid)] = (int(fields[11]) + int(fields[12])) / tick
    return used


def cpu_since(start: dict[str, float], end: dict[str, float]) -> tuple[float, float]:
    """(this process, PostgreSQL backends) CPU seconds between two cpu_seconds()."""
    if not start or not end:
        return (float("nan"), float("nan"))
    server = sum(v - start.get(k, 0.0) for k, v in end.items() if k != "python")
    return end["python"] - start["python"], server


def records(path: Path, make) -> list[tuple]:
    import csv

    with path.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return [make(i, row) for i, row in enumerate(reader, 1)]


STAGING = True


async def import_file(registry: str, path: Path, tenant: str) -> tuple[int, float, dict]:
    from dataclasses import replace

    from gpcloud.core.imports.runner import get_spec, run_import
    from gpcloud.core.tenancy.scope import use_scope
    from gpcloud.core.tenancy.service import tenant_tree

    with use_scope((await tenant_tree()).scope_for(tenant)):
        start = time.perf_counter()
        spec = get_spec(registry) if STAGING else replace(get_spec(registry), bulk=None)
        summary = await run_import(spec, path, tenant, path.parent / f"out-{registry}-{tenant}")
        return summary.rows, time.perf_counter() - start, summary.counts


def child_records(path: Path, make) -> list[tuple]:
    """Several records per file row (e.g. the regions a listing serves)."""
    import csv

    with path.open(encoding="utf-8") as fh:
        return [record for i, row in enumerate(csv.DictReader(fh), 1) for record in make(i, row)]


def org(kind: str):
    return lambda i, r: (
        ("name", "kind", "region", "uscc"),
        (r["name"], kind, r.get("region_code", "440000"), r["uscc"]),
    )


async def main(scale: float, searches: int, only: set[str] | None = None) -> None:
    try:
        await run(scale, searches, only)
    finally:
        from gpcloud.core.db import close_pool
        from gpcloud.core.redis import stop_embedded

        await close_pool()
        stop_embedded()


async def run(scale: float, searches: int, only: set[str] | None = None) -> None:
    from gpcloud.core.db import open_pool
    from gpcloud.core.migrations import migrate
    from gpcloud.core.tenancy.files import apply_tenant_files
    from gpcloud.settings import PROJECT_ROOT, get_settings

    settings = get_settings()
    engine = "PostgreSQL" if settings.is_postgres else "SQLite"
    await migrate()
    await open_pool(2, 8)
    await apply_tenant_files(settings.tenants_dir)
    folder = Path(tempfile.mkdtemp(prefix="gpcloud-bench-files-"))
    n = lambda count: max(1, int(count * scale))  # noqa: E731
    print(
        f"gpcloud registry benchmark on {engine}, scale {scale}, "
        f"{'staging table' if STAGING and settings.is_postgres else 'apply_batch alone'}"
    )

    # Reference data the others need: the catalogue and goods items.
    catalogue = PROJECT_ROOT / "platform/gpcloud/registries/goods/catalogue.csv"
    await import_file("goods_categories", catalogue, "440000")
    import csv

    with catalogue.open(encoding="utf-8") as fh:
        leaves = [r["code"] for r in csv.DictReader(fh) if len(r["code"]) >= 5]

    async def measure(
        registry: str, files: list[tuple[Path, str]], base: dict[str, list[tuple]]
    ) -> None:
        if only is not None and registry not in only and registry not in ("suppliers", "goods"):
            return
        rows = seconds = 0
        counts: dict[str, int] = {}
        before = await high_ids(base) if settings.is_postgres else {}
        started = await cpu_seconds() if settings.is_postgres else {}
        for path, tenant in files:
            r, s, c = await import_file(registry, path, tenant)
            rows, seconds = rows + r, seconds + s
            for k, v in c.items():
                counts[k] = counts.get(k, 0) + v
        used = cpu_since(started, await cpu_seconds()) if settings.is_postgres else None
        if only is not None and registry not in only:
            return
        copy = await baseline(base, copy=True)
        insert = await baseline(base, copy=False)
        logged = await baseline(base, copy=True, logged=True)
        target = ""
        if settings.is_postgres:
            rows_written = await written(base, before)
            started = await cpu_seconds()
            keyed = await baseline_with_keys(rows_written)
            server = cpu_since(started, await cpu_seconds())[1]
            target = f"COPY with FKs {rows / keyed:>7.0f}/s ({keyed / seconds:4.2f}x)   "
            cpu = (
                f"    CPU s: import {used[0]:.1f} Python + {used[1]:.1f} PostgreSQL, "
                f"COPY with FKs {server:.1f} PostgreSQL ({server / (used[0] + used[1]):4.2f}x of "
                f"the import's total, {server / used[1]:4.2f}x of its PostgreSQL)"
            )
        print(
            f"  {registry:<14} {rows:>7} rows  import {rows / seconds:>7.0f}/s   "
            f"executemany INSERT {rows / insert:>7.0f}/s ({insert / seconds:4.2f}x)   "
            f"COPY {rows / copy:>7.0f}/s ({copy / seconds:4.2f}x)   "
            f"COPY logged {rows / logged:>7.0f}/s ({logged / seconds:4.2f}x)   "
            f"{target}{counts}"
        )
        if settings.is_postgres:
            print(cpu)

    print(
        "imports (rows/s; (x) = import speed as a fraction of that raw bulk insert of the same records;"
        " the target is COPY with FKs)"
    )
    per_city = n(50_000) // len(gen.CITIES)
    files = [
        (gen.purchasers(folder, city, per_city, i * per_city), city)
        for i, city in enumerate(gen.CITIES)
    ]
    base = {"organisation": [], "purchaser": []}
    for path, city in files:
        for columns, values in records(path, org("purchaser")):
            base["organisation"].append((columns, (*values[:2], city, values[3])))
        offset = len(base["purchaser"])
        base["purchaser"] += records(
            path,
            lambda i, r, c=city, o=offset: (
                ("tenant_id", "organisation", "budget_unit_code"),
                (c, o + i, r["budget_unit_code"]),
            ),
        )
    await measure("purchasers", files, base)

    suppliers_file = gen.suppliers(folder, n(200_000))
    await measure(
        "suppliers",
        [(suppliers_file, "440000")],
        {
            "organisation": records(suppliers_file, org("supplier")),
            "supplier": records(
                suppliers_file,
                lambda i, r: (
                    ("organisation", "size_class", "status"),
                    (i, r["size_class"], "active"),
                ),
            ),
        },
    )

    agencies_file = gen.agencies(folder, n(10_000))
    await measure(
        "agencies",
        [(agencies_file, "440000")],
        {
            "organisation": records(agencies_file, org("agency")),
            "agency": records(
                agencies_file,
                lambda i, r: (
                    ("organisation", "status", "contact_name", "contact_phone"),
                    (i, "approved", r["contact_name"], r["contact_phone"]),
                ),
            ),
            "agency_tenant": child_records(
                agencies_file,
                lambda i, r: [
                    (("agency", "tenant"), (i, code)) for code in r["tenants"].split(";")
                ],
            ),
        },
    )

    experts_file = gen.experts(folder, n(20_000), leaves)
    await measure(
        "experts",
        [(experts_file, "440000")],
        {
            "expert": records(
                experts_file,
                lambda i, r: (
                    (
                        "name",
                        "id_number_digest",
                        "id_number_masked",
                        "id_number_cipher",
                        "birth_date",
                        "gender",
                        "title_level",
                        "years_of_experience",
                    ),
                    (
                        r["name"],
                        r["id_number"] + "x" * 46,
                        r["id_number"],
                        r["id_number"],
                        date(1970, 1, 1),
                        "m",
                        r["title_level"],
                        int(r["years_of_experience"]),
                    ),
                ),
            ),
            "expert_specialty": child_records(
                experts_file,
                lambda i, r: [
                    (("expert", "category_code", "primary"), (i, code, j == 0))
                    for j, code in enumerate(r["specialties"].split(";"))
                ],
            ),
            "expert_region": child_records(
                experts_file,
                lambda i, r: [
                    (("expert", "region"), (i, code)) for code in r["regions"].split(";")
                ],
            ),
        },
    )

    goods_file = gen.goods(folder, n(20_000), leaves)
    await measure(
        "goods",
        [(goods_file, "440000")],
        {
            "goods_item": records(
                goods_file,
                lambda i, r: (
                    ("code", "category", "name", "unit", "reference_price", "specs"),
                    (
                        r["code"],
                        r["category_code"],
                        r["name"],
                        r["unit"],
                        r["reference_price"],
                        "{}",
                    ),
                ),
            ),
        },
    )

    with suppliers_file.open(encoding="utf-8") as fh:
        usccs = [r["uscc"] for r in csv.DictReader(fh)]
    with goods_file.open(encoding="utf-8") as fh:
        goods = [(r["code"], int(r["reference_price"].split(".")[0])) for r in csv.DictReader(fh)]
    listings_file = gen.listings(folder, n(500_000), usccs[: max(1, n(500_000) // 25)], goods)
    await measure(
        "goods_listings",
        [(listings_file, "440000")],
        {
            "goods_listing": records(
                listings_file,
                lambda i, r: (
                    ("organisation", "goods_item", "price", "stock", "status"),
                    (i, 1, r["price"], int(r["stock"]), "active"),
                ),
            ),
            "goods_listing_region": child_records(
                listings_file,
                lambda i, r: [
                    (("listing", "region"), (i, code)) for code in r["regions"].split(";")
                ],
            ),
        },
    )
    if searches:
        await search_latency(searches, leaves)


async def search_latency(count: int, leaves: list[str]) -> None:
    from decimal import Decimal

    from gpcloud.core.auth.service import CurrentUser
    from gpcloud.core.tenancy.scope import use_scope
    from gpcloud.core.tenancy.service import tenant_tree
    from gpcloud.registries.agencies.service import reads as agencies
    from gpcloud.registries.experts import service as experts
    from gpcloud.registries.goods.service import search as goods
    from gpcloud.registries.purchasers import service as purchasers
    from gpcloud.registries.suppliers.service import search as suppliers

    rng = random.Random("searches")
    actor = CurrentUser(0, "bench", "440000", 0, frozenset({"province_admin"}), False, (), None)
    cities = gen.CITIES
    cases = {
        "purchasers: name contains, city subtree": lambda: purchasers.search(
            actor,
            purchasers.PurchaserFilter(
                tenant=rng.choice(cities), search=f"中学{rng.randrange(50_000)}"
            ),
            20,
            None,
        ),
        "purchasers: a city's units, first page": lambda: purchasers.search(
            actor, purchasers.PurchaserFilter(tenant=rng.choice(cities)), 20, None
        ),
        "suppliers: name contains": lambda: suppliers.search(
            suppliers.SupplierFilter(name=rng.choice(gen.WORDS) + rng.choice(gen.TRADES)), 20, None
        ),
        "suppliers: size class + region subtree": lambda: suppliers.search(
            suppliers.SupplierFilter(
                size_class=rng.choice(["small", "micro"]), region=rng.choice(cities)
            ),
            20,
            None,
        ),
        "suppliers: exact credit code": lambda: suppliers.search(
            suppliers.SupplierFilter(
                uscc=gen.uscc("91", rng.choice(gen.REGIONS), rng.randrange(1000))
            ),
            20,
            None,
        ),
        "agencies: working in a city": lambda: agencies.search(
            actor, agencies.AgencyFilter(works_in=rng.choice(gen.MEIZHOU)), 20, None
        ),
        "experts: specialty + region + available": lambda: experts.search(
            actor,
            experts.ExpertFilter(
                category=rng.choice(leaves),
                region=rng.choice(gen.MEIZHOU),
                available_on=date.today() + timedelta(days=rng.randrange(60)),
            ),
            20,
            None,
        ),
        "goods: category subtree + name": lambda: goods.search_items(
            goods.GoodsItemFilter(
                category=rng.choice(leaves)[:5], search=f"商品{rng.randrange(1000)}"
            ),
            20,
            None,
        ),
        "listings: region + price range": lambda: goods.search_listings(
            goods.ListingFilter(
                region=rng.choice(gen.MEIZHOU), min_price=Decimal(1000), max_price=Decimal(5000)
            ),
            20,
            None,
        ),
        "listings: one goods item": lambda: goods.search_listings(
            goods.ListingFilter(goods_item_id=rng.randrange(1, 1000)), 20, None
        ),
    }
    print(f"searches ({count} each, first page of 20; ms)")
    with use_scope((await tenant_tree()).scope_for("440000")):
        for name, query in cases.items():
            await query()
            samples = []
            for _ in range(count):
                start = time.perf_counter()
                await query()
                samples.append((time.perf_counter() - start) * 1000)
            p95 = percentile(samples, 0.95)
            flag = "" if p95 < 50 else "   over the 50 ms target"
            print(f"  {name:<42} p50 {statistics.median(samples):6.1f}   p95 {p95:6.1f}{flag}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--only", help="registries to report, comma-separated")
    parser.add_argument("--no-staging", action="store_true")
    args = parser.parse_args()
    STAGING = not args.no_staging
    admin_url = configure()
    try:
        asyncio.run(
            main(args.scale, args.searches, set(args.only.split(",")) if args.only else None)
        )
    finally:
        drop(admin_url)
    sys.exit(0)
