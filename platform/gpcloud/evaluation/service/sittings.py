"""Whether an expert sat on a committee of a project an agency ran, and when that evaluation
took place: what credit (below this domain) asks before an agency rates an expert. Credit finds
it by name (gpcloud.domains.EXPERT_SITTING), as the lower domains find their receivers.

Sat means: a confirmed seat of a committee of that project whose agency is the asking
organisation, and the committee reached `evaluating` (its audited start; a seat stays confirmed
through the evaluation, and a committee cancelled before it has none)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation.service.common import PARTY_SCOPE
from gpcloud.evaluation.service.fee_statement import span
from gpcloud.evaluation.tables import DrawMember, EvaluationCommittee


@dataclass(frozen=True)
class Sat:
    committee_id: int
    seat_id: int
    tenant: str  # the committee's: the procedure's region
    started_at: datetime
    ended_at: datetime | None  # None while the evaluation runs


async def sitting(expert_id: int, project_id: int, agency_organisation: int) -> Sat | None:
    """The latest evaluation of the project in which the expert held a confirmed seat of the
    agency's committee, or None."""
    with all_tenants(PARTY_SCOPE):
        committees = await EvaluationCommittee.select(
            EvaluationCommittee.id, EvaluationCommittee.tenant_id
        ).where(
            (EvaluationCommittee.project == project_id)
            & (EvaluationCommittee.agency_organisation == agency_organisation)
        )
        tenants = {c["id"]: c["tenant_id"] for c in committees}
        seats = await DrawMember.select(DrawMember.id, DrawMember.committee).where(
            DrawMember.committee.is_in(list(tenants) or [0])
            & (DrawMember.expert == expert_id)
            & (DrawMember.status == "confirmed")
        )
    found = []
    for seat in seats:
        when = await span(seat["committee"])
        if when.started_at is not None:
            found.append(
                Sat(seat["committee"], seat["id"], tenants[seat["committee"]], when.started_at,
                    when.ended_at)
            )  # fmt: skip
    return max(found, key=lambda s: s.started_at, default=None)
