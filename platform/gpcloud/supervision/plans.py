"""Procurement plans: declared against budget indicators (which reserve the amount), checked
against the tenant's thresholds, filed or returned by a supervisor, recalled by the purchaser.

Cutover (seed, 九): a plan the old system filed but did not execute comes in `recalled` and is
declared again here; one in progress comes in `executing` and continues; a failed one comes in
`failed` and is either restarted under its original procedure or terminated (its reservation
released) and declared again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from piccolo.columns.combination import WhereRaw

from gpcloud.core import publishing
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import PURCHASER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.batch import row_lists_by_key
from gpcloud.core.clock import now, today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.pagination import Page
from gpcloud.core.tenancy.config import effective_config
from gpcloud.integrations.digital_finance import service as budget
from gpcloud.registries.purchasers import service as purchasers
from gpcloud.supervision import common, intentions
from gpcloud.supervision.common import purchaser_unit
from gpcloud.supervision.tables import (
    INTENTION_EXEMPTIONS,
    METHODS,
    OBJECT_TYPES,
    PlanLine,
    ProcurementPlan,
)
from gpcloud.supervision.workflow import PLAN

MAX_LINES = 50
LEGACY_STATES = {"filed_unexecuted": "recalled", "in_progress": "executing", "failed": "failed"}


@dataclass(frozen=True)
class LineInput:
    indicator_id: int
    amount: Decimal


@dataclass(frozen=True)
class PlanInput:
    title: str
    object_type: str
    method: str
    lines: list[LineInput]
    intention_id: int | None = None
    intention_exemption: str = ""
    method_exception: str = ""
    category_code: str = ""


async def get(plan_id: int) -> dict:
    return await common.fetch(ProcurementPlan, "plan", plan_id)


# Batch loader for the API: the lines of a page of plans in one query.
lines_by_plan = row_lists_by_key(PlanLine, PlanLine.plan)


async def lines(plan_id: int) -> list[dict]:
    return await PlanLine.select().where(PlanLine.plan == plan_id).order_by(PlanLine.id)


async def _own(actor: CurrentUser, plan_id: int) -> dict:
    return await common.own(actor, ProcurementPlan, "plan", plan_id)


async def notice_fields(plan: dict) -> dict:
    """What a plan supplies to every publishing.Publication of its procurement: method, category,
    object type, purchaser (id and name), intention and plan."""
    unit = await purchasers.get(plan["purchaser"])
    return {
        "method": plan["method"],
        "category_code": plan["category_code"],
        "object_type": plan["object_type"],
        "purchaser_id": plan["purchaser"],
        "purchaser_name": unit["name"],
        "intention_id": plan["intention"],
        "plan_id": plan["id"],
    }


async def _check(unit: dict, data: PlanInput) -> list[Problem]:
    """What a plan's fields and lines must be, declared or carried over: its lines funded by
    indicators of its own unit (one line each)."""
    problems = []
    if not 2 <= len(data.title.strip()) <= 200:
        problems.append(Problem("INVALID_TITLE", "a title of 2 to 200 characters", "title"))
    if data.object_type not in OBJECT_TYPES:
        problems.append(Problem("INVALID_OBJECT_TYPE", "goods, works or services", "objectType"))
    if data.method not in METHODS:
        problems.append(Problem("INVALID_METHOD", f"one of {', '.join(METHODS)}", "method"))
    if len(data.lines) > MAX_LINES:
        problems.append(Problem("TOO_MANY_LINES", f"at most {MAX_LINES} budget lines", "lines"))
        return problems
    if not data.lines:
        problems.append(
            Problem("NO_BUDGET_LINE", "a plan is funded by at least one indicator", "lines")
        )
    seen = set()
    owners = await budget.purchasers_of([line.indicator_id for line in data.lines])
    for i, line in enumerate(data.lines):
        if line.indicator_id in seen:
            problems.append(Problem("DUPLICATE_LINE", "one line per indicator", f"lines[{i}]"))
        seen.add(line.indicator_id)
        if owners.get(line.indicator_id) != unit["id"]:
            problems.append(
                Problem(
                    "UNKNOWN_INDICATOR",
                    f"no indicator {line.indicator_id} of your unit",
                    f"lines[{i}]",
                )
            )
    return problems


def _amounts(data: PlanInput) -> tuple[list[int], list[Problem]]:
    """Each line's amount in fen, every one above zero."""
    amounts, problems = [], []
    for i, line in enumerate(data.lines):
        try:
            amounts.append(to_fen(line.amount, f"lines[{i}].amount"))
        except DomainError as exc:
            problems += exc.problems
    if any(a == 0 for a in amounts):
        problems.append(Problem("INVALID_AMOUNT", "every line above zero", "lines"))
    return amounts, problems


