"""Demo budget indicators (预算指标) for the demo purchasers, so that a purchaser on the demo
server can plan at once: without a budget line the closed loop cannot start (issue 21).

digital_finance would hand these over in its indicator file; the demo writes them for the
current fiscal year (`clock.today()`), under codes of their own (`ZB<year>-<unit>-D<n>`) so
that importing the file of docs/closed-loop.md beside them changes none of them. Idempotent.
"""

from __future__ import annotations

from gpcloud.core import clock
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.integrations.digital_finance.tables import BudgetIndicator
from gpcloud.registries.purchasers.tables import Purchaser

# (tenant, budget unit code, name, amount in yuan, funding source)
LINES = (
    ("441400", "441400301", "中小学信息化设备购置", 3_990_000, "一般公共预算"),
    ("441400", "441400301", "教师培训服务", 600_000, "一般公共预算"),
    ("441400", "441400401", "基层医疗设备更新", 8_500_000, "政府性基金预算"),
    ("441481", "441481311", "教学设备购置", 5_000_000, "一般公共预算"),
    ("441481", "441481311", "校园物业管理服务", 480_000, "一般公共预算"),
    ("441481", "441481312", "多媒体教室改造", 1_200_000, "一般公共预算"),
    ("441481", "441481501", "办公设备购置", 150_000, "一般公共预算"),
)


def code(year: int, unit: str, n: int) -> str:
    return f"ZB{year}-{unit}-D{n:03d}"


async def seed() -> int:
    """Write the demo lines of this fiscal year that are missing; return how many."""
    year, created, counts = clock.today().year, 0, {}
    with all_tenants("demo seed: budget indicators of several tenants"):
        async with transaction():
            for tenant, unit, name, yuan, source in LINES:
                counts[unit] = counts.get(unit, 0) + 1
                line = code(year, unit, counts[unit])
                if await BudgetIndicator.exists().where(
                    (BudgetIndicator.tenant_id == tenant) & (BudgetIndicator.code == line)
                ):
                    continue
                purchaser = (
                    await Purchaser.select(Purchaser.id)
                    .where((Purchaser.tenant_id == tenant) & (Purchaser.budget_unit_code == unit))
                    .first()
                )
                if purchaser is None:
                    continue  # the purchasers' demo did not run: nothing to fund
                await BudgetIndicator(
                    tenant_id=tenant,
                    code=line,
                    purchaser=purchaser["id"],
                    fiscal_year=year,
                    name=name,
                    funding_source=source,
                    amount_fen=yuan * 100,
                ).save()
                created += 1
    return created
