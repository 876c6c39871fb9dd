"""What the e-mall's modes share: the tenant's caps and rules, the plan line an order draws on,
and the hold an order keeps on it."""

from __future__ import annotations

from decimal import Decimal

from gpcloud.core.clock import today
from gpcloud.core.db import serialize_writes
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.rules.service import effective_rule
from gpcloud.core.tenancy.config import effective_config
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.tables import MallGroupShare, MallOrder
from gpcloud.supervision import plans

# Orders that hold what they drew: stock (until delivered) and the plan line's amount.
HOLDING = ("placed", "confirmed", "delivered", "accepted", "paid")
RELEASED = ("declined", "lapsed", "cancelled")
MODE_LABELS = {
    "direct_purchase": "直购",
    "reverse_auction": "竞价",
    "designated_purchase": "定点采购",
    "group_buy": "批量集采",
}


async def regions_above(tenant: str) -> list[str]:
    """The tenant and every region above it: whose framework agreements and group buys its
    purchasers may use."""
    return [tenant, *(await tenant_tree()).ancestors(tenant)]


async def region_and_around(tenant: str) -> list[str]:
    """The regions above the tenant, itself and its subtree: what its people may list."""
    tree = await tenant_tree()
    return sorted(set(await regions_above(tenant)) | set(tree.subtree(tenant)))


async def _thresholds(tenant: str) -> dict:
    return (await effective_config(tenant)).values.get("thresholds", {})


def _fen(yuan: object) -> int | None:
    return None if yuan is None else to_fen(Decimal(str(yuan)))


async def cap_fen(tenant: str, mode: str) -> int | None:
    """The largest amount one purchase of `mode` may have in the tenant (thresholds.emall_caps),
    None where the tenant sets none."""
    return _fen((await _thresholds(tenant)).get("emall_caps", {}).get(mode))


async def second_stage_band_fen(tenant: str) -> int | None:
    """Above this amount a designated order needs second-stage competition among the
    agreement's designated suppliers (thresholds.emall_second_stage_band), None where unset."""
    return _fen((await _thresholds(tenant)).get("emall_second_stage_band"))


def check_in_force(agreement: dict) -> None:
    """AGREEMENT_NOT_IN_FORCE unless the framework agreement is active and today is within its
    term: what a designated order and a second stage's opening and award each need."""
    on = today()
    if agreement["status"] != "active" or not agreement["starts_on"] <= on <= agreement["ends_on"]:
        raise DomainError("AGREEMENT_NOT_IN_FORCE", "the framework agreement is not in force")


def cap_error(fen: int, cap: int, mode: str) -> DomainError:
    return DomainError(
        "OVER_MODE_CAP",
        f"{to_yuan(fen)} yuan is above the {mode} cap of {to_yuan(cap)} in your region",
        "quantity",
    )


async def rule_value(key: str, tenant: str) -> int | Decimal:
    return (await effective_rule(key, tenant)).value


async def splitting_action(tenant: str) -> str:
    return (await effective_config(tenant)).values.get("emall", {}).get("splitting_action", "warn")


async def funding_line(unit: dict, plan_id: int, indicator_id: int) -> tuple[dict, dict]:
    """The unit's executing plan and its line on the indicator an order draws on: the plan's
    filing reserved the line's amount on the indicator (digital_finance), so the e-mall draws
    on that reservation and the contract's payment pays from it."""
    try:
        plan = await plans.get(plan_id)
    except NotFound:
        plan = None
    if plan is None or plan["purchaser"] != unit["id"]:
        raise NotFound("plan", plan_id)
    if plan["status"] not in ("filed", "executing"):
        raise DomainError("NO_FILED_PLAN", "e-mall purchases draw on a filed plan", "planId")
    line = next((x for x in await plans.lines(plan_id) if x["indicator"] == indicator_id), None)
    if line is None:
        raise DomainError("NOT_A_PLAN_LINE", "one of the plan's budget lines", "indicatorId")
    return plan, line


async def lock_unit(unit_id: int) -> None:
    """One order of a purchaser unit decides at a time (its plan lines and its splitting sums):
    an advisory lock on PostgreSQL, SQLite's write lock already."""
    await serialize_writes(f"emall:unit:{unit_id}")


async def hold_line(line: dict, fen: int) -> None:
    """Refuse an order (or a group-buy share) the plan line cannot fund beside the unit's other
    holding orders and joined shares on it. Call after lock_unit, in the order's transaction."""
    held = await MallOrder.select(MallOrder.amount_fen).where(
        (MallOrder.plan == line["plan"])
        & (MallOrder.indicator == line["indicator"])
        & MallOrder.status.is_in(list(HOLDING))
    )
    shares = await MallGroupShare.select(MallGroupShare.held_fen).where(
        (MallGroupShare.plan == line["plan"])
        & (MallGroupShare.indicator == line["indicator"])
        & (MallGroupShare.status == "joined")
    )
    used = sum(r["amount_fen"] for r in held) + sum(r["held_fen"] for r in shares)
    if used + fen > line["amount_fen"]:
        raise DomainError(
            "INSUFFICIENT_BALANCE",
            f"the plan's line funds {to_yuan(line['amount_fen'])} yuan; e-mall orders and "
            f"group-buy shares hold "
            f"{to_yuan(used)}, this one needs {to_yuan(fen)}",
            "amount",
        )


async def execute(plan: dict, reference: str) -> None:
    """A filed plan an e-mall purchase first draws on is being executed from then on (it can no
    longer be recalled, which would release its lines). Call after lock_unit."""
    if plan["status"] == "filed":
        await plans.mark(plan["id"], "entrust", {"emall": reference})
