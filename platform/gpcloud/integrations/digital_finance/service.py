"""Budget indicators: reading them, and the three movements on a balance.

The balance rule lives here and only here: amount - reserved - paid never goes below zero.
Each movement is one conditional UPDATE (the check and the change in one statement), so
concurrent plans racing for the last yuan cannot both win: PostgreSQL re-checks the condition
after taking the row lock, SQLite runs one writer at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from piccolo.columns.combination import WhereRaw

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.admin import reachable_tenant
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import PURCHASER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.integrations.digital_finance.tables import BudgetEntry, BudgetIndicator
from gpcloud.registries.purchasers import service as purchasers

COLUMNS = (
    BudgetIndicator.id,
    BudgetIndicator.tenant_id,
    BudgetIndicator.code,
    BudgetIndicator.purchaser,
    BudgetIndicator.purchaser.budget_unit_code.as_alias("budget_unit_code"),
    BudgetIndicator.purchaser.organisation.name.as_alias("purchaser_name"),
    BudgetIndicator.fiscal_year,
    BudgetIndicator.name,
    BudgetIndicator.funding_source,
    BudgetIndicator.amount_fen,
    BudgetIndicator.reserved_fen,
    BudgetIndicator.paid_fen,
    BudgetIndicator.status,
    BudgetIndicator.created_at,
    BudgetIndicator.updated_at,
)


def balance_fen(row: dict) -> int:
    return row["amount_fen"] - row["reserved_fen"] - row["paid_fen"]


@dataclass(frozen=True)
class IndicatorFilter:
    tenant: str | None = None
    fiscal_year: int | None = None
    purchaser_id: int | None = None
    with_balance: bool = False


async def _own_purchaser(actor: CurrentUser) -> int | None:
    """A purchaser user reads its own unit's indicators only; admins and supervisors their
    region's."""
    actor.require(Perm.BUDGET_READ)
    if actor.can(Perm.REGION_READ):
        return None
    unit = await purchasers.of_user(actor) if PURCHASER in actor.roles else None
    if unit is None:
        raise DomainError("FORBIDDEN", "a purchaser account without a budget unit")
    return unit["id"]


async def get(actor: CurrentUser | None, indicator_id: int) -> dict:
    row = await BudgetIndicator.select(*COLUMNS).where(BudgetIndicator.id == indicator_id).first()
    own = await _own_purchaser(actor) if actor else None
    if row is None or (own is not None and row["purchaser"] != own):
        raise NotFound("budget indicator", indicator_id)
    return row


async def purchasers_of(indicator_ids: list[int]) -> dict[int, int]:
    """{indicator: its purchaser} for those of the ids the current scope sees (one query)."""
    if not indicator_ids:
        return {}
    rows = await BudgetIndicator.select(BudgetIndicator.id, BudgetIndicator.purchaser).where(
        BudgetIndicator.id.is_in(sorted(set(indicator_ids)))
    )
    return {row["id"]: row["purchaser"] for row in rows}


async def search(
    actor: CurrentUser, flt: IndicatorFilter, first: int | None, after: str | None
) -> Page:
    query = BudgetIndicator.select(*COLUMNS)
    own = await _own_purchaser(actor)
    if own is not None:
        query = query.where(BudgetIndicator.purchaser == own)
    if flt.tenant is not None:
        await reachable_tenant(flt.tenant)
        codes = sorted((await tenant_tree()).subtree(flt.tenant))
        query = query.where(BudgetIndicator.tenant_id.is_in(codes))
    if flt.fiscal_year is not None:
        query = query.where(BudgetIndicator.fiscal_year == flt.fiscal_year)
    if flt.purchaser_id is not None:
        query = query.where(BudgetIndicator.purchaser == flt.purchaser_id)
    if flt.with_balance:
        query = query.where(WhereRaw("amount_fen - reserved_fen - paid_fen > 0"))
    return await keyset_page(query, BudgetIndicator.id, first, after)


# Movements. Called by the services that own the reason (plans reserve and release, payments
# pay) inside their own transaction; `reference` names that object, e.g. "plan:12".

MOVES = {
    # kind: (column changes, condition that must hold before, refusal)
    "reserve": (
        {"reserved_fen": 1},
        "status = 'active' AND amount_fen - reserved_fen - paid_fen >= {}",
        "INSUFFICIENT_BALANCE",
    ),
    "release": ({"reserved_fen": -1}, "reserved_fen >= {}", "RELEASE_EXCEEDS_RESERVED"),
    "pay": ({"reserved_fen": -1, "paid_fen": 1}, "reserved_fen >= {}", "PAYMENT_EXCEEDS_RESERVED"),
    # A payment the finance side rejected: back into the plan's reservation.
    "reverse_payment": (
        {"reserved_fen": 1, "paid_fen": -1},
        "paid_fen >= {}",
        "REVERSAL_EXCEEDS_PAID",
    ),
}


MOVED = ("id", "tenant_id", "code", "amount_fen", "reserved_fen", "paid_fen", "status")


async def move(indicator_id: int, kind: str, amount: Decimal, reference: str) -> dict:
    """Reserve, release or pay `amount` on an indicator; refuse what would break the balance.

    Returns the indicator's id, tenant_id, code, amount_fen, reserved_fen, paid_fen and status
    after the move (its balance: balance_fen(row))."""
    changes, condition, refusal = MOVES[kind]
    fen = to_fen(amount)
    if fen == 0:
        raise DomainError("INVALID_AMOUNT", "an amount above zero", "amount")
    async with transaction():
        values = {
            getattr(BudgetIndicator, column): getattr(BudgetIndicator, column) + sign * fen
            for column, sign in changes.items()
        }
        updated = (
            await BudgetIndicator.update({**values, BudgetIndicator.updated_at: datetime.now(UTC)})
            .where((BudgetIndicator.id == indicator_id) & WhereRaw(condition, fen))
            .returning(*(getattr(BudgetIndicator, c) for c in MOVED))
        )
        if not updated:
            current = await get(None, indicator_id)  # NotFound outside the caller's scope
            if kind == "reserve" and current["status"] != "active":
                raise DomainError("INDICATOR_FROZEN", f"indicator {current['code']} is frozen")
            raise DomainError(
                refusal,
                f"indicator {current['code']}: {kind} of {to_yuan(fen)} yuan refused; balance "
                f"{to_yuan(balance_fen(current))}, reserved {to_yuan(current['reserved_fen'])}",
                "amount",
            )
        row = updated[0]
        await BudgetEntry.insert(
            BudgetEntry(
                tenant_id=row["tenant_id"],
                indicator=indicator_id,
                kind=kind,
                amount_fen=fen,
                reference=reference,
            )
        )
        await audit.record(
            f"budget_indicator.{kind}",
            "budget_indicator",
            indicator_id,
            None,
            None,
            {"amount": str(to_yuan(fen)), "reference": reference},
            tenant=row["tenant_id"],
        )
        return row


async def usage(fiscal_year: int) -> list[dict]:
    """Every indicator of the current scope (a job runs in its tenant's: the tenant's region)
    for a year, for the usage file."""
    return await (
        BudgetIndicator.select(*COLUMNS)
        .where(BudgetIndicator.fiscal_year == fiscal_year)
        .order_by(BudgetIndicator.tenant_id)
        .order_by(BudgetIndicator.code)
    )
