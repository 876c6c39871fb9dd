"""Job records: status, progress, counts and the result file of background work."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gpcloud.core.auth.admin import reachable_tenant
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Authenticated, allow
from gpcloud.core.graphql.types import Connection, UserError, connection, parse_id
from gpcloud.core.jobs import service
from gpcloud.core.jobs.registry import get_job_type
from gpcloud.core.jobs.workflow import JOB
from gpcloud.core.tenancy.graphql import Tenant, tenant_by_code

JobStatus = state_enum("JobStatus", JOB)


@strawberry.type(
    description="A result file of a finished job; GET its url with the same bearer token."
)
class JobFile:
    name: str
    url: str


@strawberry.type(description="One run of a background job (import, export, migration...).")
class Job:
    id: strawberry.ID
    type: str
    status: JobStatus  # type: ignore[valid-type]
    progress_done: int
    progress_total: int | None
    counts: JSON
    error_code: str | None
    error_message: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result_url: str | None = strawberry.field(
        description="GET it with the same bearer token to download the main result."
    )
    files: list[JobFile] = strawberry.field(
        description="Every result file of a finished job.", directives=[ListSize(max=20)]
    )
    tenant_code: strawberry.Private[str]

    @classmethod
    def of(cls, row: dict) -> Job:
        return cls(
            id=strawberry.ID(str(row["id"])),
            type=row["type"],
            status=JobStatus(row["status"]),
            progress_done=row["progress_done"],
            progress_total=row["progress_total"],
            counts=row["counts"] or {},
            error_code=row["error_code"],
            error_message=row["error_message"],
            created_at=row["created_at"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            result_url=f"/jobs/{row['id']}/result" if row["result_file"] else None,
            files=[
                JobFile(name=name, url=f"/jobs/{row['id']}/files/{name}")
                for name in service.result_files(row)
            ],
            tenant_code=row["tenant_id"],
        )

    @strawberry.field(extensions=allow(Authenticated()))
    async def tenant(self) -> Tenant | None:
        return await tenant_by_code(self.tenant_code)


@strawberry.type
class JobPayload:
    job: Job | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


async def enqueue_for_tenant(
    user: CurrentUser, job_type: str, payload: dict, tenant: str | None
) -> JobPayload:
    """The mutation body of a region's job: the caller holds the job type's permission and
    `tenant` (default: the caller's own) is within its reach; the job is queued for it."""

    async def work() -> JobPayload:
        code = tenant or user.tenant
        await reachable_tenant(code)
        kind = get_job_type(job_type)
        if kind is None or kind.permission is None:
            raise ValueError(f"job type {job_type} cannot be started through the API")
        user.require(kind.permission, region=code)
        return JobPayload(job=Job.of(await service.enqueue(job_type, payload, tenant=code)))

    return await run_mutation(JobPayload, work)


@strawberry.type
class Queries:
    @strawberry.field(extensions=allow(Authenticated()))
    async def job(self, info: Info, id: strawberry.ID) -> Job | None:
        try:
            return Job.of(await service.get_job(info.context.user, parse_id(id, "job")))
        except DomainError as exc:
            if exc.code == "NOT_FOUND":
                return None
            raise

    @strawberry.field(extensions=allow(Authenticated()))
    async def jobs(
        self,
        info: Info,
        type: str | None = None,
        status: JobStatus | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Job]:
        page = await service.list_jobs(
            info.context.user, type, status.value if status else None, first, after
        )
        return connection(page, Job.of)
