"""Import formats (for frontends and clerks) and starting an import from an upload."""

from __future__ import annotations

from typing import Annotated

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
    name: str = strawberry.field(description="The column's header in English (snake_case).")
    label: str = strawberry.field(description="The Chinese header, accepted in its place.")
    required: bool = strawberry.field(description="A row without a value is rejected.")
    example: str = strawberry.field(description="A valid value.")
    description: str = strawberry.field(description="What the column holds and its format.")


@strawberry.type(description="The columns of a registry's import file (CSV or XLSX).")
class ImportFormat:
    registry: str = strawberry.field(description="The registry, as startImport names it.")
    title: str = strawberry.field(description="The registry's name in words.")
    key: str = strawberry.field(description="The column that identifies a record (upsert key).")
    permission: str = strawberry.field(description="The permission importing it needs.")
    columns: list[ImportColumn] = strawberry.field(
        directives=[ListSize(max=100)], description="The file's columns, in order."
    )


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(Authenticated()),
        directives=[ListSize(max=50)],
        description="The file formats of every registry's import (docs/import-formats/).",
    )
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
        self,
        info: Info,
        registry: Annotated[
            str, strawberry.argument(description="Which registry, as importFormats names it.")
        ],
        file: Annotated[
            Upload, strawberry.argument(description="The CSV (UTF-8 or GBK) or XLSX file.")
        ],
        tenant: Annotated[
            str | None, strawberry.argument(description="Region code; default: your own.")
        ] = None,
    ) -> JobPayload:
        async def work() -> JobPayload:
            user = info.context.user
            content = await file.read()
            row = await start_import(
                user, registry, file.filename or "", content, tenant or user.tenant
            )
            return JobPayload(job=Job.of(row))

        return await run_mutation(JobPayload, work)
