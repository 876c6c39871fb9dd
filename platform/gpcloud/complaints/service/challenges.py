"""Challenges (质疑): a supplier whose rights are affected challenges the documents, a procedure
step or the result, in writing, within challenge_window (7 wd, Law art. 52) of the day it knew
or should have known, computed per target (Regulation art. 53): the documents, the day it
obtained them (else the end of their availability); a step, the day it ended; the result, the
end of its notice period. Every item against one step is one filing (one per supplier and step:
`filing_key`). The purchaser or agency answers within challenge_answer (7 wd, Law art. 53), to
the challenger and the other suppliers concerned. While a challenge that may affect the result
is unanswered, the contract is not signed, or its performance stands still (Regulation art. 54:
hooks.py tells transaction and contracts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gpcloud.complaints.service import clocks, remedies
from gpcloud.complaints.service.common import SCOPE, is_respondent, is_supplier, readable, tell
from gpcloud.complaints.tables import Challenge
from gpcloud.complaints.workflow import CHALLENGE
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import today
from gpcloud.core.db import is_unique_violation, transaction
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.rules.service import rule_deadline
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import facts

TARGETS = ("documents", "step", "result")
MAX_ITEMS = 20


@dataclass(frozen=True)
class ChallengeInput:
    project_id: int
    target: str
    items: list[dict]  # [{"claim": str, "facts": str, "request": str}]
    step: str = ""  # for target "step": one of transaction.facts.STEPS
    affects_result: bool = True


def _items(items: list[dict]) -> list[dict]:
    problems = []
    if not 1 <= len(items) <= MAX_ITEMS:
        problems.append(Problem("INVALID_ITEMS", f"1 to {MAX_ITEMS} items", "items"))
    cleaned = []
    for i, item in enumerate(items[:MAX_ITEMS]):
        claim = str(item.get("claim", "")).strip()
        request = str(item.get("request", "")).strip()
        if not 2 <= len(claim) <= 2000 or not 2 <= len(request) <= 2000:
            problems.append(
                Problem(
                    "INVALID_ITEMS", "a claim and a request of 2 to 2000 characters", f"items[{i}]"
                )
            )
        cleaned.append(
            {"claim": claim, "facts": str(item.get("facts", "")).strip(), "request": request}
        )
    if problems:
        raise DomainError.many(problems)
    return cleaned


async def known_on(
    project_id: int, organisation_id: int, target: str, step: str
) -> tuple[str, date, str]:
    """(step key, the day the supplier knew or should have known, why that day)."""
    if target == "documents":
        got = await facts.obtained_on(project_id, organisation_id)
        if got is not None:
            return "documents", got, f"obtained the documents on {got} (Regulation art. 53(1))"
        until = await facts.documents_available_until(project_id)
        if until is None:
            raise DomainError("STEP_NOT_ENDED", "the documents are not published", "target")
        return "documents", until, f"the documents were available until {until} (art. 53(1))"
    if target == "result":
        end = await facts.result_period_end(project_id)
        if end is None:
            raise DomainError("STEP_NOT_ENDED", "no result is published", "target")
        return "result", end, f"the result's notice period ended on {end} (art. 53(3))"
    if target != "step":
        raise DomainError("INVALID_TARGET", f"one of {', '.join(TARGETS)}", "target")
    ended = await facts.step_ended(project_id, step)
    if ended is None:
        raise DomainError("STEP_NOT_ENDED", f"the project's {step} has not ended", "step")
    return step, ended, f"{facts.STEPS[step]} on {ended} (art. 53(2))"


async def get(challenge_id: int) -> dict:
    with all_tenants(SCOPE):
        row = (
            await Challenge.select()
            .where(Challenge.id == challenge_id)
            .output(load_json=True)
            .first()
        )
    if row is None:
        raise NotFound("challenge", challenge_id)
    return row


@requires(Perm.CHALLENGE_FILE)
async def file(actor: CurrentUser, data: ChallengeInput) -> dict:
    items = _items(data.items)
    project = await facts.project(data.project_id)
    if project["status"] == "entrusted":
        raise NotFound("project", data.project_id)
    if data.target != "documents" and actor.organisation_id not in await facts.suppliers(
        data.project_id
    ):
        raise DomainError(
            "NOT_A_PARTY",
            "only a supplier that took part challenges a step or the result",
            "target",
        )
    step, known, basis = await known_on(
        data.project_id, actor.organisation_id, data.target, data.step
    )
    tenant = project["tenant_id"]
    window = await rule_deadline("challenge_window", known, tenant)
    if today() > window.due:
        raise DomainError(
            "CHALLENGE_TOO_LATE",
            f"{basis}; the challenge window ended on {window.due}: " + "; ".join(window.steps),
            "target",
        )
    answer_due = await rule_deadline("challenge_answer", today(), tenant)
    complaint_until = await rule_deadline("complaint_window", answer_due.due, tenant)
    with all_tenants(SCOPE):
        org = (
            await Organisation.select(Organisation.name)
            .where(Organisation.id == actor.organisation_id)
            .first()
        )
    key = f"{data.project_id}:{actor.organisation_id}:{step}"
    try:
        async with transaction():
            with all_tenants(SCOPE):
                if await Challenge.exists().where(Challenge.filing_key == key):
                    raise DomainError(
                        "ALREADY_CHALLENGED",
                        f"your challenge of this project's {step} is filed: all challenges "
                        "against one step go in one filing",
                        "target",
                    )
                inserted = await Challenge.insert(
                    Challenge(
                        tenant_id=tenant,
                        project=data.project_id,
                        purchaser_organisation=project["purchaser_organisation"],
                        agency_organisation=project["agency_organisation"],
                        supplier_organisation=actor.organisation_id,
                        supplier_name=org["name"],
                        filed_by=actor.id,
                        target=data.target,
                        step=step,
                        filing_key=key,
                        items=items,
                        affects_result=data.affects_result,
                        known_on=known,
                        known_basis=basis,
                        window_end=window.due,
                        filed_on=today(),
                        answer_due=answer_due.due,
                        complaint_until=complaint_until.due,
                    )
                )
            row = await get(inserted[0]["id"])
            await CHALLENGE.created(
                row, {"project": data.project_id, "step": step, "known_on": str(known)}
            )
            await clocks.start(
                "challenge", row["id"], tenant, "answer", "challenge_answer", today()
            )
            await clocks.start(
                "challenge",
                row["id"],
                tenant,
                "complaint_window",
                "complaint_window",
                answer_due.due,
            )
            await tell(
                "challenge.step",
                row,
                project,
                {"challenge_id": row["id"], "step": "待答复", "detail": basis},
                supplier=False,
                due=answer_due.due,
            )
            return row
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError(
                "ALREADY_CHALLENGED", f"your challenge of this project's {step} is filed", "target"
            ) from None
        raise


REMEDIES = ("none", "redo_step", "retender", "award_void", "contract_void")


@requires(Perm.CHALLENGE_ANSWER)
async def answer(
    actor: CurrentUser, challenge_id: int, text: str, remedy: str = "none", step: str = ""
) -> dict:
    """In writing, to the challenger and every other supplier of the project. A challenge found
    justified that affects the result is remedied by the respondent (Order 94 art. 16,
    unverified): the result set aside and the winner chosen again (award_void, contract_void,
    redo_step evaluation) or the procurement run again (retender, an earlier step), carried out
    with the answer (service/remedies.py)."""
    if not 2 <= len(text.strip()) <= 8000:
        raise DomainError("INVALID_ANSWER", "an answer of 2 to 8000 characters", "text")
    if remedy not in REMEDIES:
        raise DomainError("INVALID_REMEDY", f"one of {', '.join(REMEDIES)}", "remedy")
    if remedy == "redo_step" and step not in facts.STEPS:
        raise DomainError("INVALID_STEP", f"one of {', '.join(facts.STEPS)}", "step")
    async with transaction():
        row = await readable(actor, Challenge, "challenge", challenge_id)
        if not is_respondent(actor, row):
            raise NotFound("challenge", challenge_id)
        late = today() > row["answer_due"]
        with all_tenants(SCOPE):
            moved = await CHALLENGE.move(
                actor,
                row,
                "answer",
                {
                    Challenge.answer: text.strip(),
                    Challenge.answered_on: today(),
                    Challenge.answered_by: actor.id,
                    Challenge.answered_late: late,
                    Challenge.remedy: remedy,
                    Challenge.remedy_step: step if remedy == "redo_step" else "",
                },
                {"late": late, "remedy": remedy},
            )
            done = await remedies.carry_out(
                remedy, step, row["project"], f"challenge:{challenge_id}"
            )
            if done:
                await Challenge.update({Challenge.carried_out: done}).where(
                    Challenge.id == challenge_id
                )
                moved = {**moved, "carried_out": done}
        await clocks.meet("challenge", challenge_id, "answer")
        project = await facts.project(row["project"])
        await tell(
            "challenge.step",
            row,
            project,
            {"challenge_id": challenge_id, "step": "已答复", "detail": text.strip()},
            respondents=False,
            others=tuple(sorted(await facts.suppliers(row["project"]))),
            key=f"challenge:{challenge_id}:answered",
        )
        return moved


async def _by_challenger(actor: CurrentUser, challenge_id: int, action: str) -> dict:
    async with transaction():
        row = await readable(actor, Challenge, "challenge", challenge_id)
        if not is_supplier(actor, row):
            raise NotFound("challenge", challenge_id)
        with all_tenants(SCOPE):
            moved = await CHALLENGE.move(actor, row, action)
        await clocks.cancel("challenge", challenge_id)
        project = await facts.project(row["project"])
        step = {"cancel": "已撤回", "resolve": "已接受答复"}[action]
        await tell(
            "challenge.step",
            row,
            project,
            {"challenge_id": challenge_id, "step": step, "detail": ""},
            supplier=False,
            key=f"challenge:{challenge_id}:{action}",
        )
        return moved


@requires(Perm.CHALLENGE_FILE)
async def withdraw(actor: CurrentUser, challenge_id: int) -> dict:
    return await _by_challenger(actor, challenge_id, "cancel")


@requires(Perm.CHALLENGE_FILE)
async def accept_answer(actor: CurrentUser, challenge_id: int) -> dict:
    return await _by_challenger(actor, challenge_id, "resolve")


async def blocking(project_id: int) -> list[dict]:
    """Unanswered challenges of the project that may affect its result (Regulation art. 54)."""
    with all_tenants(SCOPE):
        return (
            await Challenge.select()
            .where(
                (Challenge.project == project_id)
                & (Challenge.status == "claim")
                & (Challenge.affects_result == True)  # noqa: E712 (a column condition)
            )
            .order_by(Challenge.id)
        )
