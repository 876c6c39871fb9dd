"""Complaint decisions (投诉处理决定): dismissed (驳回, groundless or not) or upheld with a
remedy, published on the portal (Regulation art. 58) and told to every party. A supplier with
groundless_complaints_limit (3) complaints found groundless within 12 months gets a
bad-behaviour credit record (Order 94 art. 37, unverified) through the credit service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gpcloud.complaints.service import clocks, remedies, suspensions
from gpcloud.complaints.service.common import SCOPE, tell
from gpcloud.complaints.service.complaints import as_department
from gpcloud.complaints.tables import ComplaintDecision
from gpcloud.complaints.workflow import COMPLAINT
from gpcloud.core import publishing
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.rules.service import effective_rule
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.credit.service import records as credit
from gpcloud.transaction import facts

OUTCOMES = ("dismissed", "upheld")
# What an upheld complaint orders (Order 94 arts. 31-32, unverified), carried out with the
# decision (service/remedies.py).
REMEDIES = {
    "none": "",
    "redo_step": "责令重新开展采购活动的相关环节",
    "retender": "责令重新开展采购活动",
    "award_void": "认定中标、成交结果无效",
    "contract_void": "认定采购合同无效",
}
GROUNDLESS_MONTHS = 12


@dataclass(frozen=True)
class DecisionInput:
    outcome: str
    reasons: str
    document: str
    groundless: bool = False
    remedy: str = "none"
    step: str = ""


def _check(data: DecisionInput) -> None:
    problems = []
    if data.outcome not in OUTCOMES:
        problems.append(Problem("INVALID_OUTCOME", "dismissed or upheld", "outcome"))
    if data.remedy not in REMEDIES:
        problems.append(Problem("INVALID_REMEDY", f"one of {', '.join(REMEDIES)}", "remedy"))
    elif data.outcome == "upheld" and data.remedy == "none":
        problems.append(Problem("INVALID_REMEDY", "an upheld complaint orders a remedy", "remedy"))
    elif data.outcome == "dismissed" and data.remedy != "none":
        problems.append(Problem("INVALID_REMEDY", "a dismissal orders nothing", "remedy"))
    if data.groundless and data.outcome != "dismissed":
        problems.append(
            Problem("INVALID_OUTCOME", "only a dismissal finds it groundless", "groundless")
        )
    if data.remedy == "redo_step" and data.step not in facts.STEPS:
        problems.append(Problem("INVALID_STEP", f"one of {', '.join(facts.STEPS)}", "step"))
    if not 2 <= len(data.reasons.strip()) <= 8000:
        problems.append(Problem("INVALID_TEXT", "reasons of 2 to 8000 characters", "reasons"))
    if not 2 <= len(data.document.strip()) <= 128:
        problems.append(Problem("NO_DOCUMENT", "the decision's document number", "document"))
    if problems:
        raise DomainError.many(problems)


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 - months, 12)
    try:
        return day.replace(year=day.year + year, month=month + 1)
    except ValueError:
        return day.replace(year=day.year + year, month=month + 1, day=28)


async def _groundless_record(decision: dict, region: str) -> dict | None:
    """The bad-behaviour record once the supplier reaches the limit within 12 months (one per
    decision that reaches it: its source key)."""
    since = _months_before(decision["decided_on"], GROUNDLESS_MONTHS)
    with all_tenants(SCOPE):
        found = (
            await ComplaintDecision.select(ComplaintDecision.id, ComplaintDecision.document)
            .where(
                (ComplaintDecision.supplier_organisation == decision["supplier_organisation"])
                & (ComplaintDecision.groundless == True)  # noqa: E712 (a column condition)
                & (ComplaintDecision.decided_on > since)
            )
            .order_by(ComplaintDecision.id)
        )
    limit = int((await effective_rule("groundless_complaints_limit", region)).value)
    if len(found) < limit:
        return None
    who = await credit.subject("supplier", decision["supplier_organisation"])
    node = (await tenant_tree()).nodes[region]
    return await credit.insert(
        credit.RecordInput(
            subject_kind="supplier",
            subject_id=decision["supplier_organisation"],
            kind="groundless_complaints",
            starts_on=decision["decided_on"],
            document=decision["document"],
            authority=node.name,
            facts=f"{len(found)} complaints found groundless within {GROUNDLESS_MONTHS} months "
            f"(decisions {', '.join(d['document'] for d in found)}; Order 94 art. 37, unverified)",
        ),
        who,
        "platform_event",
        region,
        decision["decided_by"],
        source_key=f"complaint_decision:{decision['id']}",
    )


@requires(Perm.COMPLAINT_HANDLE)
async def decide(actor: CurrentUser, complaint_id: int, data: DecisionInput) -> dict:
    _check(data)
    async with transaction():
        row = await as_department(actor, complaint_id)
        action = "dismiss" if data.outcome == "dismissed" else "uphold"
        with all_tenants(SCOPE):
            await COMPLAINT.move(actor, row, action, detail={"document": data.document.strip()})
            done = await remedies.carry_out(
                data.remedy, data.step, row["project"], data.document.strip()
            )
            inserted = await ComplaintDecision.insert(
                ComplaintDecision(
                    tenant_id=row["tenant_id"],
                    complaint=complaint_id,
                    project=row["project"],
                    supplier_organisation=row["supplier_organisation"],
                    outcome=data.outcome,
                    groundless=data.groundless,
                    remedy=data.remedy,
                    step=data.step if data.remedy == "redo_step" else "",
                    reasons=data.reasons.strip(),
                    document=data.document.strip(),
                    decided_on=today(),
                    decided_by=actor.id,
                    carried_out=done,
                )
            )
            decision = (
                await ComplaintDecision.select()
                .where(ComplaintDecision.id == inserted[0]["id"])
                .output(load_json=True)
                .first()
            )
        await clocks.meet("complaint", complaint_id, "decision")
        await clocks.cancel("complaint", complaint_id)
        await suspensions.end_with(complaint_id)
        project = await facts.project(row["project"])
        outcome = "驳回投诉" if data.outcome == "dismissed" else "投诉事项成立"
        remedy = REMEDIES[data.remedy]
        await publishing.publish(
            publishing.Publication(
                kind="decision",
                source=f"complaint_decision:{decision['id']}",
                tenant=row["tenant_id"],
                title=f"{project['title']}投诉处理决定书（{decision['document']}）",
                body=f"投诉人：{row['supplier_name']}\n处理结果：{outcome}"
                + (f"，{remedy}" if remedy else "")
                + f"\n理由：{decision['reasons']}",
                published_on=today(),
                method=project["method"],
                details={
                    "complaint_id": complaint_id,
                    "project_id": row["project"],
                    "outcome": data.outcome,
                    "remedy": data.remedy,
                    "step": decision["step"],
                },
            )
        )
        await tell(
            "complaint.step",
            row,
            project,
            {
                "complaint_id": complaint_id,
                "step": f"已作出处理决定（{decision['document']}）",
                "detail": outcome + (f"，{remedy}" if remedy else ""),
            },
            others=tuple(sorted(await facts.suppliers(row["project"]))),
            key=f"complaint:{complaint_id}:decided",
        )
        if data.groundless:
            await _groundless_record(decision, row["tenant_id"])
        return decision


async def search(project_id: int | None, first: int | None, after: str | None) -> Page:
    """Published decisions, for anyone (they are public by law)."""
    with all_tenants("complaints: decisions are public"):
        query = ComplaintDecision.select()
        if project_id is not None:
            query = query.where(ComplaintDecision.project == project_id)
        return await keyset_page(query, ComplaintDecision.id, first, after)


async def of_complaints(complaint_ids: list[int]) -> list[dict | None]:
    with all_tenants("complaints: decisions are public"):
        rows = await ComplaintDecision.select().where(
            ComplaintDecision.complaint.is_in(complaint_ids or [0])
        )
    by = {r["complaint"]: r for r in rows}
    return [by.get(i) for i in complaint_ids]
