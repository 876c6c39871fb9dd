"""The two reviews before scoring: the qualification review (资格审查) by the purchaser or its
agency (Order 87 art. 44, unverified text), and the compliance review (符合性审查) by the
committee, each item by item against the documents' structured items, each "fail" with its
reason. Only a bid that passed its qualification review is reviewed for compliance; once any
member has recorded a score, the reviews are closed (the law's order: review, then score)."""

from __future__ import annotations

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now
from gpcloud.core.db import serialize_writes
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation.service import credit, engine, evaluations
from gpcloud.evaluation.service.common import PARTY_SCOPE
from gpcloud.evaluation.tables import EvaluationScore, ReviewFinding

MAX_REASON = 500


def _reason(passed: bool, reason: str) -> str:
    text = (reason or "").strip()
    if not passed and not text:
        raise DomainError("REASON_REQUIRED", "a failed item states why", "reason")
    if len(text) > MAX_REASON:
        raise DomainError("INVALID_REASON", f"at most {MAX_REASON} characters", "reason")
    return text


async def _record(
    actor: CurrentUser,
    evaluation: dict,
    bid_id: int,
    stage: str,
    item: str,
    passed: bool,
    reason: str,
    member: int | None,
) -> dict:
    evaluations.require_reviewing(evaluation)
    reason = _reason(passed, reason)
    if item not in evaluations.scale(evaluation)[stage]:
        raise DomainError("UNKNOWN_ITEM", f"the documents have no {stage} item {item}", "item")
    bid = await evaluations.bid(evaluation, bid_id)
    if stage == "qualification" and passed:
        await credit.ensure_may_pass(evaluation, bid["supplier_organisation"])
    await serialize_writes(f"evaluation:{evaluation['id']}")
    with all_tenants(PARTY_SCOPE):
        if await EvaluationScore.exists().where(EvaluationScore.evaluation == evaluation["id"]):
            raise DomainError("REVIEW_CLOSED", "scoring has begun: the reviews are closed")
        previous = (
            await ReviewFinding.select()
            .where(
                (ReviewFinding.bid == bid["id"])
                & (ReviewFinding.stage == stage)
                & (ReviewFinding.item == item)
            )
            .first()
        )
        values = {
            "passed": passed,
            "reason": reason,
            "recorded_by": actor.id,
            "member": member,
            "recorded_at": now(),
        }
        if previous is None:
            row = ReviewFinding(
                tenant_id=evaluation["tenant_id"],
                evaluation=evaluation["id"],
                bid=bid["id"],
                stage=stage,
                item=item,
                **values,
            )
            await row.save()
            found_id = row.id
        else:
            await ReviewFinding.update(
                {getattr(ReviewFinding, k): v for k, v in values.items()}
            ).where(ReviewFinding.id == previous["id"])
            found_id = previous["id"]
        await audit.record(
            f"evaluation_finding.{stage}",
            "evaluation_finding",
            found_id,
            None if previous is None else {"passed": previous["passed"]},
            {"passed": passed},
            {"bid": bid["id"], "item": item, "reason": reason},
            tenant=evaluation["tenant_id"],
        )
        return await ReviewFinding.select().where(ReviewFinding.id == found_id).first()


@requires(Perm.EVALUATION_QUALIFY)
async def qualify(
    actor: CurrentUser, evaluation_id: int, bid_id: int, item: str, passed: bool, reason: str = ""
) -> dict:
    evaluation = await evaluations.as_reviewer(actor, evaluation_id)
    return await _record(
        actor, evaluation, bid_id, "qualification", item, passed, reason, member=None
    )


@requires(Perm.EVALUATION_CONDUCT)
async def comply(
    actor: CurrentUser, evaluation_id: int, bid_id: int, item: str, passed: bool, reason: str = ""
) -> dict:
    """A member of the committee, checked in, records one compliance item of a bid that passed
    its qualification review."""
    evaluation, member = await evaluations.as_member(actor, evaluation_id)
    evaluations.require_present(member)
    review = (await engine.reviews(evaluation)).get(bid_id)
    if review is not None and review.qualification != "passed":
        raise DomainError(
            "QUALIFICATION_NOT_PASSED",
            f"the qualification review of this bid is {review.qualification}",
            "bidId",
        )
    return await _record(
        actor, evaluation, bid_id, "compliance", item, passed, reason, member=member["id"]
    )
