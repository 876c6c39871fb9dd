"""Import formats (for frontends and clerks) and starting an import from an upload."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Authenticated, allow
from gpcloud.core.imports.runner import import_specs
from gpcloud.core.imports.service import start_import
from gpcloud.core.jobs.graphql import Job, JobPayload


@strawberry.type(
    description="A column of an import file: its name, Chinese label, whether required, an example."
)
class ImportColumn:
    name: str
    label: str
    required: bool
    example: str
    description: str


@strawberry.type(description="The columns of a registry's import file (CSV or XLSX).")
class ImportFormat:
    registry: str
    title: str
    key: str = strawberry.field(description="The column that identifies a record (upsert key).")
    permission: str = strawberry.field(description="The permission importing it needs.")
    columns: list[ImportColumn] = strawberry.field(directives=[ListSize(max=100)])


@strawberry.type
class Queries:
    @strawberry.field(extensions=allow(Authenticated()), directives=[ListSize(max=50)])
    def import_formats(self) -> list[ImportFormat]:
        return [
            ImportFormat(
                registry=spec.registry,
                title=spec.title,
                key=spec.key,
                permission=spec.permission,
                columns=[
                    ImportColumn(
                        name=c.name,
                        label=c.label,
                        required=c.required,
                        example=c.example,
                        description=c.description,
                    )
                    for c in spec.columns
                ],
            )
            for spec in import_specs().values()
        ]


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Authenticated()),
        description="Upload a CSV or XLSX registry file; it is imported by a background job. "
        "Each registry needs its own permission (ImportFormat.permission).",
    )
    async def start_import(
        self, info: Info, registry: str, file: Upload, tenant: str | None = None
    ) -> JobPayload:
        async def work() -> JobPayload:
            user = info.context.user
            content = await file.read()
            row = await start_import(
                user, registry, file.filename or "", content, tenant or user.tenant
            )
            return JobPayload(job=Job.of(row))

        return await run_mutation(JobPayload, work)