async def _intention_problems(unit: dict, data: PlanInput) -> list[Problem]:
    problems = []
    if data.intention_id is None and data.intention_exemption not in INTENTION_EXEMPTIONS:
        problems.append(
            Problem(
                "INTENTION_REQUIRED",
                f"a published intention, or an exemption: {', '.join(INTENTION_EXEMPTIONS)}",
                "intentionId",
            )
        )
    if data.intention_id is not None:
        intention = None
        try:
            intention = await intentions.get(data.intention_id)
        except NotFound:
            pass
        if (
            intention is None
            or intention["purchaser"] != unit["id"]
            or intention["status"] not in ("published", "open")
        ):
            problems.append(
                Problem(
                    "INTENTION_NOT_PUBLISHED", "a published intention of your unit", "intentionId"
                )
            )
    return problems


async def _method_problem(
    tenant: str, amount_fen: int, method: str, exception: str
) -> Problem | None:
    """At or above the tenant's open-tender threshold, open tender unless an approved exception."""
    thresholds = (await effective_config(tenant)).values.get("thresholds", {})
    threshold = thresholds.get("open_tender_threshold")
    if threshold is None or method == "open_tender" or exception.strip():
        return None
    if to_yuan(amount_fen) >= Decimal(str(threshold)):
        return Problem(
            "METHOD_BELOW_THRESHOLD",
            f"{to_yuan(amount_fen)} yuan is at or above the open-tender threshold "
            f"({threshold}): open_tender, or name the approval of another method",
            "method",
        )
    return None


@requires(Perm.PLAN_CREATE)
async def create(actor: CurrentUser, data: PlanInput) -> dict:
    unit = await purchaser_unit(actor)
    amounts, problems = _amounts(data)
    problems += await _check(unit, data) + await _intention_problems(unit, data)
    if problems:
        raise DomainError.many(problems)
    async with transaction():
        plan = ProcurementPlan(
            tenant_id=unit["tenant_id"],
            purchaser=unit["id"],
            intention=data.intention_id,
            intention_exemption=data.intention_exemption if data.intention_id is None else "",
            title=data.title.strip(),
            object_type=data.object_type,
            method=data.method,
            method_exception=data.method_exception.strip(),
            category_code=data.category_code.strip(),
            amount_fen=sum(amounts),
        )
        await plan.save()
        await PlanLine.insert(
            *(
                PlanLine(
                    tenant_id=unit["tenant_id"],
                    plan=plan.id,
                    indicator=line.indicator_id,
                    amount_fen=fen,
                )
                for line, fen in zip(data.lines, amounts, strict=True)
            )
        )
        row = await get(plan.id)
        await PLAN.created(row)
        return row


async def _move_lines(plan: dict, kind: str) -> None:
    """Reserve the lines, or release what they still hold (their amount less what was paid).
    Indicators in id order: two plans sharing indicators lock them in the same order (no
    deadlock)."""
    for line in sorted(await lines(plan["id"]), key=lambda line: line["indicator"]):
        held = line["amount_fen"] - (line["paid_fen"] if kind == "release" else 0)
        if held:
            await budget.move(line["indicator"], kind, to_yuan(held), f"plan:{plan['id']}")


