"""The finance department's lists of its region's challenges and complaints (service/views.py):
filtered cursor connections and their XLSX exports (a job; download its result); and the XLSX
export of its suspensions (the connection is Query.suspensions)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.complaints.graphql.types import (
    After,
    Challenge,
    ChallengeStatus,
    Complaint,
    ComplaintStatus,
    First,
    ProjectArg,
    SuspensionStatus,
)
from gpcloud.complaints.service import views
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.graphql.types import Connection, connection, parse_id
from gpcloud.core.jobs.graphql import JobPayload, enqueue_for_tenant

READ = allow(Requires(Perm.COMPLAINT_READ))
Tenant = Annotated[
    str | None, strawberry.argument(description="A region within yours; default your own.")
]


def _common(flt, status) -> views.FilingFilter:
    return views.FilingFilter(
        status=status.value if status else None,
        project_id=parse_id(flt.project_id, "project") if flt.project_id else None,
        filed_from=flt.filed_from,
        filed_to=flt.filed_to,
        overdue=flt.overdue,
    )


def _payload(flt: views.FilingFilter) -> dict:
    return {
        "status": flt.status,
        "project_id": flt.project_id,
        "filed_from": flt.filed_from.isoformat() if flt.filed_from else None,
        "filed_to": flt.filed_to.isoformat() if flt.filed_to else None,
        "overdue": flt.overdue,
    }


@strawberry.input(description="Which of the region's challenges.")
class ChallengeFilter:
    status: ChallengeStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only those in this state."
    )
    project_id: strawberry.ID | None = strawberry.field(default=None, description="One project's.")
    filed_from: date | None = strawberry.field(default=None, description="Filed on or after.")
    filed_to: date | None = strawberry.field(default=None, description="Filed on or before.")
    overdue: bool | None = strawberry.field(
        default=None, description="True: unanswered past answerDue; false: not so."
    )

    def to_service(self) -> views.FilingFilter:
        return _common(self, self.status)


@strawberry.input(description="Which of the region's complaints.")
class ComplaintFilter:
    status: ComplaintStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only those in this state."
    )
    project_id: strawberry.ID | None = strawberry.field(default=None, description="One project's.")
    filed_from: date | None = strawberry.field(default=None, description="Filed on or after.")
    filed_to: date | None = strawberry.field(default=None, description="Filed on or before.")
    overdue: bool | None = strawberry.field(
        default=None,
        description="True: still handled past decisionDue (not paused); false: not so.",
    )

    def to_service(self) -> views.FilingFilter:
        return _common(self, self.status)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=READ,
        description="The region's challenges (and its sub-regions'), filtered, oldest first.",
    )
    async def supervised_challenges(
        self,
        info: Info,
        filter: ChallengeFilter | None = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Challenge]:
        flt = filter.to_service() if filter else views.FilingFilter()
        page = await views.search(info.context.user, "challenge", flt, first, after)
        return connection(page, Challenge.of)

    @strawberry.field(
        extensions=READ,
        description="The region's complaints (and its sub-regions'), filtered, oldest first.",
    )
    async def supervised_complaints(
        self,
        info: Info,
        filter: ComplaintFilter | None = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Complaint]:
        flt = filter.to_service() if filter else views.FilingFilter()
        page = await views.search(info.context.user, "complaint", flt, first, after)
        return connection(page, Complaint.of)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=READ,
        description="Write the region's challenges the filter selects to an XLSX file (a job).",
    )
    async def export_challenges(
        self, info: Info, filter: ChallengeFilter | None = None, tenant: Tenant = None
    ) -> JobPayload:
        payload = _payload(filter.to_service()) if filter else {}
        return await enqueue_for_tenant(info.context.user, "challenges_export", payload, tenant)

    @strawberry.mutation(
        extensions=READ,
        description="Write the region's complaints the filter selects to an XLSX file (a job).",
    )
    async def export_complaints(
        self, info: Info, filter: ComplaintFilter | None = None, tenant: Tenant = None
    ) -> JobPayload:
        payload = _payload(filter.to_service()) if filter else {}
        return await enqueue_for_tenant(info.context.user, "complaints_export", payload, tenant)

    @strawberry.mutation(
        extensions=READ,
        description="Write the region's suspensions (as Query.suspensions lists them to its "
        "supervisors) to an XLSX file (a job).",
    )
    async def export_suspensions(
        self,
        info: Info,
        project_id: ProjectArg = None,
        status: Annotated[
            SuspensionStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only those in this state."),
        ] = None,
        tenant: Tenant = None,
    ) -> JobPayload:
        payload = {
            "project_id": parse_id(project_id, "project") if project_id else None,
            "status": status.value if status else None,
        }
        return await enqueue_for_tenant(info.context.user, "suspensions_export", payload, tenant)
