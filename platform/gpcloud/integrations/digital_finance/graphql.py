"""Budget indicators through the API: region lists for admins and supervisors, a purchaser's
own lines, and the usage file for digital_finance. Indicators arrive by `startImport` with
registry "budget_indicators" (or from a live adapter plugin)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.enums import values_enum
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.graphql.types import Connection, connection, parse_id
from gpcloud.core.jobs.graphql import JobPayload, enqueue_for_tenant
from gpcloud.core.money import to_yuan
from gpcloud.core.ops.descriptions import field_meanings
from gpcloud.integrations.digital_finance import service
from gpcloud.integrations.digital_finance.tables import STATUSES

READERS = Requires(Perm.BUDGET_READ)

IndicatorStatus = values_enum(
    "IndicatorStatus",
    STATUSES,
    "Where a budget indicator from digital_finance stands.",
    {
        "active": "正常: plans may reserve from it.",
        "frozen": "冻结 by the finance system: no new reservations.",
    },
)
field_meanings(
    ("BudgetIndicator", "BudgetIndicatorFilter"),
    {
        "purchaserId": "The budget unit the line belongs to.",
        "purchaserName": "Its name, as digital_finance sent it.",
        "budgetUnitCode": "The unit's code in digital_finance.",
        "fiscalYear": "The fiscal year of the line, e.g. 2026.",
        "name": "The line's name in the budget.",
        "fundingSource": "Where the money comes from, as digital_finance says (e.g. 一般公共预算).",
        "amount": "Yuan: the line's total.",
        "paid": "Yuan paid from it.",
        "status": "Whether plans may reserve from it.",
    },
)


@strawberry.type(description="A budget line (预算指标) from digital_finance; amounts in yuan.")
class BudgetIndicator:
    id: strawberry.ID
    tenant_code: str
    code: str = strawberry.field(description="digital_finance's id of the line.")
    purchaser_id: strawberry.ID
    purchaser_name: str
    budget_unit_code: str
    fiscal_year: int
    name: str
    funding_source: str
    amount: Decimal
    reserved: Decimal = strawberry.field(description="Held by declared plans.")
    paid: Decimal
    balance: Decimal = strawberry.field(description="amount - reserved - paid; never negative.")
    status: IndicatorStatus  # type: ignore[valid-type]
    updated_at: datetime

    @classmethod
    def of(cls, row: dict) -> BudgetIndicator:
        return cls(
            id=strawberry.ID(str(row["id"])),
            tenant_code=row["tenant_id"],
            code=row["code"],
            purchaser_id=strawberry.ID(str(row["purchaser"])),
            purchaser_name=row["purchaser_name"],
            budget_unit_code=row["budget_unit_code"],
            fiscal_year=row["fiscal_year"],
            name=row["name"],
            funding_source=row["funding_source"],
            amount=to_yuan(row["amount_fen"]),
            reserved=to_yuan(row["reserved_fen"]),
            paid=to_yuan(row["paid_fen"]),
            balance=to_yuan(service.balance_fen(row)),
            status=IndicatorStatus(row["status"]),
            updated_at=row["updated_at"],
        )


@strawberry.input
class BudgetIndicatorFilter:
    tenant: str | None = strawberry.field(default=None, description="A region and its subtree.")
    fiscal_year: int | None = None
    purchaser_id: strawberry.ID | None = None
    with_balance: bool = strawberry.field(default=False, description="Only lines with money left.")


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(READERS),
        description="Indicators in your region (a purchaser: its own unit's), by id.",
    )
    async def budget_indicators(
        self,
        info: Info,
        filter: BudgetIndicatorFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[BudgetIndicator]:
        flt = filter or BudgetIndicatorFilter()
        page = await service.search(
            info.context.user,
            service.IndicatorFilter(
                tenant=flt.tenant,
                fiscal_year=flt.fiscal_year,
                purchaser_id=parse_id(flt.purchaser_id, "purchaser") if flt.purchaser_id else None,
                with_balance=flt.with_balance,
            ),
            first,
            after,
        )
        return connection(page, BudgetIndicator.of)

    @strawberry.field(extensions=allow(READERS), description="One indicator you may see.")
    async def budget_indicator(self, info: Info, id: strawberry.ID) -> BudgetIndicator:
        row = await service.get(info.context.user, parse_id(id, "budget indicator"))
        return BudgetIndicator.of(row)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.BUDGET_USAGE_EXPORT)),
        description="Write the usage file for digital_finance (a job; download its result).",
    )
    async def export_budget_usage(
        self, info: Info, fiscal_year: int, tenant: str | None = None
    ) -> JobPayload:
        return await enqueue_for_tenant(
            info.context.user, "budget_usage_export", {"fiscal_year": fiscal_year}, tenant
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.BUDGET_FETCH)),
        description="Fetch a year's indicators through the tenant's approved live adapter plugin "
        "(a job that imports them as a file would be).",
    )
    async def fetch_budget_indicators(
        self, info: Info, fiscal_year: int, tenant: str | None = None
    ) -> JobPayload:
        return await enqueue_for_tenant(
            info.context.user, "budget_indicators_fetch", {"fiscal_year": fiscal_year}, tenant
        )
