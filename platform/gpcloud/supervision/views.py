"""What a supervisor works from: the plans in their region (the scope) that wait for them. Late
intentions cannot arise (publication and the tender announcement refuse them), so the intention
list is of plans that claimed an exemption instead, for review. The contracts domain, above this
one, adds its queues to make the supervision overview (gpcloud.contracts.overview)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.supervision.tables import ProcurementPlan

LIMIT = 50  # each list is the oldest first; the counts say how many there are in all


@dataclass(frozen=True)
class PlanQueues:
    on: date
    plans_awaiting_filing: list[dict]
    plans_awaiting_filing_count: int
    intention_exemptions: list[dict]
    intention_exemptions_count: int


async def _listed(query, count_query) -> tuple[list[dict], int]:
    return await query.limit(LIMIT), await count_query


@requires(Perm.SUPERVISION_OVERVIEW)
async def plan_queues(actor: CurrentUser) -> PlanQueues:
    on = today()
    submitted = ProcurementPlan.status == "submitted"
    exempt = (ProcurementPlan.intention_exemption != "") & (ProcurementPlan.origin == "platform")
    plans, plans_count = await _listed(
        ProcurementPlan.select().where(submitted).order_by(ProcurementPlan.submitted_at),
        ProcurementPlan.count().where(submitted),
    )
    exemptions, exemptions_count = await _listed(
        ProcurementPlan.select().where(exempt).order_by(ProcurementPlan.id),
        ProcurementPlan.count().where(exempt),
    )
    return PlanQueues(on, plans, plans_count, exemptions, exemptions_count)
