"""Job records: status, progress, counts and the result file of background work."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

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

JobStatus = state_enum(
    "JobStatus",
    JOB,
    {
        "queued": "Waiting for a worker.",
        "running": "A worker runs it; progressDone counts what is done.",
        "succeeded": "Finished; its files are ready.",
        "failed": "Stopped: errorCode and errorMessage say why; nothing half-written.",
    },
)


@strawberry.type(
    description="A result file of a finished job; GET its url with the same bearer token."
)
class JobFile:
    name: str = strawberry.field(description="The file's name, e.g. rejects.xlsx.")
    url: str = strawberry.field(description="Where to GET it.")


@strawberry.type(description="One run of a background job (import, export, migration...).")
class Job:
    id: strawberry.ID
    type: str = strawberry.field(description="What the job does, e.g. suppliers.import.")
    status: JobStatus = strawberry.field(description="Where the job stands.")  # type: ignore[valid-type]
    progress_done: int = strawberry.field(description="Rows or items done so far.")
    progress_total: int | None = strawberry.field(description="How many in all, when known.")
    counts: JSON = strawberry.field(
        description="Outcome counts by kind, e.g. {created, updated, rejected}."
    )
    error_code: str | None = strawberry.field(description="Why it failed (docs/errors.md).")
    error_message: str | None = strawberry.field(description="Why it failed, in words.")
    created_at: datetime
    started_at: datetime | None = strawberry.field(description="When a worker took it.")
    finished_at: datetime | None = strawberry.field(description="When it succeeded or failed.")
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

    @strawberry.field(extensions=allow(Authenticated()), description="The region it runs for.")
    async def tenant(self) -> Tenant | None:
        return await tenant_by_code(self.tenant_code)


@strawberry.type
class JobPayload:
    job: Job | None = strawberry.field(default=None, description="The job queued; null on errors.")
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
    @strawberry.field(
        extensions=allow(Authenticated()),
        description="One job you may read (yours, or your region's for admins); null if none.",
    )
    async def job(self, info: Info, id: strawberry.ID) -> Job | None:
        try:
            return Job.of(await service.get_job(info.context.user, parse_id(id, "job")))
        except DomainError as exc:
            if exc.code == "NOT_FOUND":
                return None
            raise

    @strawberry.field(
        extensions=allow(Authenticated()),
        description="Jobs you may read, newest first: yours, or your region's for admins.",
    )
    async def jobs(
        self,
        info: Info,
        type: Annotated[
            str | None, strawberry.argument(description="Only jobs of this type.")
        ] = None,
        status: Annotated[
            JobStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only jobs in this state."),
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Job]:
        page = await service.list_jobs(
            info.context.user, type, status.value if status else None, first, after
        )
        return connection(page, Job.of)
