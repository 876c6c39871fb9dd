"""The complaints domain's GraphQL types and inputs (the fields are in __init__.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.complaints.service import challenges, clocks, decisions
from gpcloud.complaints.workflow import CHALLENGE, COMPLAINT, COMPLAINT_CLOCK, INQUIRY, SUSPENSION
from gpcloud.core.clock import today
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum, values_enum
from gpcloud.core.graphql.permissions import Authenticated, allow
from gpcloud.core.graphql.types import UserError
from gpcloud.core.jsonutil import loads
from gpcloud.transaction import facts

SIGNED_IN = allow(Authenticated())

InquiryStatus = state_enum(
    "InquiryStatus",
    INQUIRY,
    {"open": "Awaits its answer (answerDue).", "answered": "Answered; late when after answerDue."},
)
ChallengeStatus = state_enum(
    "ChallengeStatus",
    CHALLENGE,
    {
        "claim": "Awaits the purchaser's or agency's answer (answerDue); blocks the contract "
        "when it may affect the result.",
        "answered": "Answered; the challenger may accept it or complain until complaintUntil.",
        "resolved": "The challenger accepted the answer.",
        "cancelled": "Withdrawn by the challenger.",
        "complained": "A complaint was filed on it.",
        "closed": "The complaint window passed without a complaint.",
    },
)
ComplaintStatus = state_enum(
    "ComplaintStatus",
    COMPLAINT,
    {
        "filed": "Under review by the department (reviewDue).",
        "incomplete": "The department asked for missing material; the clock stands still.",
        "accepted": "受理: the copy to the respondents is due.",
        "served": "The respondents have the copy and answer it.",
        "answered": "The respondents answered; the department investigates and decides.",
        "paused": "Testing or expert review: the decision period stands still.",
        "dismissed": "驳回: decided against the complainant.",
        "upheld": "Decided for the complainant, with a remedy.",
        "rejected": "不予受理.",
        "referred": "Not this department's: the complainant was told which one.",
        "withdrawn": "Withdrawn by the complainant: the case ended.",
        "lapsed": "The missing material did not come in time: deemed withdrawn.",
    },
)
SuspensionStatus = state_enum(
    "SuspensionStatus",
    SUSPENSION,
    {
        "active": "The procurement is halted until endsOn.",
        "lifted": "Lifted by the department (or with the complaint's end).",
        "expired": "Its last day ended.",
    },
)
ClockStatus = state_enum(
    "StatutoryClockStatus",
    COMPLAINT_CLOCK,
    {
        "open": "Running: the step is due by dueOn.",
        "met": "The step was taken in time.",
        "missed": "Its day ended without the step: overdue.",
        "paused": "Standing still (Regulation art. 58).",
        "cancelled": "The filing ended before it.",
    },
)
ChallengeTarget = values_enum(
    "ChallengeTarget",
    challenges.TARGETS,
    "What a challenge is against (it fixes the day the supplier should have known).",
    {
        "documents": "The procurement documents: known when obtained, else when their "
        "availability ended.",
        "step": "A procedure step (see `step`): known when it ended.",
        "result": "The result: known when its notice period ended.",
    },
)
ProcedureStep = values_enum(
    "ProcedureStep", facts.STEPS, "A procedure step that may be challenged or redone.", facts.STEPS
)
DecisionOutcome = values_enum(
    "ComplaintOutcome",
    decisions.OUTCOMES,
    "How a complaint was decided.",
    {"dismissed": "驳回: not founded.", "upheld": "Founded: a remedy is ordered."},
)
Remedy = values_enum(
    "ComplaintRemedy",
    decisions.REMEDIES,
    "What an upheld complaint orders (Order 94 arts. 31-32, unverified).",
    {k: v or "Nothing (a dismissal)." for k, v in decisions.REMEDIES.items()},
)

# The arguments the lists share (the queries in __init__.py and the supervisors' in
# supervision.py).
ProjectArg = Annotated[
    strawberry.ID | None, strawberry.argument(description="Only those of this project.")
]
First = Annotated[int | None, strawberry.argument(description="Page size.")]
After = Annotated[str | None, strawberry.argument(description="The cursor to continue after.")]


def _json(value):
    """A JSON column as read (a row returned by a transition's UPDATE ... RETURNING has it as
    text)."""
    return loads(value) if isinstance(value, str) else value


@strawberry.type(description="A statutory limit of a filing: its rule, due day and state.")
class StatutoryClock:
    name: str = strawberry.field(description="Which limit: answer, review, material, copy, ...")
    rule: str = strawberry.field(description="The rule (RULES.md as data) that sets it.")
    due_on: date = strawberry.field(description="Its last day (working days on the calendar).")
    status: ClockStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    steps: list[str] = strawberry.field(
        directives=[ListSize(max=40)], description="How the due day was computed."
    )
    met_on: date | None = strawberry.field(description="When the step was taken in time.")

    @classmethod
    def of(cls, row: dict) -> StatutoryClock:
        return cls(
            name=row["name"],
            rule=row["rule"],
            due_on=row["due_on"],
            status=ClockStatus(row["status"]),
            steps=list(_json(row["steps"])),
            met_on=row["met_on"],
        )


async def _clocks(info: Info, kind: str, object_id: int) -> list[StatutoryClock]:
    loader = info.context.loaders.get(f"complaint_clocks:{kind}", lambda ids: clocks.of(kind, ids))
    return [StatutoryClock.of(r) for r in await loader.load(object_id)]


@strawberry.interface(description="A filing about a project, with the project's parties.")
class Filing:
    project_id: strawberry.ID = strawberry.field(description="The project.")
    supplier_organisation_id: strawberry.ID = strawberry.field(description="The supplier.")
    purchaser_organisation_id: strawberry.ID = strawberry.field(description="The purchaser.")
    agency_organisation_id: strawberry.ID = strawberry.field(description="Its agency.")


def _parties(row: dict) -> dict:
    return {
        "project_id": strawberry.ID(str(row["project"])),
        "supplier_organisation_id": strawberry.ID(str(row["supplier_organisation"])),
        "purchaser_organisation_id": strawberry.ID(str(row["purchaser_organisation"])),
        "agency_organisation_id": strawberry.ID(str(row["agency_organisation"])),
    }


@strawberry.type(description="询问: a supplier's question on a procurement, answered in 3 wd.")
class Inquiry(Filing):
    id: strawberry.ID
    text: str = strawberry.field(description="The question.")
    answer: str = strawberry.field(description="The answer; empty while open.")
    asked_on: date = strawberry.field(description="When it was asked.")
    answer_due: date = strawberry.field(description="The answer's last day (inquiry_answer).")
    answered_on: date | None = strawberry.field(description="When it was answered.")
    status: InquiryStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]

    @classmethod
    def of(cls, row: dict) -> Inquiry:
        return cls(
            id=strawberry.ID(str(row["id"])),
            **_parties(row),
            text=row["text"],
            answer=row["answer"],
            asked_on=row["asked_on"],
            answer_due=row["answer_due"],
            answered_on=row["answered_on"],
            status=InquiryStatus(row["status"]),
        )

    @strawberry.field(
        extensions=SIGNED_IN, directives=[ListSize(max=10)], description="Its statutory limits."
    )
    async def clocks(self, info: Info) -> list[StatutoryClock]:
        return await _clocks(info, "inquiry", int(self.id))


@strawberry.type(description="One item of a challenge: what is wrong and what is asked.")
class ChallengeItem:
    claim: str = strawberry.field(description="What the supplier says is wrong.")
    facts: str = strawberry.field(description="The facts and evidence it offers.")
    request: str = strawberry.field(description="What it asks for.")


@strawberry.input(description="One item of a challenge.")
class ChallengeItemInput:
    claim: str = strawberry.field(description="What is wrong (2 to 2000 characters).")
    request: str = strawberry.field(description="What you ask for (2 to 2000 characters).")
    facts: str = strawberry.field(default="", description="Facts and evidence.")

    def to_service(self) -> dict:
        return {"claim": self.claim, "facts": self.facts, "request": self.request}


@strawberry.type(
    description="质疑: a supplier's challenge of a project's documents, step or result, one "
    "filing per step; the purchaser or agency answers within 7 wd."
)
class Challenge(Filing):
    id: strawberry.ID
    supplier_name: str = strawberry.field(description="The challenger.")
    target: ChallengeTarget = strawberry.field(description="What it is against.")  # type: ignore[valid-type]
    step: str = strawberry.field(description="The step: documents, result or a procedure step.")
    items: list[ChallengeItem] = strawberry.field(
        directives=[ListSize(max=20)], description="Everything challenged there."
    )
    affects_result: bool = strawberry.field(
        description="May affect the result: blocks the contract until answered (art. 54)."
    )
    known_on: date = strawberry.field(description="The day the supplier should have known.")
    known_basis: str = strawberry.field(description="Why that day (Regulation art. 53).")
    window_end: date = strawberry.field(description="The last day it could be filed.")
    filed_on: date = strawberry.field(description="When it was filed.")
    answer_due: date = strawberry.field(description="The answer's last day (challenge_answer).")
    complaint_until: date = strawberry.field(description="The last day to complain.")
    answer: str = strawberry.field(description="The answer; empty until answered.")
    answered_on: date | None = strawberry.field(description="When it was answered.")
    answered_late: bool = strawberry.field(description="Answered after answerDue.")
    overdue: bool = strawberry.field(description="Unanswered past answerDue.")
    status: ChallengeStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    remedy: Remedy = strawberry.field(  # type: ignore[valid-type]
        description="Found justified: what the answer ordered (Order 94 art. 16); NONE otherwise."
    )
    remedy_step: str = strawberry.field(description="The step to redo, for REDO_STEP.")
    carried_out: list[RemedyStep] = strawberry.field(
        description="What the answer's remedy moved: the project, its contracts.",
        directives=[ListSize(max=100)],
    )

    @classmethod
    def of(cls, row: dict) -> Challenge:
        return cls(
            id=strawberry.ID(str(row["id"])),
            **_parties(row),
            supplier_name=row["supplier_name"],
            target=ChallengeTarget(row["target"]),
            step=row["step"],
            items=[ChallengeItem(**i) for i in _json(row["items"])],
            affects_result=row["affects_result"],
            known_on=row["known_on"],
            known_basis=row["known_basis"],
            window_end=row["window_end"],
            filed_on=row["filed_on"],
            answer_due=row["answer_due"],
            complaint_until=row["complaint_until"],
            answer=row["answer"],
            answered_on=row["answered_on"],
            answered_late=row["answered_late"],
            overdue=row["status"] == "claim" and today() > row["answer_due"],
            status=ChallengeStatus(row["status"]),
            remedy=Remedy(row.get("remedy") or "none"),
            remedy_step=row.get("remedy_step") or "",
            carried_out=[RemedyStep.of(step) for step in _json(row.get("carried_out")) or []],
        )

    @strawberry.field(
        extensions=SIGNED_IN, directives=[ListSize(max=10)], description="Its statutory limits."
    )
    async def clocks(self, info: Info) -> list[StatutoryClock]:
        return await _clocks(info, "challenge", int(self.id))


@strawberry.type(description="One item of a complaint: a challenged item and the request.")
class ComplaintItem:
    item: int = strawberry.field(description="The challenged item's index (from 0).")
    claim: str = strawberry.field(description="The claim, as challenged.")
    request: str = strawberry.field(description="What the complainant asks the department.")


@strawberry.input(description="One item of a complaint: it names a challenged item.")
class ComplaintItemInput:
    item: int = strawberry.field(description="The challenged item's index (from 0).")
    request: str = strawberry.field(description="What you ask the department (2 to 2000).")

    def to_service(self) -> dict:
        return {"item": self.item, "request": self.request}


@strawberry.type(description="One transition an upheld complaint's remedy took.")
class RemedyStep:
    object: str = strawberry.field(description="project or contract.")
    object_id: strawberry.ID = strawberry.field(description="The project's or contract's id.")
    before: str = strawberry.field(description="Its status before the decision.")
    after: str = strawberry.field(description="Its status after it (redo, annulled, void).")

    @classmethod
    def of(cls, step: dict) -> RemedyStep:
        return cls(
            object=step["object"],
            object_id=strawberry.ID(str(step["id"])),
            before=step["from"],
            after=step["to"],
        )


@strawberry.type(description="投诉处理决定: published on the portal; public.")
class ComplaintDecision:
    id: strawberry.ID
    carried_out: list[RemedyStep] = strawberry.field(
        description="What the remedy moved with the decision (Implementing Regulation art. 71): "
        "the project to redo or annulled, its contracts void.",
        directives=[ListSize(max=100)],
    )
    complaint_id: strawberry.ID = strawberry.field(description="The complaint decided.")
    project_id: strawberry.ID = strawberry.field(description="The project.")
    outcome: DecisionOutcome = strawberry.field(description="Dismissed or upheld.")  # type: ignore[valid-type]
    groundless: bool = strawberry.field(description="Dismissed as groundless (counts to 3).")
    remedy: Remedy = strawberry.field(description="What it orders.")  # type: ignore[valid-type]
    step: str = strawberry.field(description="The step to redo, for redo_step.")
    reasons: str = strawberry.field(description="The reasons.")
    document: str = strawberry.field(description="The decision's document number.")
    decided_on: date = strawberry.field(description="When it was decided.")

    @classmethod
    def of(cls, row: dict) -> ComplaintDecision:
        return cls(
            id=strawberry.ID(str(row["id"])),
            complaint_id=strawberry.ID(str(row["complaint"])),
            project_id=strawberry.ID(str(row["project"])),
            outcome=DecisionOutcome(row["outcome"]),
            groundless=row["groundless"],
            remedy=Remedy(row["remedy"]),
            step=row["step"],
            reasons=row["reasons"],
            document=row["document"],
            decided_on=row["decided_on"],
            carried_out=[RemedyStep.of(step) for step in _json(row.get("carried_out")) or []],
        )


@strawberry.input(description="A complaint's decision.")
class DecisionInput:
    outcome: DecisionOutcome = strawberry.field(description="Dismissed or upheld.")  # type: ignore[valid-type]
    reasons: str = strawberry.field(description="The reasons (2 to 8000 characters).")
    document: str = strawberry.field(description="The decision's document number.")
    groundless: bool = strawberry.field(default=False, description="Dismissed as groundless.")
    remedy: Remedy = strawberry.field(default="none", description="What an upheld one orders.")  # type: ignore[valid-type]
    step: ProcedureStep | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The step to redo (remedy REDO_STEP)."
    )

    def to_service(self) -> decisions.DecisionInput:
        remedy = self.remedy.value if hasattr(self.remedy, "value") else str(self.remedy)
        return decisions.DecisionInput(
            outcome=self.outcome.value,
            reasons=self.reasons,
            document=self.document,
            groundless=self.groundless,
            remedy=remedy,
            step=self.step.value if self.step else "",
        )


@strawberry.type(
    description="投诉: a challenger's complaint to the finance department of the purchaser's "
    "budget level, on what it challenged; decided within 30 wd (paused time not counted)."
)
class Complaint(Filing):
    id: strawberry.ID
    challenge_id: strawberry.ID = strawberry.field(description="The challenge complained of.")
    department_region: str = strawberry.field(description="The department's region code.")
    supplier_name: str = strawberry.field(description="The complainant.")
    items: list[ComplaintItem] = strawberry.field(
        directives=[ListSize(max=20)], description="What is complained of."
    )
    filed_on: date = strawberry.field(description="When it was filed.")
    review_due: date = strawberry.field(description="The review's last day (complaint_review).")
    material_request: str = strawberry.field(description="The missing material asked for.")
    supplement: str = strawberry.field(description="The material supplied.")
    accepted_on: date | None = strawberry.field(description="When it was accepted (受理).")
    served_on: date | None = strawberry.field(description="When the copy went to respondents.")
    response: str = strawberry.field(description="The respondents' statement.")
    decision_due: date = strawberry.field(description="The decision's last day, pauses added.")
    paused_days: int = strawberry.field(description="Working days not counted so far.")
    closing_reason: str = strawberry.field(description="Why it was rejected, referred, withdrawn.")
    status: ComplaintStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]

    @classmethod
    def of(cls, row: dict) -> Complaint:
        return cls(
            id=strawberry.ID(str(row["id"])),
            **_parties(row),
            challenge_id=strawberry.ID(str(row["challenge"])),
            department_region=row["tenant_id"],
            supplier_name=row["supplier_name"],
            items=[ComplaintItem(**i) for i in _json(row["items"])],
            filed_on=row["filed_on"],
            review_due=row["review_due"],
            material_request=row["material_request"],
            supplement=row["supplement"],
            accepted_on=row["accepted_on"],
            served_on=row["served_on"],
            response=row["response"],
            decision_due=row["decision_due"],
            paused_days=row["paused_days"],
            closing_reason=row["closing_reason"],
            status=ComplaintStatus(row["status"]),
        )

    @strawberry.field(
        extensions=SIGNED_IN, directives=[ListSize(max=20)], description="Its statutory limits."
    )
    async def clocks(self, info: Info) -> list[StatutoryClock]:
        return await _clocks(info, "complaint", int(self.id))

    @strawberry.field(extensions=SIGNED_IN, description="Its decision, once decided.")
    async def decision(self, info: Info) -> ComplaintDecision | None:
        loader = info.context.loaders.get("complaint_decisions", decisions.of_complaints)
        row = await loader.load(int(self.id))
        return ComplaintDecision.of(row) if row else None


@strawberry.type(description="暂停采购活动: a procurement halted during a complaint (<= 30 d).")
class Suspension:
    id: strawberry.ID
    project_id: strawberry.ID = strawberry.field(description="The project halted.")
    complaint_id: strawberry.ID = strawberry.field(description="The complaint it serves.")
    reason: str = strawberry.field(description="Why.")
    starts_on: date = strawberry.field(description="Its first day.")
    ends_on: date = strawberry.field(description="Its last day.")
    lifted_on: date | None = strawberry.field(description="When it was lifted early.")
    status: SuspensionStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    created_at: datetime = strawberry.field(description="When it was ordered.")
    held_timer: str | None = strawberry.field(
        description="The project's timer it holds (bidding: the bid deadline; unsealing: the "
        "decryption window), or null when none was running (Law art. 57)."
    )
    held_seconds: float | None = strawberry.field(
        description="The time that timer had left; it runs on with it when the suspension ends."
    )
    held_due_at: datetime | None = strawberry.field(
        description="When that timer was due before it was held."
    )

    @classmethod
    def of(cls, row: dict) -> Suspension:
        held = row.get("held") or {}
        if isinstance(held, str):
            held = loads(held)
        return cls(
            id=strawberry.ID(str(row["id"])),
            project_id=strawberry.ID(str(row["project"])),
            complaint_id=strawberry.ID(str(row["complaint"])),
            reason=row["reason"],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            lifted_on=row["lifted_on"],
            status=SuspensionStatus(row["status"]),
            created_at=row["created_at"],
            held_timer=held.get("timer"),
            held_seconds=float(held["remaining_seconds"]) if held else None,
            held_due_at=datetime.fromisoformat(held["was"]) if held else None,
        )


@strawberry.type(description="An inquiry as it is now, or the errors.")
class InquiryPayload:
    inquiry: Inquiry | None = strawberry.field(default=None, description="Null on errors.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A challenge as it is now, or the errors.")
class ChallengePayload:
    challenge: Challenge | None = strawberry.field(default=None, description="Null on errors.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A complaint as it is now, or the errors.")
class ComplaintPayload:
    complaint: Complaint | None = strawberry.field(default=None, description="Null on errors.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A complaint's decision, or the errors.")
class ComplaintDecisionPayload:
    decision: ComplaintDecision | None = strawberry.field(
        default=None, description="Null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A suspension as it is now, or the errors.")
class SuspensionPayload:
    suspension: Suspension | None = strawberry.field(default=None, description="Null on errors.")
    errors: list[UserError] = strawberry.field(default_factory=list)
