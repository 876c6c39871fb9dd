"""The budget indicator file digital_finance hands over in the transition mode (CSV/XLSX).

One indicator per row, upserted by its code within the import's tenant; the budget unit code
assigns it to a purchaser of that tenant. A changed amount may not fall below what plans
reserved and payments paid; an indicator in use keeps its purchaser.
"""

from __future__ import annotations

from datetime import UTC, datetime

from piccolo.columns.combination import WhereRaw

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.db import any_of, bulk_insert
from gpcloud.core.imports import columns as p
from gpcloud.core.imports.spec import Column, ImportRow, ImportSpec, Reason, reason
from gpcloud.core.money import to_yuan
from gpcloud.integrations.digital_finance.tables import BudgetIndicator
from gpcloud.registries.purchasers import service as purchasers

CODE = p.pattern(
    r"[0-9A-Za-z._-]{1,64}", "INVALID_FORMAT", "1 to 64 letters, digits, '.', '_' or '-'"
)
STATUS = p.choice({"active": "active", "正常": "active", "frozen": "frozen", "冻结": "frozen"})


def _year(value: str) -> int:
    if not value.isdigit() or not 2000 <= int(value) <= 2100:
        raise ValueError("a year like 2026")
    return int(value)


COLUMNS = (
    Column("code", "指标编码", True, CODE, "ZB2026-441481-0001", "digital_finance's id"),
    Column(
        "budget_unit_code",
        "预算单位编码",
        True,
        p.pattern(r"[0-9A-Za-z]{1,32}", "INVALID_FORMAT", "1 to 32 letters or digits"),
        "441481001",
        "a purchaser of the import's tenant",
    ),
    Column("fiscal_year", "预算年度", True, _year, "2026"),
    Column("name", "指标名称", True, p.text(200), "教学设备购置"),
    Column("amount", "指标金额", True, p.fen, "1200000.00", "yuan, at most 2 decimals"),
    Column("funding_source", "资金性质", False, p.text(64), "一般公共预算"),
    Column("status", "状态", False, STATUS, "active", "active or frozen (正常/冻结)"),
)
FIELDS = ("fiscal_year", "name", "funding_source", "status")


def _refusal(current: dict, amount: int, purchaser: int) -> Reason | None:
    """Why the row may not update the indicator: its amount below what is reserved and paid, or
    another purchaser while it is in use."""
    used = current["reserved_fen"] + current["paid_fen"]
    if amount < used:
        return reason(
            "AMOUNT_BELOW_USED", f"{to_yuan(used)} yuan is already reserved or paid", "amount"
        )
    if purchaser != current["purchaser"] and used:
        return reason(
            "INDICATOR_IN_USE", "the indicator is in use by another purchaser", "budget_unit_code"
        )
    return None


async def _update(current: dict, changes: dict, now: datetime) -> bool:
    """One conditional UPDATE: the balance rule (amount >= reserved + paid), and for a new
    purchaser nothing reserved or paid, hold when the row changes; False if they no longer do."""
    amount = changes.get("amount_fen", current["amount_fen"])
    condition = WhereRaw("reserved_fen + paid_fen <= {}", amount)
    if "purchaser" in changes:
        condition &= WhereRaw("reserved_fen + paid_fen = 0")
    updated = await (
        BudgetIndicator.update({**changes, "updated_at": now})
        .where((BudgetIndicator.id == current["id"]) & condition)
        .returning(BudgetIndicator.id)
    )
    return bool(updated)


async def apply_batch(rows: list[ImportRow], tenant: str) -> None:
    units = await purchasers.by_budget_unit_codes(
        tenant, sorted({r.values["budget_unit_code"] for r in rows})
    )
    existing = {
        r["code"]: r
        for r in await BudgetIndicator.select().where(
            (BudgetIndicator.tenant_id == tenant)
            & any_of(BudgetIndicator.code, [r.values["code"] for r in rows])
        )
    }
    new, now = [], datetime.now(UTC)
    for row in rows:
        v = row.values
        unit = units.get(v["budget_unit_code"])
        if unit is None:
            row.reject(
                reason(
                    "UNKNOWN_PURCHASER",
                    f"no purchaser {v['budget_unit_code']} in {tenant}",
                    "budget_unit_code",
                )
            )
            continue
        current = existing.get(v["code"])
        record = {
            "purchaser": unit["id"],
            "amount_fen": v["amount"],
            **{k: v[k] for k in FIELDS if v[k] is not None},
        }
        if current is None:
            new.append({"tenant_id": tenant, "code": v["code"], **record})
            row.outcome = "created"
            continue
        refusal = _refusal(current, v["amount"], unit["id"])
        if refusal:
            row.reject(refusal)
            continue
        changes = {k: val for k, val in record.items() if current[k] != val}
        if changes and not await _update(current, changes, now):
            # A plan reserved (or a payment paid) since `existing` was read: say which rule.
            fresh = (
                await BudgetIndicator.select().where(BudgetIndicator.id == current["id"]).first()
            )
            row.reject(
                _refusal(fresh or current, v["amount"], unit["id"])
                or reason(
                    "INDICATOR_CHANGED",
                    "the indicator changed during the import: import the row again",
                )
            )
            continue
        row.outcome = "updated" if changes else "unchanged"
    await bulk_insert(BudgetIndicator, new, returning=False)


SPEC = ImportSpec(
    registry="budget_indicators",
    title="预算指标",
    columns=COLUMNS,
    key="code",
    apply_batch=apply_batch,
    permission=Perm.BUDGET_FETCH,
    tenant_owned=True,
)
