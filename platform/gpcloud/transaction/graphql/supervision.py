"""The finance department's view of its region's transactions through the API: every project
with its stage and next deadline, the failed ones with why, and their XLSX export."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.graphql.types import Connection, Edge, PageInfo, parse_id
from gpcloud.core.jobs.graphql import JobPayload, enqueue_for_tenant
from gpcloud.core.pagination import encode_cursor
from gpcloud.transaction import supervision
from gpcloud.transaction.graphql.projects import Project, ProjectStatus

READ = allow(Requires(Perm.SUPERVISION_OVERVIEW))


@strawberry.type(description="The next thing the scheduler will do for a project, and when.")
class NextDeadline:
    at: datetime = strawberry.field(description="When it falls due.")
    action: str = strawberry.field(description="The transition the platform will take.")
    rule: str = strawberry.field(description="The rule that sets the time (config/rules).")
    about: str = strawberry.field(description='Whose timer: "project:<id>" or "announcement:<id>".')


@strawberry.type(description="A project of the region as its finance department follows it.")
class SupervisedProject:
    project: Project = strawberry.field(description="The project.")
    stage: ProjectStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    next_deadline: NextDeadline | None = strawberry.field(
        description="The earliest timer of the project or its announcements; none when "
        "nothing is scheduled."
    )
    failure_reason: str | None = strawberry.field(
        description="Why it failed (the agency's reason, or too few bids); only when failed."
    )

    @classmethod
    def of(cls, found: supervision.Supervised) -> SupervisedProject:
        deadline = found.next_deadline
        return cls(
            project=Project.of(found.project),
            stage=ProjectStatus(found.project["status"]),
            next_deadline=NextDeadline(
                at=deadline.at, action=deadline.action, rule=deadline.rule, about=deadline.about
            )
            if deadline
            else None,
            failure_reason=found.failure_reason,
        )


@strawberry.input(description="Which projects to list or export; every field narrows.")
class SupervisedProjectFilter:
    stage: ProjectStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only projects in this stage (FAILED: the failed ones)."
    )
    purchaser_id: strawberry.ID | None = strawberry.field(
        default=None, description="One purchaser's."
    )
    agency_id: strawberry.ID | None = strawberry.field(default=None, description="One agency's.")
    due_before: datetime | None = strawberry.field(
        default=None, description="The project's own next timer falls due by then."
    )
    tenant: str | None = strawberry.field(
        default=None, description="One region within yours (its own projects only)."
    )

    def to_service(self) -> supervision.ProjectFilter:
        return supervision.ProjectFilter(
            stage=self.stage.value if self.stage else None,
            purchaser_id=parse_id(self.purchaser_id, "purchaser") if self.purchaser_id else None,
            agency_id=parse_id(self.agency_id, "agency") if self.agency_id else None,
            due_before=self.due_before,
            tenant=self.tenant,
        )

    def to_payload(self) -> dict:
        flt = self.to_service()
        return {
            "stage": flt.stage,
            "purchaser_id": flt.purchaser_id,
            "agency_id": flt.agency_id,
            "due_before": flt.due_before.isoformat() if flt.due_before else None,
            "tenant": flt.tenant,
        }


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=READ,
        description="Every project of your region (a county: its own; a city: its own and its "
        "counties'), oldest first, with its stage, next deadline and, if failed, why.",
    )
    async def supervised_projects(
        self,
        info: Info,
        filter: SupervisedProjectFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SupervisedProject]:
        flt = filter.to_service() if filter else supervision.ProjectFilter()
        page, found = await supervision.projects(info.context.user, flt, first, after)
        return Connection(
            edges=[
                Edge(cursor=encode_cursor(s.project["id"]), node=SupervisedProject.of(s))
                for s in found
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        )


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=READ,
        description="Write the region's projects the filter selects to an XLSX file (a job; "
        "download its result).",
    )
    async def export_supervised_projects(
        self,
        info: Info,
        filter: SupervisedProjectFilter | None = None,
        tenant: Annotated[
            str | None,
            strawberry.argument(description="A region within yours; default your own."),
        ] = None,
    ) -> JobPayload:
        payload = filter.to_payload() if filter else {}
        return await enqueue_for_tenant(
            info.context.user, "supervised_projects_export", payload, tenant
        )
