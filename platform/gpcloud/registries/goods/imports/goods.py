"""The goods file (`goods`): items upserted by their provincial code."""

from __future__ import annotations

from datetime import UTC, datetime

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.db import any_of, bulk_insert
from gpcloud.core.imports import columns
from gpcloud.core.imports.spec import Column, ImportRow, ImportSpec, reason
from gpcloud.registries.goods.imports import columns as cells
from gpcloud.registries.goods.service import items, listings
from gpcloud.registries.goods.tables import Category, GoodsItem

GOODS_COLUMNS = (
    Column(
        "code",
        "商品编码",
        True,
        cells.goods_code,
        "GD-A02010104-000001",
        "the provincial goods code",
    ),
    Column(
        "category_code",
        "品目编码",
        True,
        cells.category_code,
        "A02010104",
        "an active catalogue category below goods/works/services",
    ),
    Column("name", "商品名称", True, columns.length(1, 128), "台式计算机（国产化办公型）"),
    Column("brand", "品牌", False, columns.length(1, 64), "示例品牌"),
    Column("model", "型号", False, columns.length(1, 64), "KD-D5000"),
    Column("unit", "计量单位", True, columns.length(1, 8), "台"),
    Column(
        "reference_price",
        "参考价",
        True,
        cells.price,
        "4999.00",
        "yuan; lowering it withdraws the listings priced above it",
    ),
    Column(
        "specs",
        "规格参数",
        False,
        cells.specs,
        "CPU=8核; 内存=16GB; 硬盘=512GB SSD",
        'name=value pairs separated by ";"; replaces the registered specifications',
    ),
    Column(
        "status",
        "状态",
        False,
        cells.ACTIVE_INACTIVE,
        "active",
        "active / inactive; inactive withdraws the item's listings",
    ),
    Column(
        "green_label",
        "节能环保标志",
        False,
        cells.GREEN_LABEL,
        "节能产品",
        "the certification it carries: energy_saving (节能产品), environmental (环境标志产品), "
        "both, or none; left empty keeps the registered one",
    ),
)


async def apply_goods(rows: list[ImportRow], tenant: str) -> None:
    codes = [r.values["code"] for r in rows]
    existing = {
        r["code"]: {**items.normalised(r), "specs": items.load_specs(r["specs"])}
        for r in await GoodsItem.select(*items.COLUMNS).where(any_of(GoodsItem.code, codes))
    }
    wanted = sorted({r.values["category_code"] for r in rows})
    found = {
        r["code"]: r
        for r in await Category.select(Category.code, Category.status, Category.level).where(
            any_of(Category.code, wanted)
        )
    }
    for row in rows:
        v, current = row.values, existing.get(row.values["code"])
        status = v["status"] or (current["status"] if current else "active")
        category = found.get(v["category_code"])
        if (
            current is not None
            and v["category_code"] == current["category"]
            and status == current["status"] == "inactive"
        ):
            pass
        elif category is None:
            row.reject(
                reason(
                    "UNKNOWN_CATEGORY",
                    f"{v['category_code']} is not in the procurement catalogue",
                    "category_code",
                )
            )
        elif category["status"] != "active":
            row.reject(
                reason("CATEGORY_INACTIVE", f"{v['category_code']} is inactive", "category_code")
            )
        elif category["level"] < 2:
            row.reject(
                reason(
                    "CATEGORY_TOO_HIGH",
                    "choose a category below goods, works or services",
                    "category_code",
                )
            )
        v["status"] = status

    new = [r for r in rows if r.ok and r.values["code"] not in existing]
    if new:
        await bulk_insert(
            GoodsItem,
            [
                {
                    "code": r.values["code"],
                    "category": r.values["category_code"],
                    "name": r.values["name"],
                    "brand": r.values["brand"] or "",
                    "model": r.values["model"] or "",
                    "specs": items.dump_specs(r.values["specs"] or {}),
                    "unit": r.values["unit"],
                    "reference_price": r.values["reference_price"],
                    "status": r.values["status"],
                    "green_label": r.values["green_label"] or "",
                }
                for r in new
            ],
            returning=False,
        )
        for row in new:
            row.outcome = "created"
    now = datetime.now(UTC)
    for row in rows:
        if not row.ok or row.outcome == "created":
            continue
        current = existing[row.values["code"]]
        compared = {**row.values, "category": row.values["category_code"]}
        changes = {
            k: compared[k]
            for k in (
                "category",
                "name",
                "brand",
                "model",
                "unit",
                "reference_price",
                "specs",
                "status",
                "green_label",
            )
            if compared[k] is not None and compared[k] != current[k]
        }
        if "specs" in changes:
            changes["specs"] = items.dump_specs(changes["specs"])
        if changes:
            await GoodsItem.update({**changes, "updated_at": now}).where(
                GoodsItem.id == current["id"]
            )
        row.outcome = "updated" if changes else "unchanged"
        if changes.get("status") == "inactive":
            await listings.withdraw_listings(current["id"], "goods item deactivated by import")
        elif (
            "reference_price" in changes and changes["reference_price"] < current["reference_price"]
        ):
            await listings.withdraw_listings(
                current["id"],
                f"reference price lowered to {changes['reference_price']}",
                above=changes["reference_price"],
            )


GOODS_SPEC = ImportSpec(
    registry="goods",
    title="商品库商品",
    columns=GOODS_COLUMNS,
    key="code",
    apply_batch=apply_goods,
    permission=Perm.GOODS_MANAGE,
    tenant_owned=False,
)