async def pay_line(plan_id: int, indicator_id: int, fen: int) -> None:
    """For payments: draw on the plan's line, never beyond it (one conditional UPDATE)."""
    updated = await (
        PlanLine.update({PlanLine.paid_fen: PlanLine.paid_fen + fen})
        .where(
            (PlanLine.plan == plan_id)
            & (PlanLine.indicator == indicator_id)
            & WhereRaw("paid_fen + {} <= amount_fen", fen)
        )
        .returning(PlanLine.id)
    )
    if not updated:
        raise DomainError(
            "OVER_PLAN_LINE", "more than the plan's line on this indicator funds", "amount"
        )


async def unpay_line(plan_id: int, indicator_id: int, fen: int) -> None:
    """A payment the finance side rejected no longer draws on the line."""
    await PlanLine.update({PlanLine.paid_fen: PlanLine.paid_fen - fen}).where(
        (PlanLine.plan == plan_id) & (PlanLine.indicator == indicator_id)
    )


async def _move(
    actor: CurrentUser | None,
    plan: dict,
    action: str,
    changes: dict | None = None,
    detail: dict | None = None,
) -> dict:
    """PLAN.move, with the plan as plugins see it (its amount in yuan)."""
    event = {**plan, "amount": str(to_yuan(plan["amount_fen"]))}
    return await PLAN.move(actor, plan, action, changes, detail, event)


@requires(Perm.PLAN_SUBMIT)
async def submit(actor: CurrentUser, plan_id: int) -> dict:
    """Declare the plan: thresholds checked, each line reserved on its indicator."""
    async with transaction():
        plan = await _own(actor, plan_id)
        PLAN.next_state("submit", plan["status"])
        problem = await _method_problem(
            plan["tenant_id"], plan["amount_fen"], plan["method"], plan["method_exception"]
        )
        if problem:
            raise DomainError.many([problem])
        submitted = await _move(
            actor,
            plan,
            "submit",
            {ProcurementPlan.submitted_at: now(), ProcurementPlan.reserved: True},
        )
        await _move_lines(plan, "reserve")
        return submitted


async def _unit_users(plan: dict) -> Recipients:
    """Who hears that a plan was filed or returned: its purchaser unit's purchaser users."""
    unit = await purchasers.get(plan["purchaser"])
    return Recipients(
        tenant=plan["tenant_id"], organisation=unit["organisation"], roles=(PURCHASER,)
    )


@requires(Perm.PLAN_FILE)
async def file(actor: CurrentUser, plan_id: int) -> dict:
    """备案: a supervisor of the plan's region accepts it."""
    async with transaction():
        plan = await get(plan_id)
        filed = await _move(actor, plan, "file", {ProcurementPlan.filed_at: now()})
        await publishing.publish(
            publishing.Publication(
                kind="plan",
                source=f"plan:{plan_id}",
                tenant=plan["tenant_id"],
                title=plan["title"],
                body=f"采购方式：{plan['method']}；采购预算：{to_yuan(plan['amount_fen'])} 元",
                published_on=today(),
                amount_fen=plan["amount_fen"],
                **await notice_fields(plan),
            )
        )
        await notify(
            "plan.filed",
            await _unit_users(plan),
            {"title": plan["title"], "plan_id": plan_id, "amount": to_yuan(plan["amount_fen"])},
            about=("procurement_plan", plan_id),
        )
        return filed


