"""Check-in: each member of the committee is verified by face at the evaluation room (seed
四(二)), through the tenant's provider (`gpcloud_verify_face`), and the comparison is billed to
the agency in the same transaction (gpcloud.usage). The attempt's key makes a retried request
replay its answer instead of comparing (and billing) again. The time of a successful check-in
is kept: the expert's fee counts from it.

A face that does not match is an answer, not an error of the request: the comparison was made
and billed, so the attempt is committed and reported (FACE_NOT_MATCHED), and the member may try
again with a new attempt key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation.service import evaluations
from gpcloud.evaluation.service.common import PARTY_SCOPE
from gpcloud.evaluation.tables import EvaluationMember
from gpcloud.evaluation.workflow import ATTENDANCE
from gpcloud.registries.experts import service as experts
from gpcloud.usage.service import Use, verify_face

ATTEMPT = re.compile(r"^[A-Za-z0-9_.:-]{1,40}$")
MAX_SAMPLE = 2 * 1024 * 1024
PURPOSE = "evaluation_check_in"


@dataclass(frozen=True)
class CheckIn:
    """The member as it stands, the charge of the comparison, and why it failed, if it did."""

    member: dict
    charge: dict | None
    failure: DomainError | None = None


def use_for(evaluation: dict, key: str) -> Use:
    return Use(
        tenant=evaluation["tenant_id"],
        agency=evaluation["agency_organisation"],
        project=f"project:{evaluation['project']}",
        idempotency_key=key,
    )


@requires(Perm.EVALUATION_CONDUCT)
async def check_in(actor: CurrentUser, evaluation_id: int, sample: bytes, attempt: str) -> CheckIn:
    if not ATTEMPT.match(attempt or ""):
        raise DomainError("INVALID_ATTEMPT", "1-40 letters, digits or ._:-", "attempt")
    if not sample or len(sample) > MAX_SAMPLE:
        raise DomainError("INVALID_SAMPLE", "a face capture of at most 2 MB", "sample")
    evaluation, member = await evaluations.as_member(actor, evaluation_id)
    evaluations.require_reviewing(evaluation)
    key = f"check-in:{evaluation_id}:{member['id']}:{attempt}"
    if member["status"] != "absent":
        if member["check_in_charge"] is not None:  # a retry of the attempt that succeeded
            return CheckIn(member, None)
        ATTENDANCE.next_state("check_in", member["status"])
    expert = await experts.get(member["expert"])
    subject = {
        "reference": f"expert:{expert['id']}",
        "name": expert["name"],
        "id_number": expert["id_number_masked"],
    }
    outcome = await verify_face(use_for(evaluation, key), subject, sample, PURPOSE)
    charge = outcome.charge
    with all_tenants(PARTY_SCOPE):
        if not outcome.ok:
            if not outcome.replayed:
                await EvaluationMember.update(
                    {EvaluationMember.face_attempts: EvaluationMember.face_attempts + 1}
                ).where(EvaluationMember.id == member["id"])
                await audit.record(
                    "evaluation_member.check_in_failed",
                    "evaluation_member",
                    member["id"],
                    None,
                    None,
                    {"attempt": attempt, "charge": charge["id"] if charge else None},
                    tenant=evaluation["tenant_id"],
                )
            failure = DomainError(
                "FACE_NOT_MATCHED",
                "the face did not match: capture it again and retry (this comparison is billed)",
                "sample",
            )
            fresh = await EvaluationMember.select().where(EvaluationMember.id == member["id"])
            return CheckIn(fresh[0], charge, failure)
        moved = await ATTENDANCE.move(
            actor,
            member,
            "check_in",
            {
                EvaluationMember.checked_in_at: now(),
                EvaluationMember.check_in_charge: charge["id"],
                EvaluationMember.face_attempts: member["face_attempts"] + 1,
            },
            {"charge": charge["id"], "provider": charge["provider"]},
        )
    return CheckIn(moved, charge)
