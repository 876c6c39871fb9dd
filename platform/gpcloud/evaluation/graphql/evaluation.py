"""The evaluation's API: opening it, check-in, the reviews, scores, requests to bidders and
their answers, the report's steps (types in evaluation_types.py). Each mutation is one
transaction; a face that does not match is committed (the comparison is billed) and reported in
the payload's errors."""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.mutations import run_mutation, run_payload
from gpcloud.core.graphql.permissions import Requires, SubsystemLive, allow
from gpcloud.core.graphql.types import UserError, parse_id
from gpcloud.evaluation.graphql.evaluation_types import (
    ANYONE,
    Evaluation,
    EvaluationMember,
    EvaluationMemberPayload,
    EvaluationPayload,
    EvaluationReport,
    EvaluationReportPayload,
    MyEvaluationResult,
    ReviewFinding,
    ReviewFindingPayload,
    Score,
    ScoresPayload,
)
from gpcloud.evaluation.service import (
    checkin,
    evaluations,
    reports,
    results,
    reviews,
    scores,
)

EVALUATION_ID = Annotated[strawberry.ID, strawberry.argument(description="The evaluation.")]
BID_ID = Annotated[strawberry.ID, strawberry.argument(description="A bid of the evaluation.")]
ITEM = Annotated[str, strawberry.argument(description="The documents' review item.")]
PASSED = Annotated[bool, strawberry.argument(description="Whether the bid passes the item.")]
REASON = Annotated[str, strawberry.argument(description="Why (required when it fails).")]
LIVE = SubsystemLive("transaction")
MANAGERS = allow(Requires(Perm.COMMITTEE_MANAGE), LIVE)
MEMBERS = allow(Requires(Perm.EVALUATION_CONDUCT), LIVE)
QUALIFIERS = allow(Requires(Perm.EVALUATION_QUALIFY), LIVE)
BIDDERS = allow(Requires(Perm.EVALUATION_RESPOND), LIVE)
PURCHASERS = allow(Requires(Perm.EVALUATION_CONFIRM), LIVE)


@strawberry.input(description="A criterion's points.")
class PointsInput:
    criterion: str = strawberry.field(description="The documents' criterion.")
    points: Decimal = strawberry.field(description="Points, 2 places at most.")


POINTS = Annotated[
    list[PointsInput], strawberry.argument(description="Points by criterion (50 at most).")
]


def _evaluation(work):
    return run_payload(EvaluationPayload, "evaluation", Evaluation.of, work)


def _member(work):
    return run_payload(EvaluationMemberPayload, "member", EvaluationMember.of, work)


def _report(work):
    return run_payload(EvaluationReportPayload, "report", EvaluationReport.of, work)


def _finding(row: dict) -> ReviewFinding:
    return ReviewFinding(
        stage=row["stage"], item=row["item"], passed=row["passed"], reason=row["reason"]
    )


