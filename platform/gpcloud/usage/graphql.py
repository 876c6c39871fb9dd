"""Usage through the API: the charges and the agencies' monthly statements (an agency reads its
own, the region's finance staff every agency's), and their XLSX export (a job)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.graphql import Organisation
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.service import organisations_by_id
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import values_enum
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.graphql.types import Connection, connection, parse_id
from gpcloud.core.jobs.graphql import Job, JobPayload
from gpcloud.core.money import to_yuan
from gpcloud.usage.service import statements
from gpcloud.usage.service.statements import Filter, Line, Statement
from gpcloud.usage.tables import KINDS

READ = allow(Requires(Perm.USAGE_READ))

UsageKind = values_enum(
    "UsageKind",
    KINDS,
    "A billable use of a commercial service, billed per use to the agency (seed 四(二)).",
    {
        "face_verification": "人脸识别: an expert's face verified at check-in.",
        "e_signature": "电子签名: a document signed with an expert's e-signature.",
    },
)


async def _agency(info: Info, organisation: int) -> Organisation | None:
    loader = info.context.loaders.get("organisation", organisations_by_id)
    row = await loader.load(organisation)
    return Organisation.of(row) if row else None


@strawberry.type(description="One billed use in the usage ledger.")
class UsageCharge:
    id: strawberry.ID
    tenant_code: str
    agency_id: strawberry.Private[int]
    project_reference: str = strawberry.field(description='The project used for, "project:12".')
    kind: UsageKind = strawberry.field(description="What was used.")  # type: ignore[valid-type]
    subject_reference: str = strawberry.field(description='Who was verified or signed, "expert:7".')
    unit_price: Decimal = strawberry.field(
        description="Yuan, from the tenant's config (fees) at the time of use."
    )
    provider: str = strawberry.field(
        description='Who answered: "builtin:development" (the development provider, no real '
        "check) or the tenant's approved plugin."
    )
    provider_reference: str = strawberry.field(description="The provider's transaction id.")
    outcome: str = strawberry.field(description="matched, not_matched (faces) or signed.")
    development: bool = strawberry.field(
        description="True when the development provider answered: a test use, not a real one."
    )
    month: str = strawberry.field(description="The statement it is on, YYYY-MM.")
    used_at: datetime = strawberry.field(description="When it was used.")

    @strawberry.field(extensions=READ, description="The agency that pays for it.")
    async def agency(self, info: Info) -> Organisation | None:
        return await _agency(info, self.agency_id)

    @classmethod
    def of(cls, row: dict) -> UsageCharge:
        return cls(
            id=strawberry.ID(str(row["id"])),
            tenant_code=row["tenant_id"],
            agency_id=row["agency"],
            project_reference=row["project_reference"],
            kind=UsageKind(row["kind"]),
            subject_reference=row["subject_reference"],
            unit_price=to_yuan(row["unit_price_fen"]),
            provider=row["provider"],
            provider_reference=row["provider_reference"],
            outcome=row["outcome"],
            development=bool((row["evidence"] or {}).get("development")),
            month=row["month"],
            used_at=row["used_at"],
        )


@strawberry.type(description="Uses of one kind at one unit price in one tenant, on a statement.")
class UsageStatementLine:
    tenant_code: str
    kind: UsageKind = strawberry.field(description="What was used.")  # type: ignore[valid-type]
    count: int = strawberry.field(description="How many uses.")
    unit_price: Decimal = strawberry.field(description="Yuan per use.")
    amount: Decimal = strawberry.field(description="count x unitPrice, yuan.")

    @classmethod
    def of(cls, line: Line) -> UsageStatementLine:
        return cls(
            tenant_code=line.tenant,
            kind=UsageKind(line.kind),
            count=line.count,
            unit_price=to_yuan(line.unit_price_fen),
            amount=to_yuan(line.amount_fen),
        )


@strawberry.type(description="An agency's monthly bill for face verification and e-signatures.")
class UsageStatement:
    agency_id: strawberry.Private[int]
    month: str = strawberry.field(description="YYYY-MM.")
    count: int = strawberry.field(description="Uses billed in the month.")
    total: Decimal = strawberry.field(description="What the agency owes for the month, yuan.")
    lines: list[UsageStatementLine] = strawberry.field(
        description="By tenant, kind and unit price.", directives=[ListSize(max=300)]
    )

    @strawberry.field(extensions=READ, description="The agency billed.")
    async def agency(self, info: Info) -> Organisation | None:
        return await _agency(info, self.agency_id)

    @classmethod
    def of(cls, row: dict) -> UsageStatement:
        statement: Statement = row["statement"]
        return cls(
            agency_id=statement.agency,
            month=statement.month,
            count=statement.count,
            total=to_yuan(statement.total_fen),
            lines=[UsageStatementLine.of(line) for line in statement.lines],
        )


Month = Annotated[str, strawberry.argument(description="The month, YYYY-MM.")]
AgencyArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only this agency (its organisation id); an agency: its own."),
]
TenantArg = Annotated[
    str | None,
    strawberry.argument(
        description="Only this region (GB/T 2260) and its subregions; staff: within their reach."
    ),
]
KindArg = Annotated[
    UsageKind | None,  # type: ignore[valid-type]
    strawberry.argument(description="Only this kind."),
]


def _filter(month: str, agency, tenant, kind=None) -> Filter:
    return Filter(
        month,
        parse_id(agency, "agency") if agency is not None else None,
        tenant,
        kind.value if kind is not None else None,
    )


@strawberry.type
class Queries:
    @strawberry.field(extensions=READ, description="Billed uses of a month, oldest first.")
    async def usage_charges(
        self,
        info: Info,
        month: Month,
        agency: AgencyArg = None,
        tenant: TenantArg = None,
        kind: KindArg = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[UsageCharge]:
        page = await statements.charges(
            info.context.user, _filter(month, agency, tenant, kind), first, after
        )
        return connection(page, UsageCharge.of)

    @strawberry.field(extensions=READ, description="The month's statement of each agency.")
    async def usage_statements(
        self,
        info: Info,
        month: Month,
        agency: AgencyArg = None,
        tenant: TenantArg = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[UsageStatement]:
        page = await statements.statements(
            info.context.user, _filter(month, agency, tenant), first, after
        )
        return connection(page, UsageStatement.of, key="agency")


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=READ,
        description="Write the month's statements and their charges as XLSX (a job; its result "
        "files are the download).",
    )
    async def export_usage_statements(
        self, info: Info, month: Month, agency: AgencyArg = None, tenant: TenantArg = None
    ) -> JobPayload:
        async def work() -> JobPayload:
            flt = _filter(month, agency, tenant)
            return JobPayload(job=Job.of(await statements.export(info.context.user, flt)))

        return await run_mutation(JobPayload, work)
