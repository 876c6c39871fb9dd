"""Scores: each member, checked in, scores every valid bid on the documents' criteria only
(Implementing Regulation art. 41: independent evaluation) and submits them; until a member has
submitted, it sees its own points only, and nobody else sees anyone's until the report is
frozen. Points are stated to 2 places; the ranking is the engine's (scoring.evaluate). When the
last member submits, the chair is told of the scores the engine flags as outliers, to raise
with the committee before the report is frozen (the report records them too)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now
from gpcloud.core.db import serialize_writes
from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation.service import engine, evaluations, notices
from gpcloud.evaluation.service.common import PARTY_SCOPE
from gpcloud.evaluation.tables import EvaluationMember, EvaluationScore
from gpcloud.evaluation.workflow import ATTENDANCE

CENT = Decimal("0.01")


async def _valid_bids(evaluation: dict) -> list[int]:
    review = await engine.reviews(evaluation)
    if not all(r.done for r in review.values()):
        raise DomainError(
            "REVIEW_INCOMPLETE", "both reviews are completed before scoring", "evaluationId"
        )
    return [bid for bid, r in review.items() if r.valid]


def _points(value: str, maximum: Decimal, field: str) -> int:
    try:
        points = Decimal(str(value))
    except InvalidOperation:
        raise DomainError("INVALID_POINTS", "a number with 2 places at most", field) from None
    if not points.is_finite() or points.quantize(CENT) != points:
        raise DomainError("INVALID_POINTS", "a number with 2 places at most", field)
    if not Decimal(0) <= points <= maximum:
        raise DomainError("POINTS_OUT_OF_RANGE", f"0 to {maximum}", field)
    return int(points * 100)


@requires(Perm.EVALUATION_CONDUCT)
async def record(
    actor: CurrentUser, evaluation_id: int, bid_id: int, points: dict[str, str]
) -> list[dict]:
    """The member's points for one bid, criterion by criterion (replacing earlier ones) until
    it submits."""
    evaluation, member = await evaluations.as_member(actor, evaluation_id)
    evaluations.require_reviewing(evaluation)
    evaluations.require_present(member)
    if member["status"] != "present":
        raise DomainError("SCORES_SUBMITTED", "your scores are submitted", "evaluationId")
    criteria = {
        c["key"]: Decimal(c["max_points"]) for c in evaluations.scale(evaluation)["criteria"]
    }
    if not criteria:
        raise DomainError("NO_CRITERIA", "lowest evaluated price: nothing to score", "points")
    if bid_id not in await _valid_bids(evaluation):
        await evaluations.bid(evaluation, bid_id)  # NOT_FOUND for a bid of another evaluation
        raise DomainError("BID_INVALID", "the bid failed a review: it is not scored", "bidId")
    problems, parsed = [], {}
    for key, value in points.items():
        if key not in criteria:
            problems.append(
                Problem("UNKNOWN_CRITERION", f"{key} is not a criterion of the documents", key)
            )
            continue
        try:
            parsed[key] = _points(value, criteria[key], key)
        except DomainError as exc:
            problems += exc.problems
    if problems:
        raise DomainError.many(problems)
    # the reviews' key: a finding and a first score never cross (reviews close on the first)
    await serialize_writes(f"evaluation:{evaluation_id}")
    at = now()
    with all_tenants(PARTY_SCOPE):
        await EvaluationScore.delete().where(
            (EvaluationScore.member == member["id"])
            & (EvaluationScore.bid == bid_id)
            & EvaluationScore.criterion.is_in(list(parsed) or [""])
        )
        if parsed:
            await EvaluationScore.insert(
                *(
                    EvaluationScore(
                        tenant_id=evaluation["tenant_id"],
                        evaluation=evaluation_id,
                        member=member["id"],
                        bid=bid_id,
                        criterion=key,
                        points_hundredths=value,
                        recorded_at=at,
                    )
                    for key, value in parsed.items()
                )
            )
        await audit.record(
            "evaluation_score.record",
            "evaluation_member",
            member["id"],
            None,
            None,
            {"bid": bid_id, "criteria": sorted(parsed)},  # no points: nobody reads them yet
            tenant=evaluation["tenant_id"],
        )
    return [s for s in await own(member["id"]) if s["bid"] == bid_id]


async def own(member_id: int) -> list[dict]:
    with all_tenants(PARTY_SCOPE):
        return (
            await EvaluationScore.select()
            .where(EvaluationScore.member == member_id)
            .order_by(EvaluationScore.id)
        )


@requires(Perm.EVALUATION_CONDUCT)
async def submit(actor: CurrentUser, evaluation_id: int) -> dict:
    """Every criterion of every valid bid scored (lowest price: nothing to score, the member
    submits its review): from now on the member's points are final and it sees the others'."""
    evaluation, member = await evaluations.as_member(actor, evaluation_id)
    evaluations.require_reviewing(evaluation)
    evaluations.require_present(member)
    ATTENDANCE.next_state("submit_scores", member["status"])
    criteria = [c["key"] for c in evaluations.scale(evaluation)["criteria"]]
    valid = await _valid_bids(evaluation)
    given = {(s["bid"], s["criterion"]) for s in await own(member["id"])}
    missing = [(b, c) for b in valid for c in criteria if (b, c) not in given]
    if missing:
        raise DomainError(
            "SCORES_INCOMPLETE",
            f"{len(missing)} score(s) missing, e.g. bid {missing[0][0]} {missing[0][1]}",
            "evaluationId",
        )
    # The evaluation's lock (as record takes it): of two last members submitting at once, the
    # second sees the first's submission and tells the chair.
    await serialize_writes(f"evaluation:{evaluation_id}")
    with all_tenants(PARTY_SCOPE):
        moved = await ATTENDANCE.move(
            actor,
            member,
            "submit_scores",
            {EvaluationMember.scored_at: now()},
            {"scores": len(given)},
        )
    members = await evaluations.members(evaluation_id)
    if all(m["status"] in engine.SUBMITTED for m in members):
        flagged = (await engine.run(evaluation)).outliers
        if flagged:
            await notices.outliers(evaluation, members, flagged)
    return moved


async def visible(actor: CurrentUser, evaluation_id: int) -> list[dict]:
    """A member: its own points, and everybody's once it submitted. The agency, the purchaser
    and the region's staff: everybody's once the report is frozen. Never before."""
    evaluation, member = await evaluations.visible(actor, evaluation_id)
    if member is not None:
        if member["status"] in engine.SUBMITTED:
            return await evaluations.scores(evaluation_id)
        return await own(member["id"])
    if evaluation["status"] == "reviewing":
        return []
    return await evaluations.scores(evaluation_id)
