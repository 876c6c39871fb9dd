"""Complaints (投诉): a challenger not satisfied with the answer, or not answered in time,
complains to the finance department of the purchaser's budget level (Law art. 55) within
complaint_window (15 wd after the answer period), only on what it challenged (Regulation art.
55). The department reviews it within complaint_review (5 wd), may once ask for missing
material (complaint_material, 5 wd; the clock stands still), rejects or refers it, or accepts
it; sends a copy to the respondents within complaint_copy (8 wd), who answer within
complaint_response (5 wd); and decides within complaint_decision (30 wd), time for testing or
expert review not counted (Regulation art. 58). Withdrawal ends the case. The decision is in
decisions.py.
"""

from __future__ import annotations

from gpcloud.complaints.service import clocks, suspensions
from gpcloud.complaints.service.common import SCOPE, is_respondent, is_supplier, tell
from gpcloud.complaints.tables import Challenge, Complaint
from gpcloud.complaints.workflow import CHALLENGE, COMPLAINT
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.core.db import is_unique_violation, transaction
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.rules.service import rule_deadline
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import facts

STEP_NAMES = {
    "filed": "已提交",
    "request_material": "需补正材料",
    "supplement": "已补正材料",
    "reject": "不予受理",
    "refer": "已告知向有管辖权的部门投诉",
    "accept": "已受理",
    "serve": "副本已发送被投诉人",
    "respond": "被投诉人已答复",
    "pause": "处理期限中止（检验、检测、鉴定或专家评审）",
    "resume": "处理期限恢复计算",
    "withdraw": "已撤回",
    "lapse": "逾期未补正，视为撤回",
}


async def get(complaint_id: int) -> dict:
    with all_tenants(SCOPE):
        row = (
            await Complaint.select()
            .where(Complaint.id == complaint_id)
            .output(load_json=True)
            .first()
        )
    if row is None:
        raise NotFound("complaint", complaint_id)
    return row


def _items(challenge: dict, items: list[dict]) -> list[dict]:
    """Each item names a challenged item (its index) and the request; nothing else may be
    complained of (Regulation art. 55)."""
    problems, cleaned, seen = [], [], set()
    if not items:
        problems.append(Problem("INVALID_ITEMS", "at least one challenged item", "items"))
    for i, item in enumerate(items):
        index = item.get("item")
        if not isinstance(index, int) or not 0 <= index < len(challenge["items"]) or index in seen:
            problems.append(
                Problem(
                    "NOT_CHALLENGED",
                    "a complaint is only on what was challenged: name each challenged item once "
                    f"(0 to {len(challenge['items']) - 1})",
                    f"items[{i}].item",
                )
            )
            continue
        seen.add(index)
        request = str(item.get("request", "")).strip()
        if not 2 <= len(request) <= 2000:
            problems.append(
                Problem("INVALID_ITEMS", "a request of 2 to 2000 characters", f"items[{i}]")
            )
        cleaned.append(
            {"item": index, "claim": challenge["items"][index]["claim"], "request": request}
        )
    if problems:
        raise DomainError.many(problems)
    return cleaned


@requires(Perm.COMPLAINT_FILE)
async def file(actor: CurrentUser, challenge_id: int, items: list[dict]) -> dict:
    async with transaction():
        with all_tenants(SCOPE):
            challenge = await (
                Challenge.select()
                .where(Challenge.id == challenge_id)
                .output(load_json=True)
                .first()
            )
        if challenge is None or not is_supplier(actor, challenge):
            raise NotFound("challenge", challenge_id)
        cleaned = _items(challenge, items)
        if challenge["status"] == "claim" and today() <= challenge["answer_due"]:
            raise DomainError(
                "COMPLAINT_TOO_EARLY",
                f"the challenge awaits its answer until {challenge['answer_due']}",
                "challengeId",
            )
        if challenge["status"] not in ("claim", "answered"):
            raise DomainError("WRONG_STATE", f"the challenge is {challenge['status']}")
        if today() > challenge["complaint_until"]:
            raise DomainError(
                "COMPLAINT_TOO_LATE",
                f"a complaint was due by {challenge['complaint_until']} (15 wd after the "
                "answer period, Law art. 55)",
                "challengeId",
            )
        project = await facts.project(challenge["project"])
        department = project["purchaser_tenant"]
        review = await rule_deadline("complaint_review", today(), department)
        decision = await rule_deadline("complaint_decision", today(), department)
        try:
            with all_tenants(SCOPE):
                inserted = await Complaint.insert(
                    Complaint(
                        tenant_id=department,
                        project=challenge["project"],
                        project_tenant=project["tenant_id"],
                        challenge=challenge_id,
                        purchaser_organisation=challenge["purchaser_organisation"],
                        agency_organisation=challenge["agency_organisation"],
                        supplier_organisation=challenge["supplier_organisation"],
                        supplier_name=challenge["supplier_name"],
                        filed_by=actor.id,
                        items=cleaned,
                        filed_on=today(),
                        review_due=review.due,
                        decision_due=decision.due,
                    )
                )
        except Exception as exc:
            if is_unique_violation(exc):
                raise DomainError("ALREADY_COMPLAINED", "this challenge is complained of") from None
            raise
        row = await get(inserted[0]["id"])
        await COMPLAINT.created(row, {"challenge": challenge_id, "department": department})
        with all_tenants(SCOPE):
            await CHALLENGE.move(None, challenge, "complain", detail={"complaint": row["id"]})
        await clocks.meet("challenge", challenge_id, "complaint_window")
        await clocks.cancel("challenge", challenge_id)
        await clocks.start(
            "complaint", row["id"], department, "review", "complaint_review", today()
        )
        await clocks.start(
            "complaint", row["id"], department, "decision", "complaint_decision", today()
        )
        await tell(
            "complaint.step",
            row,
            project,
            {"complaint_id": row["id"], "step": STEP_NAMES["filed"], "detail": ""},
            department=department,
            due=review.due,
            key=f"complaint:{row['id']}:filed",
        )
        return row


