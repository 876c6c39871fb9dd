"""What the complaints domain (above transaction) asks of a project: the project across tenants,
its suppliers, and the days a supplier knew or should have known of each step (Implementing
Regulation art. 53). Read-only; the dates are those the project's own records state.
"""

from __future__ import annotations

from datetime import date

from gpcloud.core.clock import LEGAL_TZ
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.purchasers import service as purchasers
from gpcloud.transaction.parties import PARTY_SCOPE
from gpcloud.transaction.tables import (
    Announcement,
    Award,
    Bid,
    DocumentObtained,
    OpeningRecord,
    ProcurementDocument,
    Project,
)

# A procedure step a challenge may target, and what says it ended.
STEPS = {
    "tender_announcement": "the tender announcement's period ended",
    "correction": "the last correction was published",
    "bid_deadline": "the bid deadline passed",
    "opening": "the opening record was written",
    "evaluation": "the evaluation ended (at the latest, the result was published)",
}


async def project(project_id: int) -> dict:
    """The project with its purchaser's organisation and region, wherever it is."""
    with all_tenants(PARTY_SCOPE):
        row = await Project.select().where(Project.id == project_id).first()
        if row is None:
            raise NotFound("project", project_id)
        unit = await purchasers.get(row["purchaser"])
    return {
        **row,
        "purchaser_organisation": unit["organisation"],
        "purchaser_tenant": unit["tenant_id"],
    }


async def suppliers(project_id: int) -> set[int]:
    """Every supplier organisation party to the project: obtained its documents, bid, won."""
    with all_tenants(PARTY_SCOPE):
        found = set()
        for table in (DocumentObtained, Bid, Award):
            column = table.supplier_organisation
            found |= {
                r["supplier_organisation"]
                for r in await table.select(column).where(table.project == project_id)
            }
    return found


async def obtained_on(project_id: int, organisation_id: int) -> date | None:
    with all_tenants(PARTY_SCOPE):
        row = (
            await DocumentObtained.select(DocumentObtained.obtained_at)
            .where(
                (DocumentObtained.project == project_id)
                & (DocumentObtained.supplier_organisation == organisation_id)
            )
            .order_by(DocumentObtained.obtained_at)
            .first()
        )
    return row["obtained_at"].astimezone(LEGAL_TZ).date() if row else None


async def documents_available_until(project_id: int) -> date | None:
    with all_tenants(PARTY_SCOPE):
        row = (
            await ProcurementDocument.select(ProcurementDocument.available_until)
            .where(ProcurementDocument.project == project_id)
            .order_by(ProcurementDocument.version)
            .first()
        )
    return row["available_until"] if row else None


async def _announcement(project_id: int, kind: str) -> dict | None:
    with all_tenants(PARTY_SCOPE):
        return (
            await Announcement.select()
            .where((Announcement.project == project_id) & (Announcement.kind == kind))
            .order_by(Announcement.id, ascending=False)
            .first()
        )


async def result_period_end(project_id: int) -> date | None:
    """The last day of the result announcement's notice period, once published."""
    found = await _announcement(project_id, "result")
    return (found["period_end"] or found["published_on"]) if found else None


async def step_ended(project_id: int, step: str) -> date | None:
    """The day `step` of the project ended (None: not yet); INVALID_STEP for an unknown one."""
    if step not in STEPS:
        raise DomainError("INVALID_STEP", f"one of {', '.join(STEPS)}", "step")
    row = await project(project_id)
    if step == "tender_announcement":
        found = await _announcement(project_id, "tender")
        return (found["period_end"] or found["published_on"]) if found else None
    if step == "correction":
        found = await _announcement(project_id, "correction")
        return found["published_on"] if found else None
    if step == "bid_deadline":
        if row["bid_deadline_at"] is not None:
            return row["bid_deadline_at"].astimezone(LEGAL_TZ).date()
        return row["bid_deadline"]
    if step == "opening":
        with all_tenants(PARTY_SCOPE):
            record = await OpeningRecord.select().where(OpeningRecord.project == project_id).first()
        return record["opened_at"].astimezone(LEGAL_TZ).date() if record else None
    found = await _announcement(project_id, "result")
    return found["published_on"] if found else None
