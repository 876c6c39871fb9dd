"""The evaluation's API: opening it, check-in, the reviews, scores, requests to bidders and
their answers, the report's steps (types in evaluation_types.py). Each mutation is one
transaction; a face that does not match is committed (the comparison is billed) and reported in
the payload's errors."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
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
    LowPriceInquiry,
    LowPriceInquiryPayload,
    MyEvaluationResult,
    PriceCorrection,
    PriceCorrectionPayload,
    ReviewFinding,
    ReviewFindingPayload,
    Score,
    ScoresPayload,
)
from gpcloud.evaluation.service import (
    bidders,
    checkin,
    evaluations,
    reports,
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


@strawberry.input(description="A line of the bid's price schedule.")
class LineItemInput:
    quantity: Decimal = strawberry.field(description="Quantity.")
    unit_price: Decimal = strawberry.field(description="Unit price, yuan.")


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
        description="As a bidder: the corrections of your bid's price in an evaluation.",
        directives=[ListSize(max=10)],
    )
    async def my_price_corrections(
        self, info: Info, evaluation_id: EVALUATION_ID
    ) -> list[PriceCorrection]:
        found, _ = await bidders.of_supplier(
            info.context.user, parse_id(evaluation_id, "evaluation")
        )
        return [PriceCorrection.of(r) for r in found[:10]]

    @strawberry.field(
        extensions=allow(Requires(Perm.EVALUATION_RESPOND)),
        description="As a bidder: the explanations of a low price asked of you.",
        directives=[ListSize(max=10)],
    )
    async def my_low_price_inquiries(
        self, info: Info, evaluation_id: EVALUATION_ID
    ) -> list[LowPriceInquiry]:
        _, found = await bidders.of_supplier(
            info.context.user, parse_id(evaluation_id, "evaluation")
        )
        return [LowPriceInquiry.of(r) for r in found[:10]]

    @strawberry.field(
        extensions=allow(Requires(Perm.EVALUATION_RESPOND)),
        description="As a bidder: your own rank and score once the winner is confirmed.",
    )
    async def my_evaluation_result(
        self, info: Info, evaluation_id: EVALUATION_ID
    ) -> MyEvaluationResult | None:
        try:
            found = await reports.my_result(
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
        extensions=MEMBERS,
        description="Record an arithmetic correction of a bid's price (the bidder confirms).",
    )
    async def propose_price_correction(
        self,
        info: Info,
        evaluation_id: EVALUATION_ID,
        bid_id: BID_ID,
        price_in_words: Annotated[
            Decimal | None, strawberry.argument(description="The amount in words, yuan.")
        ] = None,
        line_items: Annotated[
            list[LineItemInput] | None, strawberry.argument(description="The price schedule.")
        ] = None,
    ) -> PriceCorrectionPayload:
        lines = [(str(li.quantity), str(li.unit_price)) for li in (line_items or [])]
        words = None if price_in_words is None else str(price_in_words)
        return await run_payload(
            PriceCorrectionPayload,
            "correction",
            PriceCorrection.of,
            lambda: bidders.propose_correction(
                info.context.user,
                parse_id(evaluation_id, "evaluation"),
                parse_id(bid_id, "bid"),
                words,
                lines,
            ),  # fmt: skip
        )

    @strawberry.mutation(
        extensions=BIDDERS, description="As the bidder: confirm or refuse a price correction."
    )
    async def answer_price_correction(
        self,
        info: Info,
        correction_id: Annotated[strawberry.ID, strawberry.argument(description="It.")],
        accept: Annotated[bool, strawberry.argument(description="Confirm (true) or refuse.")],
    ) -> PriceCorrectionPayload:
        return await run_payload(
            PriceCorrectionPayload,
            "correction",
            PriceCorrection.of,
            lambda: bidders.answer_correction(
                info.context.user, parse_id(correction_id, "correction"), accept
            ),
        )

    @strawberry.mutation(
        extensions=MEMBERS,
        description="Ask a bidder whose price is abnormally low to explain by a deadline.",
    )
    async def request_low_price_explanation(
        self,
        info: Info,
        evaluation_id: EVALUATION_ID,
        bid_id: BID_ID,
        explain_by: Annotated[datetime, strawberry.argument(description="The deadline.")],
    ) -> LowPriceInquiryPayload:
        return await run_payload(
            LowPriceInquiryPayload,
            "inquiry",
            LowPriceInquiry.of,
            lambda: bidders.request_explanation(
                info.context.user,
                parse_id(evaluation_id, "evaluation"),
                parse_id(bid_id, "bid"),
                explain_by,
            ),  # fmt: skip
        )

    @strawberry.mutation(extensions=BIDDERS, description="As the bidder: explain your low price.")
    async def explain_low_price(
        self,
        info: Info,
        inquiry_id: Annotated[strawberry.ID, strawberry.argument(description="The inquiry.")],
        text: Annotated[str, strawberry.argument(description="Your explanation.")],
    ) -> LowPriceInquiryPayload:
        return await run_payload(
            LowPriceInquiryPayload,
            "inquiry",
            LowPriceInquiry.of,
            lambda: bidders.explain(info.context.user, parse_id(inquiry_id, "inquiry"), text),
        )

    @strawberry.mutation(
        extensions=MEMBERS,
        description="Record the committee's decision on a low price (unjustified: invalid).",
    )
    async def decide_low_price(
        self,
        info: Info,
        inquiry_id: Annotated[strawberry.ID, strawberry.argument(description="The inquiry.")],
        justified: Annotated[bool, strawberry.argument(description="The price is justified.")],
        reason: Annotated[str, strawberry.argument(description="The committee's reason.")],
    ) -> LowPriceInquiryPayload:
        return await run_payload(
            LowPriceInquiryPayload,
            "inquiry",
            LowPriceInquiry.of,
            lambda: bidders.decide(
                info.context.user, parse_id(inquiry_id, "inquiry"), justified, reason
            ),
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
