"""What a finance department supervises of challenges and complaints (issue 16, supervision
views): those of its region and sub-regions (the tenant scope: a challenge is the project's
region's, a complaint the department's), by state, filing day, project and whether they are
overdue, as a cursor connection or an XLSX export (jobs.py), like supervision's other lists;
and the XLSX export of its suspended procurements (the connection is reads.suspensions).

Overdue: a challenge unanswered after `answer_due` (Law art. 53); a complaint still handled
(not paused, not awaiting material) after `decision_due` (Law art. 56).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from gpcloud.complaints.tables import Challenge, Complaint, Suspension
from gpcloud.complaints.workflow import CHALLENGE, COMPLAINT, SUSPENSION
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import LEGAL_TZ, today
from gpcloud.core.errors import DomainError
from gpcloud.core.pagination import Page, keyset_page

EXPORT_LIMIT = 50_000  # rows in one XLSX export
TABLES = {"challenge": (Challenge, CHALLENGE), "complaint": (Complaint, COMPLAINT)}
# A complaint's decision period runs in these states (paused and incomplete stand still).
RUNNING = ("filed", "accepted", "served", "answered")
HEADERS = {
    "challenge": [
        "id",
        "region",
        "project",
        "supplier",
        "target",
        "step",
        "affects_result",
        "filed_on",
        "answer_due",
        "answered_on",
        "answered_late",
        "complaint_until",
        "status",
        "overdue",
    ],
    "complaint": [
        "id",
        "region",
        "project",
        "project_region",
        "challenge",
        "supplier",
        "filed_on",
        "review_due",
        "accepted_on",
        "served_on",
        "responded_on",
        "decision_due",
        "paused_days",
        "status",
        "overdue",
    ],
    # The columns of the Suspension type (reads.suspensions lists the same rows).
    "suspension": [
        "id",
        "region",
        "project",
        "project_region",
        "complaint",
        "reason",
        "ordered_at",
        "starts_on",
        "ends_on",
        "lifted_on",
        "status",
        "held_timer",
        "held_seconds",
        "held_due_at",
    ],
}


@dataclass(frozen=True)
class FilingFilter:
    status: str | None = None
    project_id: int | None = None
    filed_from: date | None = None  # inclusive
    filed_to: date | None = None  # inclusive
    overdue: bool | None = None

    def query(self, noun: str, query):
        table, machine = TABLES[noun]
        if self.status is not None:
            if self.status not in machine.states:
                raise DomainError("INVALID_STATUS", f"one of {', '.join(machine.states)}", "status")
            query = query.where(table.status == self.status)
        if self.project_id is not None:
            query = query.where(table.project == self.project_id)
        if self.filed_from and self.filed_to and self.filed_from > self.filed_to:
            raise DomainError("INVALID_PERIOD", "from is after to", "filedFrom")
        if self.filed_from:
            query = query.where(table.filed_on >= self.filed_from)
        if self.filed_to:
            query = query.where(table.filed_on <= self.filed_to)
        if self.overdue is not None:
            query = query.where(_late(noun) if self.overdue else _not_late(noun))
        return query


def _late(noun: str):
    if noun == "challenge":
        return (Challenge.status == "claim") & (Challenge.answer_due < today())
    return Complaint.status.is_in(list(RUNNING)) & (Complaint.decision_due < today())


def _not_late(noun: str):
    if noun == "challenge":
        return (Challenge.status != "claim") | (Challenge.answer_due >= today())
    return Complaint.status.not_in(list(RUNNING)) | (Complaint.decision_due >= today())


def overdue(noun: str, row: dict) -> bool:
    if noun == "challenge":
        return row["status"] == "claim" and today() > row["answer_due"]
    return row["status"] in RUNNING and today() > row["decision_due"]


@requires(Perm.COMPLAINT_READ)
async def search(
    actor: CurrentUser, noun: str, flt: FilingFilter, first: int | None, after: str | None
) -> Page:
    """The region's challenges or complaints, oldest first."""
    table, _ = TABLES[noun]
    query = flt.query(noun, table.select().output(load_json=True))
    return await keyset_page(query, table.id, first, after)


async def export_rows(noun: str, flt: FilingFilter) -> list[list]:
    """The rows of the XLSX export (the job's scope is the requester's region)."""
    table, _ = TABLES[noun]
    rows = await flt.query(noun, table.select()).order_by(table.id).limit(EXPORT_LIMIT)
    if noun == "challenge":
        return [
            [
                r["id"],
                r["tenant_id"],
                r["project"],
                r["supplier_name"],
                r["target"],
                r["step"],
                r["affects_result"],
                r["filed_on"],
                r["answer_due"],
                r["answered_on"],
                r["answered_late"],
                r["complaint_until"],
                r["status"],
                overdue(noun, r),
            ]
            for r in rows
        ]
    return [
        [
            r["id"],
            r["tenant_id"],
            r["project"],
            r["project_tenant"],
            r["challenge"],
            r["supplier_name"],
            r["filed_on"],
            r["review_due"],
            r["accepted_on"],
            r["served_on"],
            r["responded_on"],
            r["decision_due"],
            r["paused_days"],
            r["status"],
            overdue(noun, r),
        ]
        for r in rows
    ]


async def suspension_rows(project_id: int | None, status: str | None) -> list[list]:
    """The rows of the suspensions' XLSX export: those of the job's scope (the requester's
    region and its sub-regions, as `suspensions` shows a supervisor), oldest first; instants
    in Beijing time, which is what the department's staff read."""
    if status is not None and status not in SUSPENSION.states:
        raise DomainError("INVALID_STATUS", f"one of {', '.join(SUSPENSION.states)}", "status")
    query = Suspension.select().output(load_json=True)
    if project_id is not None:
        query = query.where(Suspension.project == project_id)
    if status is not None:
        query = query.where(Suspension.status == status)
    rows = await query.order_by(Suspension.id).limit(EXPORT_LIMIT)
    return [_suspension_row(r) for r in rows]


def _suspension_row(r: dict) -> list:
    held = r["held"] or {}
    was = held.get("was")
    return [
        r["id"],
        r["tenant_id"],
        r["project"],
        r["project_tenant"],
        r["complaint"],
        r["reason"],
        r["created_at"].astimezone(LEGAL_TZ),
        r["starts_on"],
        r["ends_on"],
        r["lifted_on"],
        r["status"],
        held.get("timer"),
        float(held["remaining_seconds"]) if held else None,
        datetime.fromisoformat(was).astimezone(LEGAL_TZ) if was else None,
    ]