async def as_department(actor: CurrentUser, complaint_id: int) -> dict:
    """The complaint for a supervisor of its department's region (the tenant scope)."""
    actor.require(Perm.COMPLAINT_HANDLE)
    row = (
        await Complaint.select().where(Complaint.id == complaint_id).output(load_json=True).first()
    )
    if row is None:
        raise NotFound("complaint", complaint_id)
    return row


async def step(
    actor: CurrentUser | None,
    row: dict,
    action: str,
    changes: dict | None = None,
    detail: str = "",
    tell_department: bool = False,
) -> dict:
    """Move the complaint and tell its parties (in the caller's transaction)."""
    with all_tenants(SCOPE):
        moved = await COMPLAINT.move(
            actor, row, action, changes, {"detail": detail} if detail else None
        )
    project = await facts.project(row["project"])
    name = "resume" if action.startswith("resume") else action
    await tell(
        "complaint.step",
        row,
        project,
        {"complaint_id": row["id"], "step": STEP_NAMES[name], "detail": detail},
        department=row["tenant_id"] if tell_department else None,
        key=f"complaint:{row['id']}:{action}:{moved['revision']}",
    )
    return moved


def _text(text: str, field: str) -> str:
    if not 2 <= len(text.strip()) <= 8000:
        raise DomainError("INVALID_TEXT", "2 to 8000 characters", field)
    return text.strip()


@requires(Perm.COMPLAINT_HANDLE)
async def request_material(actor: CurrentUser, complaint_id: int, request: str) -> dict:
    """Once, during the review: the complainant supplies it within complaint_material."""
    request = _text(request, "request")
    async with transaction():
        row = await as_department(actor, complaint_id)
        if row["material_requested_on"] is not None:
            raise DomainError(
                "MATERIAL_ALREADY_REQUESTED",
                "missing material is asked for once (Order 94 art. 21)",
            )
        moved = await step(
            actor,
            row,
            "request_material",
            {Complaint.material_request: request, Complaint.material_requested_on: today()},
            request,
        )
        await clocks.meet("complaint", complaint_id, "review")
        await clocks.pause("complaint", complaint_id, "decision")
        await clocks.start(
            "complaint", complaint_id, row["tenant_id"], "material", "complaint_material", today()
        )
        return moved


async def _as_complainant(actor: CurrentUser, complaint_id: int) -> dict:
    row = await get(complaint_id)
    if not is_supplier(actor, row):
        raise NotFound("complaint", complaint_id)
    return row


async def _resume_decision(row: dict, since) -> dict:
    days = await clocks.resume("complaint", row["id"], "decision", since)
    decision = [
        c for c in (await clocks.of("complaint", [row["id"]]))[0] if c["name"] == "decision"
    ]
    return {
        Complaint.paused_days: row["paused_days"] + days,
        Complaint.decision_due: decision[-1]["due_on"] if decision else row["decision_due"],
    }


@requires(Perm.COMPLAINT_FILE)
async def supplement(actor: CurrentUser, complaint_id: int, material: str) -> dict:
    """The missing material: the review starts again; the decision clock runs on."""
    material = _text(material, "material")
    async with transaction():
        row = await _as_complainant(actor, complaint_id)
        COMPLAINT.next_state("supplement", row["status"])
        await clocks.meet("complaint", complaint_id, "material")
        changes = await _resume_decision(row, row["material_requested_on"])
        review = await rule_deadline("complaint_review", today(), row["tenant_id"])
        changes |= {Complaint.supplement: material, Complaint.review_due: review.due}
        moved = await step(actor, row, "supplement", changes, material, tell_department=True)
        await clocks.start(
            "complaint", complaint_id, row["tenant_id"], "review", "complaint_review", today()
        )
        return moved


