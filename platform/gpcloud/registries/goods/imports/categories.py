"""The procurement catalogue file (`goods_categories`), parents before children."""

from __future__ import annotations

from datetime import UTC, datetime

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.db import any_of
from gpcloud.core.imports import columns
from gpcloud.core.imports.spec import Column, ImportRow, ImportSpec, reason
from gpcloud.registries.goods.imports import columns as cells
from gpcloud.registries.goods.service import categories
from gpcloud.registries.goods.tables import Category

CATEGORY_COLUMNS = (
    Column("code", "品目编码", True, cells.category_code, "A02010104", "政府采购品目分类目录 code"),
    Column("name", "品目名称", True, columns.length(1, 128), "台式计算机"),
    Column(
        "parent_code",
        "上级品目编码",
        False,
        cells.category_code,
        "A020101",
        "optional; when given it must be the code without its last two digits; "
        "the parent must be registered or earlier in the file",
    ),
    Column(
        "status",
        "状态",
        False,
        cells.ACTIVE_INACTIVE,
        "active",
        "active / inactive; inactive takes the branch below with it and is refused while active "
        "goods use it",
    ),
)


def _check_category(row: ImportRow) -> None:
    v = row.values
    parent = categories.structural_parent(v["code"])
    if v["parent_code"] is not None and v["parent_code"] != parent:
        row.reject(
            reason(
                "WRONG_PARENT",
                f"must be {parent or 'blank'} (the code without its last two digits)",
                "parent_code",
            )
        )


async def apply_categories(rows: list[ImportRow], tenant: str) -> None:
    codes = [r.values["code"] for r in rows]
    parents = sorted({categories.structural_parent(c) for c in codes} - {None})
    existing = {
        r["code"]: r
        for r in await Category.select(*categories.COLUMNS).where(any_of(Category.code, codes))
    }
    # Status of every code this batch may need as a parent, as it will be after the batch so far.
    known = (
        {
            r["code"]: r["status"]
            for r in await Category.select(Category.code, Category.status).where(
                any_of(Category.code, parents)
            )
        }
        if parents
        else {}
    )
    known.update({c: r["status"] for c, r in existing.items()})
    deactivated: list[str] = []
    for row in rows:
        v, current = row.values, existing.get(row.values["code"])
        status = v["status"] or (current["status"] if current else "active")
        parent = categories.structural_parent(v["code"])
        if parent is not None and parent not in known:
            row.reject(
                reason(
                    "UNKNOWN_PARENT",
                    f"{parent} is not registered (list parents before their children)",
                    "parent_code",
                )
            )
        elif parent is not None and status == "active" and known[parent] != "active":
            row.reject(
                reason("PARENT_INACTIVE", f"the parent category {parent} is inactive", "status")
            )
        if row.ok and status == "inactive" and (current is None or current["status"] == "active"):
            if parent is None:
                row.reject(
                    reason(
                        "ROOT_CATEGORY", "goods, works and services stay in the catalogue", "status"
                    )
                )
            elif count := await categories.in_use(await categories.descendant_codes(v["code"])):
                row.reject(
                    reason(
                        "CATEGORY_IN_USE",
                        f"{count} active goods are filed under {v['code']}",
                        "status",
                    )
                )
            elif current is not None:
                deactivated.append(v["code"])
        if row.ok:
            known[v["code"]] = status
            if status == "inactive":
                for code in known:
                    if code.startswith(v["code"]):
                        known[code] = "inactive"
            v["status"] = status

    now = datetime.now(UTC)
    new = [r for r in rows if r.ok and r.values["code"] not in existing]
    if new:
        await Category.insert(
            *(
                Category(
                    code=r.values["code"],
                    name=r.values["name"],
                    parent=categories.structural_parent(r.values["code"]),
                    level=categories.level_of(r.values["code"]),
                    kind=categories.kind_of(r.values["code"]),
                    status=r.values["status"],
                )
                for r in new
            )
        )
        for row in new:
            row.outcome = "created"
    for code in deactivated:
        await _cascade(code, now)
    for row in rows:
        if not row.ok or row.outcome == "created":
            continue
        changes = cells.changed(row, existing[row.values["code"]], ("name", "status"))
        if changes:
            await Category.update({**changes, "updated_at": now}).where(
                Category.code == row.values["code"]
            )
        row.outcome = "updated" if changes else "unchanged"


async def _cascade(code: str, now: datetime) -> None:
    """A deactivated category takes its active branch with it (audited per category)."""
    below = [c for c in await categories.descendant_codes(code) if c != code]
    rows = (
        await Category.select(*categories.COLUMNS).where(
            any_of(Category.code, below) & (Category.status == "active")
        )
        if below
        else []
    )
    if not rows:
        return
    await Category.update({Category.status: "inactive", Category.updated_at: now}).where(
        any_of(Category.code, [r["code"] for r in rows])
    )
    for row in rows:
        await audit.record(
            "goods.deactivate_category",
            "goods_category",
            row["code"],
            {"status": "active"},
            {"status": "inactive"},
            {"with": code, "by": "import"},
        )


CATEGORIES_SPEC = ImportSpec(
    registry="goods_categories",
    title="政府采购品目分类目录",
    columns=CATEGORY_COLUMNS,
    key="code",
    apply_batch=apply_categories,
    permission=Perm.GOODS_MANAGE,
    tenant_owned=False,
    check_row=_check_category,
)