@requires(Perm.PLAN_RETURN)
async def return_plan(actor: CurrentUser, plan_id: int, reason: str) -> dict:
    """Back to the purchaser with a reason; the reservation is released until it resubmits."""
    if not reason.strip():
        raise DomainError("REASON_REQUIRED", "say why the plan goes back", "reason")
    async with transaction():
        plan = await get(plan_id)
        returned = await _move(
            actor,
            plan,
            "return",
            {ProcurementPlan.return_reason: reason.strip(), ProcurementPlan.reserved: False},
            {"reason": reason.strip()},
        )
        await _move_lines(plan, "release")
        await notify(
            "plan.returned",
            await _unit_users(plan),
            {"title": plan["title"], "plan_id": plan_id, "reason": reason.strip()},
            about=("procurement_plan", plan_id),
        )
        return returned


@requires(Perm.PLAN_RECALL)
async def recall(actor: CurrentUser, plan_id: int) -> dict:
    """The purchaser takes back a plan not yet executed; its reservation is released."""
    async with transaction():
        plan = await _own(actor, plan_id)
        recalled = await _move(actor, plan, "recall", {ProcurementPlan.reserved: False})
        if plan["reserved"]:
            await _move_lines(plan, "release")
        return recalled


@requires(Perm.PLAN_READ)
async def search(
    actor: CurrentUser, status: str | None, first: int | None, after: str | None
) -> Page:
    """A purchaser's own unit's plans; admins and supervisors their region's (e.g. status
    submitted: the plans awaiting filing)."""
    return await common.search(actor, ProcurementPlan, status, first, after)


@requires(Perm.PLAN_CARRY_OVER)
async def register_legacy(
    actor: CurrentUser | None, purchaser_id: int, data: PlanInput, state: str, reference: str
) -> dict:
    """Carry a plan over from the old system in the state the cutover rules give it. Its
    budget was used in the old system: no reservation is made here."""
    if state not in LEGACY_STATES:
        raise DomainError("INVALID_STATE", f"one of {', '.join(LEGACY_STATES)}", "state")
    if not reference.strip():
        raise DomainError("REFERENCE_REQUIRED", "the old system's plan number", "reference")
    async with transaction():
        existing = await ProcurementPlan.select(ProcurementPlan.id).where(
            (ProcurementPlan.origin == "legacy") & (ProcurementPlan.legacy_reference == reference)
        )
        if existing:
            raise DomainError("DUPLICATE_LEGACY_PLAN", f"plan {reference} was carried over already")
        unit = await purchasers.get(purchaser_id)
        amounts, problems = _amounts(data)
        problems += await _check(unit, data)
        if problems:
            raise DomainError.many(problems)
        plan = ProcurementPlan(
            tenant_id=unit["tenant_id"],
            purchaser=purchaser_id,
            intention_exemption="legacy",
            title=data.title.strip(),
            object_type=data.object_type,
            method=data.method,
            amount_fen=sum(amounts),
            status=LEGACY_STATES[state],
            origin="legacy",
            legacy_reference=reference.strip(),
        )
        await plan.save()
        row = await get(plan.id)
        await PLAN.created(row, {"legacy_state": state, "reference": reference}, "carry_over")
        return row


@requires(Perm.PLAN_RESOLVE_FAILED)
async def resolve_failed(actor: CurrentUser, plan_id: int, action: str) -> dict:
    """A failed (or stalled) procurement: restart under its original procedure, or terminate it
    (releasing what it still holds) so that it can be declared again."""
    if action not in ("restart", "terminate"):
        raise DomainError("INVALID_ACTION", "restart or terminate", "action")
    async with transaction():
        plan = await _own(actor, plan_id)
        resolved = await _move(
            actor,
            plan,
            action,
            {ProcurementPlan.reserved: plan["reserved"] and action == "restart"},
        )
        if action == "terminate" and plan["reserved"]:
            await _move_lines(plan, "release")
        return resolved


async def mark(plan_id: int, action: str, detail: dict | None = None) -> dict:
    """For the transaction system: a plan entrusted to an agency (`entrust`) or whose
    procurement failed (`fail`), inside the caller's transaction."""
    if action not in ("entrust", "fail"):
        raise ValueError(action)
    return await _move(None, await get(plan_id), action, None, detail)
