"""The portal at province volume: legacy migration speed, then list, filter and full-text
search latency over the migrated notices.

    GPCLOUD_DB=postgresql://postgres@127.0.0.1:5432/postgres \\
        uv run python -m tests.bench.bench_portal [--notices 1000000] [--queries 200]

Creates a database of its own on that server (dropped at the end; without GPCLOUD_DB: SQLite in
a temporary folder), writes JSON Lines files of synthetic notices across Guangdong's cities and
Meizhou's counties (2015-2020, every kind), migrates them as the legacy migration does (one batch
per year and kind), and reports records/s and p50 / p95 of typical portal queries.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.bench import generate as gen
from tests.bench.bench_registries import configure, drop, percentile

KINDS = ("intention", "plan", "tender", "correction", "result", "contract", "acceptance")
YEARS = range(2015, 2021)
ITEMS = [
    "多媒体教室设备",
    "彩超设备",
    "道路养护服务",
    "物业管理服务",
    "办公家具",
    "服务器及存储",
    "校服",
    "消防车",
    "垃圾转运设备",
    "图书",
    "实验室仪器",
    "食堂食材配送",
    "安防监控系统",
    "教学一体机",
    "网络安全服务",
    "医用耗材",
    "绿化养护",
    "学生课桌椅",
    "空调设备",
    "审计服务",
]
UNITS = [
    "第一中学",
    "人民医院",
    "交通运输局",
    "教育局",
    "中心血站",
    "妇幼保健院",
    "实验小学",
    "城市管理局",
    "卫生健康局",
    "职业技术学校",
]
SUFFIX = {
    "intention": "采购意向",
    "plan": "采购计划",
    "tender": "采购项目招标公告",
    "correction": "采购项目更正公告",
    "result": "采购项目中标结果公告",
    "contract": "采购合同公告",
    "acceptance": "采购项目验收报告",
}
METHODS = ["open_tender", "competitive_consultation", "request_for_quotation", "single_source"]


def write_files(folder: Path, total: int) -> dict[tuple[int, str], Path]:
    rng = random.Random("portal")
    per_batch = max(1, total // (len(YEARS) * len(KINDS)))
    files, n = {}, 0
    names = {code: code for code in gen.REGIONS}
    for year in YEARS:
        for kind in KINDS:
            path = folder / f"{year}-{kind}.jsonl"
            with path.open("w", encoding="utf-8") as fh:
                for _ in range(per_batch):
                    n += 1
                    region = rng.choice(gen.REGIONS)
                    item, unit = rng.choice(ITEMS), rng.choice(UNITS)
                    word = rng.choice(gen.WORDS)
                    amount = rng.randrange(10_000, 20_000_000)
                    record = {
                        "legacy_id": f"B{n}",
                        "kind": kind,
                        "region_code": names[region],
                        "title": f"{word}市{unit}{item}{SUFFIX[kind]}",
                        "body": f"{word}市{unit}{item}项目，预算金额{amount}元，采购需求详见附件。"
                        f"联系人：采购办公室。{rng.choice(ITEMS)}相关服务。",
                        "published_on": f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                        "project_code": f"{year}-{region}-{n // 7}",
                        "method": rng.choice(METHODS),
                        "purchaser_name": f"{word}市{unit}",
                        "amount": f"{amount}.00",
                    }
                    fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            files[year, kind] = path
    return files


async def migrate_all(files: dict[tuple[int, str], Path]) -> tuple[int, float]:
    from gpcloud.core.db import refresh_statistics, transaction
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.portal import legacy
    from gpcloud.portal.tables import LegacyBatch

    created, start = 0, time.perf_counter()
    for (year, kind), path in files.items():
        with all_tenants("bench"):
            async with transaction():
                batch = LegacyBatch(
                    year=year, kind=kind, source_format="jsonl", path=str(path), region="440000"
                )
                await batch.save()
            done = await legacy.run(batch.id, path.parent / f"out-{batch.id}")
        created += done["created"]
        await refresh_statistics()
    return created, time.perf_counter() - start


async def latency(count: int) -> None:
    from gpcloud.portal import service

    rng = random.Random("queries")
    cases = {
        "latest 20 of a kind in a city subtree": lambda: service.NoticeFilter(
            region=rng.choice(gen.CITIES), kinds=(rng.choice(KINDS),)
        ),
        "latest 20 in a county": lambda: service.NoticeFilter(region=rng.choice(gen.MEIZHOU[1:])),
        "method + amount range in a city": lambda: service.NoticeFilter(
            region=rng.choice(gen.CITIES),
            method=rng.choice(METHODS),
            min_amount_fen=100_000_000,
            max_amount_fen=500_000_000,
        ),
        "kind + year, province-wide": lambda: service.NoticeFilter(
            kinds=(rng.choice(KINDS),),
            published_from=__import__("datetime").date(rng.choice(YEARS), 1, 1),
            published_to=__import__("datetime").date(rng.choice(YEARS), 12, 31),
        ),
        "search one word, province-wide": lambda: service.NoticeFilter(search=rng.choice(ITEMS)),
        "search two words in a city": lambda: service.NoticeFilter(
            region=rng.choice(gen.CITIES), search=f"{rng.choice(UNITS)} {rng.choice(ITEMS)}"
        ),
        "search a place name, province-wide": lambda: service.NoticeFilter(
            search=rng.choice(gen.WORDS)
        ),
        "search a rare word": lambda: service.NoticeFilter(
            search=f"{rng.choice(gen.WORDS)}市审计服务验收"
        ),
    }
    print(f"queries ({count} each, first page of 20; ms)")
    for name, make in cases.items():
        await service.find(make(), 20, None)
        samples = []
        for _ in range(count):
            flt = make()
            start = time.perf_counter()
            await service.find(flt, 20, None)
            samples.append((time.perf_counter() - start) * 1000)
        p95 = percentile(samples, 0.95)
        flag = "" if p95 < 50 else "   over the 50 ms target"
        print(f"  {name:<40} p50 {statistics.median(samples):6.1f}   p95 {p95:6.1f}{flag}")


async def run(total: int, queries: int, fill: bool = True) -> None:
    from gpcloud.core.db import close_pool, open_pool
    from gpcloud.core.migrations import migrate
    from gpcloud.core.redis import stop_embedded
    from gpcloud.core.tenancy.files import apply_tenant_files
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.settings import get_settings

    settings = get_settings()
    try:
        await migrate()
        await open_pool(2, 8)
        with all_tenants("bench"):
            await apply_tenant_files(settings.tenants_dir)
        engine = "PostgreSQL" if settings.is_postgres else "SQLite"
        print(f"gpcloud portal benchmark on {engine}")
        if fill:
            files = write_files(Path(tempfile.mkdtemp(prefix="gpcloud-bench-portal-")), total)
            created, seconds = await migrate_all(files)
            print(
                f"legacy migration: {created} notices in {seconds:.0f} s = {created / seconds:,.0f}/s"
            )
        await latency(queries)
    finally:
        await close_pool()
        stop_embedded()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    parser.add_argument(
        "--reuse", metavar="URL", help="query a database kept by --keep (migrated first)"
    )
    args = parser.parse_args()
    if args.reuse:
        os.environ["GPCLOUD_DB"] = args.reuse
    admin_url = None if args.reuse else configure()
    try:
        asyncio.run(run(args.notices, args.queries, fill=not args.reuse))
    finally:
        if args.keep or args.reuse:
            print(f"kept: {os.environ.get('GPCLOUD_DB', 'SQLite under GPCLOUD_VAR')}")
        else:
            drop(admin_url)
    sys.exit(0)