def _sample(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("INVALID_SAMPLE", "the face capture in base64", "sample") from None


@strawberry.type
class EvaluationQueries:
    @strawberry.field(
        extensions=ANYONE,
        description="An evaluation: for its agency, purchaser and the region's staff; for a "
        "member of its committee (its own row; the bids after check-in).",
    )
    async def evaluation(self, info: Info, id: strawberry.ID) -> Evaluation | None:
        try:
            row, member = await evaluations.visible(info.context.user, parse_id(id, "evaluation"))
        except DomainError:
            return None
        return Evaluation.of(row, member)

    @strawberry.field(
        extensions=ANYONE, description="The evaluation of a committee, if opened and yours to see."
    )
    async def evaluation_of_committee(
        self,
        info: Info,
        committee_id: Annotated[strawberry.ID, strawberry.argument(description="The committee.")],
    ) -> Evaluation | None:
        found = await evaluations.of_committee(parse_id(committee_id, "committee"))
        if found is None:
            return None
        try:
            row, member = await evaluations.visible(info.context.user, found["id"])
        except DomainError:
            return None
        return Evaluation.of(row, member)

    @strawberry.field(
        extensions=allow(Requires(Perm.EVALUATION_RESPOND)),
        description="As a bidder: your own rank and score once the winner is confirmed.",
    )
    async def my_evaluation_result(
        self, info: Info, evaluation_id: EVALUATION_ID
    ) -> MyEvaluationResult | None:
        try:
            found = await results.my_result(
                info.context.user, parse_id(evaluation_id, "evaluation")
            )
        except DomainError:
            return None
        if found is None:
            return None
        return MyEvaluationResult(
            bid_id=strawberry.ID(str(found["bid"])),
            won=found["won"],
            rank=found["rank"],
            total=Decimal(found["total"]) if found["total"] else None,
            evaluated_price=Decimal(found["evaluated_price"]) if found["evaluated_price"] else None,
            invalid_reason=found["invalid_reason"],
        )


@strawberry.type
class EvaluationMutations:
    @strawberry.mutation(
        extensions=MANAGERS,
        description="Open the evaluation of your committee once it started and the bids are "
        "opened (the documents' scale, the members, the bids).",
    )
    async def open_evaluation(
        self,
        info: Info,
        committee_id: Annotated[strawberry.ID, strawberry.argument(description="The committee.")],
        small_micro_deduction: Annotated[
            Decimal, strawberry.argument(description="The documents' small/micro deduction, %.")
        ] = Decimal(0),
        consortium_deduction: Annotated[
            Decimal, strawberry.argument(description="The documents' consortium deduction, %.")
        ] = Decimal(0),
        domestic_preference: Annotated[
            Decimal, strawberry.argument(description="The documents' domestic preference, %.")
        ] = Decimal(0),
    ) -> EvaluationPayload:
        rates = evaluations.Rates(small_micro_deduction, consortium_deduction, domestic_preference)
        return await _evaluation(
            lambda: evaluations.open_evaluation(
                info.context.user, parse_id(committee_id, "committee"), rates
            )
        )

    @strawberry.mutation(
        extensions=MEMBERS,
        description="Check in by face verification (billed to the agency; a retry with the "
        "same attempt is not billed again). A face that does not match is reported in errors.",
    )
    async def check_in_to_evaluation(
        self,
        info: Info,
        evaluation_id: EVALUATION_ID,
        sample: Annotated[str, strawberry.argument(description="The face capture, base64.")],
        attempt: Annotated[
            str, strawberry.argument(description="Your attempt's key (a retry repeats it).")
        ],
    ) -> EvaluationMemberPayload:
        async def work() -> EvaluationMemberPayload:
            done = await checkin.check_in(
                info.context.user, parse_id(evaluation_id, "evaluation"), _sample(sample), attempt
            )
            errors = [UserError.of(p) for p in done.failure.problems] if done.failure else []
            return EvaluationMemberPayload(member=EvaluationMember.of(done.member), errors=errors)

        return await run_mutation(EvaluationMemberPayload, work)

    @strawberry.mutation(
        extensions=QUALIFIERS,
        description="Record a qualification item of a bid (failed: with the reason).",
    )
    async def record_qualification(
        self, info: Info, evaluation_id: EVALUATION_ID, bid_id: BID_ID, item: ITEM, passed: PASSED,
        reason: REASON = "",
    ) -> ReviewFindingPayload:  # fmt: skip
        return await run_payload(
            ReviewFindingPayload,
            "finding",
            _finding,
            lambda: reviews.qualify(
                info.context.user,
                parse_id(evaluation_id, "evaluation"),
                parse_id(bid_id, "bid"),
                item,
                passed,
                reason,
            ),  # fmt: skip
        )

    @strawberry.mutation(
        extensions=MEMBERS,
        description="Record a compliance item of a bid as the committee (failed: with the reason).",
    )
    async def record_compliance(
        self, info: Info, evaluation_id: EVALUATION_ID, bid_id: BID_ID, item: ITEM, passed: PASSED,
        reason: REASON = "",
    ) -> ReviewFindingPayload:  # fmt: skip
        return await run_payload(
            ReviewFindingPayload,
            "finding",
            _finding,
            lambda: reviews.comply(
                info.context.user,
                parse_id(evaluation_id, "evaluation"),
                parse_id(bid_id, "bid"),
                item,
                passed,
                reason,
            ),  # fmt: skip
        )

    @strawberry.mutation(
        extensions=MEMBERS, description="Record your points for one bid (until you submit)."
    )
    async def record_scores(
        self, info: Info, evaluation_id: EVALUATION_ID, bid_id: BID_ID, points: POINTS
    ) -> ScoresPayload:
        given = {p.criterion: str(p.points) for p in points[:50]}

        async def work() -> ScoresPayload:
            rows = await scores.record(
                info.context.user, parse_id(evaluation_id, "evaluation"), parse_id(bid_id, "bid"),
                given,
            )  # fmt: skip
            return ScoresPayload(scores=[Score.of(r) for r in rows])

        return await run_mutation(ScoresPayload, work)

    @strawberry.mutation(
        extensions=MEMBERS, description="Submit your scores: final; you then see the others'."
    )
    async def submit_scores(
        self, info: Info, evaluation_id: EVALUATION_ID
    ) -> EvaluationMemberPayload:
        return await _member(
            lambda: scores.submit(info.context.user, parse_id(evaluation_id, "evaluation"))
        )

    @strawberry.mutation(
        extensions=MANAGERS,
        description="Freeze the evaluation report (every member submitted, nothing pending).",
    )
    async def freeze_evaluation_report(
        self, info: Info, evaluation_id: EVALUATION_ID
    ) -> EvaluationReportPayload:
        return await _report(
            lambda: reports.freeze(info.context.user, parse_id(evaluation_id, "evaluation"))
        )

    @strawberry.mutation(
        extensions=MEMBERS,
        description="Sign the frozen report by e-signature (billed once), with your dissent.",
    )
    async def sign_evaluation_report(
        self,
        info: Info,
        evaluation_id: EVALUATION_ID,
        confirmation: Annotated[
            str, strawberry.argument(description="The provider's confirmation code.")
        ],
        dissent: Annotated[
            str, strawberry.argument(description="Your dissent with its reason; empty: agree.")
        ] = "",
    ) -> EvaluationMemberPayload:
        return await _member(
            lambda: reports.sign(
                info.context.user, parse_id(evaluation_id, "evaluation"), confirmation, dissent
            )
        )

    @strawberry.mutation(
        extensions=MANAGERS, description="Send the signed report to the purchaser."
    )
    async def send_evaluation_report(
        self, info: Info, evaluation_id: EVALUATION_ID
    ) -> EvaluationReportPayload:
        return await _report(
            lambda: reports.send(info.context.user, parse_id(evaluation_id, "evaluation"))
        )

    @strawberry.mutation(
        extensions=PURCHASERS,
        description="Confirm the winner: the first in the ranking, or a later one with a legal "
        "reason (higher_ranked_withdrew, higher_ranked_disqualified) and its explanation.",
    )
    async def confirm_evaluation_winner(
        self,
        info: Info,
        evaluation_id: EVALUATION_ID,
        bid_id: BID_ID,
        legal_reason: Annotated[
            str, strawberry.argument(description="The legal reason's code.")
        ] = "",
        explanation: Annotated[str, strawberry.argument(description="Its explanation.")] = "",
    ) -> EvaluationReportPayload:
        return await _report(
            lambda: reports.confirm_winner(
                info.context.user,
                parse_id(evaluation_id, "evaluation"),
                parse_id(bid_id, "bid"),
                legal_reason,
                explanation,
            )  # fmt: skip
        )
