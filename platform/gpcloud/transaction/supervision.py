"""What a finance department sees of its region's transactions: every project with its stage
and its next deadline (the earliest timer the scheduler holds for the project or one of its
announcements), and for a failed one, why. Supervision sits below transaction in the layers, so
this domain assembles the view (docs/architecture.md, "contributions from above"); the region
is the scope's (a county its own, a city its own and its counties')."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.errors import DomainError
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.scope import current_scope
from gpcloud.transaction.tables import Announcement, Project
from gpcloud.transaction.workflow import ANNOUNCEMENT, PROJECT

EXPORT_LIMIT = 50_000
CHUNK = 500  # projects whose timers and failures are read in one query
FAILURES = (
    "project.declare_failed",
    "project.fail_too_few_bids",
    "project.fail_too_few_qualified",
    "project.annul",
)


@dataclass(frozen=True)
class ProjectFilter:
    stage: str | None = None
    purchaser_id: int | None = None
    agency_id: int | None = None
    due_before: datetime | None = None  # the project's own next timer, at or before
    tenant: str | None = None  # one region of the scope, its own projects only

    def query(self, query):
        if self.stage is not None:
            if self.stage not in PROJECT.states:
                raise DomainError("INVALID_STAGE", f"one of {', '.join(PROJECT.states)}", "stage")
            query = query.where(Project.status == self.stage)
        if self.purchaser_id is not None:
            query = query.where(Project.purchaser == self.purchaser_id)
        if self.agency_id is not None:
            query = query.where(Project.agency == self.agency_id)
        if self.due_before is not None:
            if self.due_before.tzinfo is None:
                raise DomainError("INVALID_INSTANT", "with its time zone", "dueBefore")
            query = query.where(Project.next_check <= self.due_before)
        if self.tenant is not None:
            if not current_scope().can_see(self.tenant):
                raise DomainError("NOT_FOUND", f"region {self.tenant} not found", "tenant")
            query = query.where(Project.tenant_id == self.tenant)
        return query


@dataclass(frozen=True)
class NextDeadline:
    at: datetime
    action: str  # the transition the scheduler will take
    rule: str  # the rule that sets the time
    about: str  # "project:12" or "announcement:7"


@dataclass(frozen=True)
class Supervised:
    project: dict
    next_deadline: NextDeadline | None
    failure_reason: str | None


@requires(Perm.SUPERVISION_OVERVIEW)
async def projects(
    actor: CurrentUser, flt: ProjectFilter, first: int | None, after: str | None
) -> tuple[Page, list[Supervised]]:
    """The region's projects the filter selects, oldest first, with their deadlines and
    failures (two more queries per page)."""
    page = await keyset_page(flt.query(Project.select()), Project.id, first, after)
    return page, await annotate(page.rows)


async def annotate(rows: list[dict]) -> list[Supervised]:
    found: list[Supervised] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        deadlines = await _next_deadlines(chunk)
        reasons = await _failure_reasons(
            [r["id"] for r in chunk if r["status"] in ("failed", "annulled")]
        )
        found += [Supervised(r, deadlines.get(r["id"]), reasons.get(r["id"])) for r in chunk]
    return found


async def _next_deadlines(rows: list[dict]) -> dict[int, NextDeadline]:
    waiting: dict[int, list[NextDeadline]] = {}
    for row in rows:
        for at, timer in PROJECT.due(row):
            waiting.setdefault(row["id"], []).append(
                NextDeadline(at, timer.action, timer.rule, f"project:{row['id']}")
            )
    ids = [r["id"] for r in rows]
    announcements = (
        await Announcement.select()
        .where(Announcement.project.is_in(ids) & Announcement.next_check.is_not_null())
        .order_by(Announcement.id)
        if ids
        else []
    )
    for row in announcements:
        for at, timer in ANNOUNCEMENT.due(row):
            waiting.setdefault(row["project"], []).append(
                NextDeadline(at, timer.action, timer.rule, f"announcement:{row['id']}")
            )
    return {key: min(found, key=lambda d: d.at) for key, found in waiting.items()}


def _reason(action: str, detail: dict) -> str:
    if action == "project.declare_failed":
        return detail.get("reason", "")
    if action == "project.annul":  # an upheld complaint's remedy (transaction/remedies.py)
        return f"投诉处理决定（{detail.get('document')}）责令重新开展采购活动"
    if action == "project.fail_too_few_qualified":
        return (
            f"资格预审合格供应商{detail.get('qualified')}家，少于{detail.get('minimum')}家"
            "（Government Procurement Law art. 36(1)）"
        )
    return (
        f"投标人{detail.get('bidders')}家，少于{detail.get('minimum')}家（Government Procurement "
        f"Law art. 36）"
    )


async def _failure_reasons(ids: Iterable[int]) -> dict[int, str]:
    keys = [str(i) for i in ids]
    if not keys:
        return {}
    rows = await AuditEntry.select(
        AuditEntry.object_id, AuditEntry.action, AuditEntry.detail
    ).where(
        AuditEntry.action.is_in(list(FAILURES))
        & (AuditEntry.object_type == "project")
        & AuditEntry.object_id.is_in(keys)
    )
    return {int(r["object_id"]): _reason(r["action"], json.loads(r["detail"])) for r in rows}


async def export_rows(flt: ProjectFilter) -> list[list]:
    rows = await flt.query(Project.select()).order_by(Project.id).limit(EXPORT_LIMIT)
    return [
        [
            s.project["id"],
            s.project["tenant_id"],
            s.project["title"],
            s.project["method"],
            s.project["status"],
            s.project["purchaser"],
            s.project["agency"],
            s.project["bid_deadline"],
            s.next_deadline.at if s.next_deadline else None,
            s.next_deadline.action if s.next_deadline else "",
            s.next_deadline.rule if s.next_deadline else "",
            s.failure_reason or "",
        ]
        for s in await annotate(rows)
    ]


HEADER = [
    "id",
    "region",
    "title",
    "method",
    "stage",
    "purchaser",
    "agency",
    "bid_deadline",
    "next_deadline",
    "next_action",
    "next_rule",
    "failure_reason",
]