async def _close(actor: CurrentUser, complaint_id: int, action: str, reason: str) -> dict:
    reason = _text(reason, "reason")
    async with transaction():
        row = await as_department(actor, complaint_id)
        moved = await step(actor, row, action, {Complaint.closing_reason: reason}, reason)
        await clocks.meet("complaint", complaint_id, "review")
        await clocks.cancel("complaint", complaint_id)
        await suspensions.end_with(complaint_id)
        return moved


@requires(Perm.COMPLAINT_HANDLE)
async def reject(actor: CurrentUser, complaint_id: int, reason: str) -> dict:
    """不予受理, with the reason (Order 94 art. 21)."""
    return await _close(actor, complaint_id, "reject", reason)


@requires(Perm.COMPLAINT_HANDLE)
async def refer(actor: CurrentUser, complaint_id: int, reason: str) -> dict:
    """Not this department's: the reason names the competent one."""
    return await _close(actor, complaint_id, "refer", reason)


@requires(Perm.COMPLAINT_HANDLE)
async def accept(actor: CurrentUser, complaint_id: int) -> dict:
    async with transaction():
        row = await as_department(actor, complaint_id)
        moved = await step(actor, row, "accept", {Complaint.accepted_on: today()})
        await clocks.meet("complaint", complaint_id, "review")
        await clocks.start(
            "complaint", complaint_id, row["tenant_id"], "copy", "complaint_copy", today()
        )
        return moved


@requires(Perm.COMPLAINT_HANDLE)
async def serve(actor: CurrentUser, complaint_id: int) -> dict:
    """The copy goes to the respondents, who answer within complaint_response."""
    async with transaction():
        row = await as_department(actor, complaint_id)
        moved = await step(actor, row, "serve", {Complaint.served_on: today()})
        await clocks.meet("complaint", complaint_id, "copy")
        await clocks.start(
            "complaint", complaint_id, row["tenant_id"], "response", "complaint_response", today()
        )
        return moved


@requires(Perm.COMPLAINT_RESPOND)
async def respond(actor: CurrentUser, complaint_id: int, statement: str) -> dict:
    statement = _text(statement, "statement")
    async with transaction():
        row = await get(complaint_id)
        if not is_respondent(actor, row):
            raise NotFound("complaint", complaint_id)
        moved = await step(
            actor,
            row,
            "respond",
            {Complaint.response: statement, Complaint.responded_on: today()},
            statement,
            tell_department=True,
        )
        await clocks.meet("complaint", complaint_id, "response")
        return moved


@requires(Perm.COMPLAINT_HANDLE)
async def pause(actor: CurrentUser, complaint_id: int, reason: str) -> dict:
    """Testing, inspection, appraisal or expert review: the decision period stands still."""
    reason = _text(reason, "reason")
    async with transaction():
        row = await as_department(actor, complaint_id)
        moved = await step(actor, row, "pause", {Complaint.paused_on: today()}, reason)
        await clocks.pause("complaint", complaint_id, "decision")
        return moved


@requires(Perm.COMPLAINT_HANDLE)
async def resume(actor: CurrentUser, complaint_id: int) -> dict:
    """The decision period runs on, its end later by the working days it stood still."""
    async with transaction():
        row = await as_department(actor, complaint_id)
        action = "resume_answered" if row["responded_on"] else "resume_served"
        COMPLAINT.next_state(action, row["status"])
        changes = await _resume_decision(row, row["paused_on"])
        return await step(actor, row, action, {**changes, Complaint.paused_on: None})


@requires(Perm.COMPLAINT_FILE)
async def withdraw(actor: CurrentUser, complaint_id: int, reason: str) -> dict:
    """The complainant withdraws: the case ends; its suspensions are lifted."""
    reason = _text(reason, "reason")
    async with transaction():
        row = await _as_complainant(actor, complaint_id)
        moved = await step(
            actor, row, "withdraw", {Complaint.closing_reason: reason}, reason, tell_department=True
        )
        await clocks.cancel("complaint", complaint_id)
        await suspensions.end_with(complaint_id)
        return moved


async def lapse(row: dict) -> None:
    """The material was not supplied in time (the scheduler): deemed withdrawn."""
    moved = await step(None, row, "lapse", tell_department=True)
    await clocks.cancel("complaint", moved["id"])
    await suspensions.end_with(moved["id"])
