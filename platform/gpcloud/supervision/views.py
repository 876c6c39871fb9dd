"""What a supervisor works from: everything in their region (the scope) that waits for them or
is overdue. Late intentions cannot arise (publication and the tender announcement refuse them),
so the intention list is of plans that claimed an exemption instead, for review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gpcloud.contracts import service as contracts
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.supervision.tables import ProcurementPlan

LIMIT = 50  # each list is the oldest first; the counts say how many there are in all


@dataclass(frozen=True)
class Overview:
    on: date
    plans_awaiting_filing: list[dict]
    plans_awaiting_filing_count: int
    contracts_awaiting_filing: list[dict]
    contracts_awaiting_filing_count: int
    publication_overdue: list[dict]
    publication_overdue_count: int
    intention_exemptions: list[dict]
    intention_exemptions_count: int


async def _listed(query, count_query) -> tuple[list[dict], int]:
    return await query.limit(LIMIT), await count_query


@requires(Perm.SUPERVISION_OVERVIEW)
async def overview(actor: CurrentUser) -> Overview:
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
    queues = await contracts.for_supervision(LIMIT)
    filing, filing_count = queues["awaiting_filing"]
    late, late_count = queues["publication_overdue"]
    return Overview(
        on,
        plans,
        plans_count,
        filing,
        filing_count,
        late,
        late_count,
        exemptions,
        exemptions_count,
    )
