"""The evaluation's API types: the evaluation as its reader sees it (a member: its own row, the
bids only after check-in; the agency, the purchaser and the region's staff: all of it), the
scores (nobody else's before one's own are submitted), the requests to bidders and the report."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry.types import Info

from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum
from gpcloud.core.graphql.permissions import Authenticated, allow
from gpcloud.core.graphql.types import UserError
from gpcloud.core.money import to_yuan
from gpcloud.evaluation.service import evaluations, reports, scores
from gpcloud.evaluation.workflow import ATTENDANCE, CORRECTION, EVALUATION, LOW_PRICE, REPORT

ANYONE = allow(Authenticated())  # the services decide whose rows an account sees

EvaluationStatus = state_enum(
    "EvaluationStatus",
    EVALUATION,
    {
        "reviewing": "Check-in, reviews and scoring are under way.",
        "reported": "The report is frozen with its digest.",
    },
)
AttendanceStatus = state_enum(
    "EvaluationMemberStatus",
    ATTENDANCE,
    {
        "absent": "Not checked in yet: sees no bids.",
        "present": "Checked in by face verification; reviewing and scoring.",
        "scored": "Scores submitted: final; sees the others' scores.",
        "signed": "Signed the report (with a dissent, if any).",
    },
)
CorrectionStatus = state_enum(
    "PriceCorrectionStatus",
    CORRECTION,
    {
        "proposed": "Waiting for the bidder's answer.",
        "confirmed": "The bidder confirmed: the corrected price binds.",
        "refused": "The bidder refused: the bid is invalid.",
    },
)
LowPriceStatus = state_enum(
    "LowPriceInquiryStatus",
    LOW_PRICE,
    {
        "requested": "The bidder is asked to explain by the deadline.",
        "explained": "Explained; the committee decides.",
        "justified": "The committee accepted the price.",
        "unjustified": "Not justified or not explained: the bid is invalid.",
    },
)
ReportStatus = state_enum(
    "EvaluationReportStatus",
    REPORT,
    {
        "signing": "Frozen; the members sign.",
        "signed": "Every member signed: the agency sends it within 2 working days.",
        "sent": "Sent to the purchaser, who confirms the winner within 5 working days.",
        "confirmed": "The purchaser confirmed the winner.",
    },
)


@strawberry.type(description="A scoring criterion of the documents and its full marks.")
class EvaluationCriterion:
    key: str = strawberry.field(description="The criterion as the documents name it.")
    max_points: Decimal = strawberry.field(description="Its full marks.")


@strawberry.type(description="A member of the committee at the evaluation.")
class EvaluationMember:
    id: strawberry.ID
    expert_id: strawberry.ID = strawberry.field(description="The expert in the registry.")
    status: AttendanceStatus = strawberry.field(description="Where the member stands.")  # type: ignore[valid-type]
    face_attempts: int = strawberry.field(description="Face comparisons made (each billed).")
    checked_in_at: datetime | None = strawberry.field(description="When checked in (fees).")
    scored_at: datetime | None = strawberry.field(description="When the scores were submitted.")
    dissent: str = strawberry.field(
        description="The dissent signed with its reason; empty: agrees."
    )
    signed_at: datetime | None = strawberry.field(description="When the report was signed.")

    @classmethod
    def of(cls, row: dict) -> EvaluationMember:
        return cls(
            id=strawberry.ID(str(row["id"])),
            expert_id=strawberry.ID(str(row["expert"])),
            status=AttendanceStatus(row["status"]),
            face_attempts=row["face_attempts"],
            checked_in_at=row["checked_in_at"],
            scored_at=row["scored_at"],
            dissent=row["dissent"],
            signed_at=row["signed_at"],
        )


@strawberry.type(description="A review item's finding for one bid.")
class ReviewFinding:
    stage: str = strawberry.field(description="qualification or compliance.")
    item: str = strawberry.field(description="The documents' item.")
    passed: bool = strawberry.field(description="Passed; false with the reason.")
    reason: str = strawberry.field(description="Why it failed.")


@strawberry.type(description="A bid unsealed at the opening, as the committee evaluates it.")
class EvaluationBid:
    id: strawberry.ID
    supplier_name: str = strawberry.field(description="The bidder.")
    price: Decimal = strawberry.field(description="The price read at the opening, yuan.")
    small_micro: bool = strawberry.field(description="Small/micro: registry and declaration.")
    findings: list[ReviewFinding] = strawberry.field(
        description="Its review findings.", directives=[ListSize(max=100)]
    )


@strawberry.type(description="One member's points on one criterion of one bid.")
class Score:
    member_id: strawberry.ID = strawberry.field(description="The member who scored.")
    bid_id: strawberry.ID = strawberry.field(description="The bid scored.")
    criterion: str = strawberry.field(description="The documents' criterion.")
    points: Decimal = strawberry.field(description="Points, 2 places.")

    @classmethod
    def of(cls, row: dict) -> Score:
        return cls(
            member_id=strawberry.ID(str(row["member"])),
            bid_id=strawberry.ID(str(row["bid"])),
            criterion=row["criterion"],
            points=Decimal(row["points_hundredths"]) / 100,
        )


@strawberry.type(description="An arithmetic correction of a bid's price.")
class PriceCorrection:
    id: strawberry.ID
    bid_id: strawberry.ID = strawberry.field(description="The bid corrected.")
    corrected_price: Decimal = strawberry.field(description="The corrected price, yuan.")
    status: CorrectionStatus = strawberry.field(description="The bidder's answer.")  # type: ignore[valid-type]

    @classmethod
    def of(cls, row: dict) -> PriceCorrection:
        return cls(
            id=strawberry.ID(str(row["id"])),
            bid_id=strawberry.ID(str(row["bid"])),
            corrected_price=to_yuan(row["corrected_fen"]),
            status=CorrectionStatus(row["status"]),
        )


@strawberry.type(description="An abnormally low price: the explanation asked and the decision.")
class LowPriceInquiry:
    id: strawberry.ID
    bid_id: strawberry.ID = strawberry.field(description="The bid flagged.")
    triggers: list[str] = strawberry.field(
        description="The triggers it met.", directives=[ListSize(max=5)]
    )
    explain_by: datetime = strawberry.field(description="Explain before this instant.")
    explanation: str = strawberry.field(description="The bidder's explanation.")
    decision_reason: str = strawberry.field(description="The committee's reason.")
    status: LowPriceStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]

    @classmethod
    def of(cls, row: dict) -> LowPriceInquiry:
        return cls(
            id=strawberry.ID(str(row["id"])),
            bid_id=strawberry.ID(str(row["bid"])),
            triggers=json.loads(row["triggers"]),
            explain_by=row["explain_by"],
            explanation=row["explanation"],
            decision_reason=row["decision_reason"],
            status=LowPriceStatus(row["status"]),
        )


@strawberry.type(description="The evaluation report, frozen with its sha256 and signed.")
class EvaluationReport:
    id: strawberry.ID
    status: ReportStatus = strawberry.field(description="Where the report stands.")  # type: ignore[valid-type]
    digest: str = strawberry.field(description="sha256 of the content as frozen.")
    content: str = strawberry.field(
        description="The report as JSON: ranking, scores, invalid bids and why, committee."
    )
    frozen_at: datetime = strawberry.field(description="When it was frozen.")
    signed_at: datetime | None = strawberry.field(description="When the last member signed.")
    send_by: date | None = strawberry.field(description="Send to the purchaser by this day.")
    sent_at: datetime | None = strawberry.field(description="When the agency sent it.")
    confirm_by: date | None = strawberry.field(description="Confirm the winner by this day.")
    winner_bid_id: strawberry.ID | None = strawberry.field(description="The confirmed winner.")
    against_ranking: str = strawberry.field(description="The legal reason's code, if any.")
    confirmed_at: datetime | None = strawberry.field(description="When the winner was confirmed.")

    @classmethod
    def of(cls, row: dict) -> EvaluationReport:
        return cls(
            id=strawberry.ID(str(row["id"])),
            status=ReportStatus(row["status"]),
            digest=row["digest"],
            content=row["content"],
            frozen_at=row["frozen_at"],
            signed_at=row["signed_at"],
            send_by=row["send_by"],
            sent_at=row["sent_at"],
            confirm_by=row["confirm_by"],
            winner_bid_id=strawberry.ID(str(row["winner"])) if row["winner"] else None,
            against_ranking=row["against_ranking"],
            confirmed_at=row["confirmed_at"],
        )


@strawberry.type(description="A bidder's own outcome: its rank and score, or why it was invalid.")
class MyEvaluationResult:
    bid_id: strawberry.ID = strawberry.field(description="Your bid.")
    won: bool = strawberry.field(description="Confirmed as the winner.")
    rank: int | None = strawberry.field(description="Your rank; null when invalid.")
    total: Decimal | None = strawberry.field(description="Your total score (comprehensive).")
    evaluated_price: Decimal | None = strawberry.field(description="Your evaluated price, yuan.")
    invalid_reason: str | None = strawberry.field(description="Why your bid was invalid.")


@strawberry.type(description="An evaluation of a committee that started.")
class Evaluation:
    id: strawberry.ID
    committee_id: strawberry.ID = strawberry.field(description="The committee.")
    project_id: strawberry.ID = strawberry.field(description="The project.")
    lot: str = strawberry.field(description='The lot; "" for the whole project.')
    method: str = strawberry.field(description="comprehensive or lowest_price.")
    status: EvaluationStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    criteria: list[EvaluationCriterion] = strawberry.field(
        description="The documents' criteria.", directives=[ListSize(max=50)]
    )
    price_weight: Decimal = strawberry.field(description="Points the price carries.")
    qualification_items: list[str] = strawberry.field(
        description="The qualification review's items.", directives=[ListSize(max=100)]
    )
    compliance_items: list[str] = strawberry.field(
        description="The compliance review's items.", directives=[ListSize(max=100)]
    )
    _row: strawberry.Private[dict]
    _member: strawberry.Private[dict | None]

    @classmethod
    def of(cls, row: dict, member: dict | None = None) -> Evaluation:
        scale = evaluations.scale(row)
        return cls(
            id=strawberry.ID(str(row["id"])),
            committee_id=strawberry.ID(str(row["committee"])),
            project_id=strawberry.ID(str(row["project"])),
            lot=row["lot"],
            method=row["method"],
            status=EvaluationStatus(row["status"]),
            criteria=[
                EvaluationCriterion(key=c["key"], max_points=Decimal(c["max_points"]))
                for c in scale["criteria"]
            ],
            price_weight=Decimal(scale["price_weight"]),
            qualification_items=scale["qualification"],
            compliance_items=scale["compliance"],
            _row=row,
            _member=member,
        )

    @strawberry.field(
        extensions=ANYONE,
        description="The members (a member: itself only).",
        directives=[ListSize(max=30)],
    )
    async def members(self) -> list[EvaluationMember]:
        if self._member is not None:
            return [EvaluationMember.of(self._member)]
        return [EvaluationMember.of(m) for m in await evaluations.members(self._row["id"])]

    @strawberry.field(
        extensions=ANYONE,
        description="The bids with their findings (a member: only after check-in).",
        directives=[ListSize(max=200)],
    )
    async def bids(self) -> list[EvaluationBid]:
        if self._member is not None and self._member["status"] == "absent":
            return []
        found: dict[int, list[ReviewFinding]] = {}
        for f in await evaluations.findings(self._row["id"]):
            found.setdefault(f["bid"], []).append(
                ReviewFinding(
                    stage=f["stage"], item=f["item"], passed=f["passed"], reason=f["reason"]
                )
            )
        return [
            EvaluationBid(
                id=strawberry.ID(str(b["id"])),
                supplier_name=b["supplier_name"],
                price=to_yuan(b["price_fen"]),
                small_micro=b["small_micro"],
                findings=found.get(b["id"], []),
            )
            for b in await evaluations.bids(self._row["id"])
        ]

    @strawberry.field(
        extensions=ANYONE,
        description="Scores you may see: a member its own, everybody's once it submitted; "
        "readers everybody's once the report is frozen.",
        directives=[ListSize(max=20000)],
    )
    async def scores(self, info: Info) -> list[Score]:
        return [Score.of(r) for r in await scores.visible(info.context.user, self._row["id"])]

    @strawberry.field(
        extensions=ANYONE,
        description="Corrections and low-price inquiries (a member: only after check-in).",
        directives=[ListSize(max=200)],
    )
    async def price_corrections(self) -> list[PriceCorrection]:
        if self._member is not None and self._member["status"] == "absent":
            return []
        return [PriceCorrection.of(r) for r in await evaluations.corrections(self._row["id"])]

    @strawberry.field(
        extensions=ANYONE,
        description="Low-price inquiries (a member: only after check-in).",
        directives=[ListSize(max=200)],
    )
    async def low_price_inquiries(self) -> list[LowPriceInquiry]:
        if self._member is not None and self._member["status"] == "absent":
            return []
        return [LowPriceInquiry.of(r) for r in await evaluations.low_prices(self._row["id"])]

    @strawberry.field(extensions=ANYONE, description="The report, once frozen (purchaser: sent).")
    async def report(self, info: Info) -> EvaluationReport | None:
        row = await reports.readable(info.context.user, self._row["id"])
        return EvaluationReport.of(row) if row else None


@strawberry.type(description="The result of an evaluation mutation.")
class EvaluationPayload:
    evaluation: Evaluation | None = strawberry.field(
        default=None, description="The evaluation, unless there were errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The result of a member's step (check-in, scores, signature).")
class EvaluationMemberPayload:
    member: EvaluationMember | None = strawberry.field(
        default=None, description="Your membership as it stands."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The result of recording scores.")
class ScoresPayload:
    scores: list[Score] = strawberry.field(
        default_factory=list, description="Your points for the bid.", directives=[ListSize(max=50)]
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The result of recording a review finding.")
class ReviewFindingPayload:
    finding: ReviewFinding | None = strawberry.field(default=None, description="The finding.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The result of a price correction step.")
class PriceCorrectionPayload:
    correction: PriceCorrection | None = strawberry.field(default=None, description="It.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The result of a low-price inquiry step.")
class LowPriceInquiryPayload:
    inquiry: LowPriceInquiry | None = strawberry.field(default=None, description="It.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The result of a report step.")
class EvaluationReportPayload:
    report: EvaluationReport | None = strawberry.field(default=None, description="The report.")
    errors: list[UserError] = strawberry.field(default_factory=list)
