"""Publication warnings through the API: an agency overrides a warn-level warning with a reason
(a named permission); a finance department lists and exports every override of its region."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum, values_enum
from gpcloud.core.graphql.mutations import run_payload
from gpcloud.core.graphql.permissions import Requires, SubsystemLive, allow
from gpcloud.core.graphql.types import Connection, UserError, connection, parse_id
from gpcloud.core.jobs.graphql import JobPayload, enqueue_for_tenant
from gpcloud.supervision import views_warnings
from gpcloud.supervision.warnings import request_override
from gpcloud.supervision.warnings.common import KINDS
from gpcloud.supervision.workflow import OVERRIDE

LIVE = SubsystemLive("supervision")
READ = allow(Requires(Perm.SUPERVISION_OVERVIEW))
RULES_BOUND = ListSize(max=20)

PublicationKind = values_enum(
    "PublicationKind",
    KINDS,
    "What is about to be published: the procurement documents, or an announcement.",
    {
        "documents": "A version of the procurement documents (采购文件).",
        "tender": "The tender announcement (采购公告).",
        "correction": "A correction announcement (更正公告).",
        "result": "The result announcement (结果公告) naming the winners.",
    },
)
PublicationOverrideStatus = state_enum(
    "PublicationOverrideStatus",
    OVERRIDE,
    {
        "pending": "Asked for; the plan's next publication of its kind uses it.",
        "used": "Used by a publication: what the rule matched is recorded.",
        "superseded": "Asked for again for the same rule and publication.",
    },
)


@strawberry.type(
    description="A rule's finding in a document or announcement before it was published "
    "(风险预警): the rule, its legal basis and the text it matched."
)
class PublicationWarning:
    rule: str = strawberry.field(description="The rule's code (a plugin's: <plugin>.<rule>).")
    article: str = strawberry.field(description="The legal basis, or marked (unverified).")
    matched: str = strawberry.field(description="The text the rule matched.")


@strawberry.type(
    description="An agency's override of a warn-level publication warning, with its reason."
)
class PublicationOverride:
    id: strawberry.ID
    tenant_code: str
    plan_id: strawberry.ID = strawberry.field(description="The plan whose publication it is for.")
    kind: PublicationKind = strawberry.field(description="The publication it is for.")  # type: ignore[valid-type]
    rule: str = strawberry.field(description="The rule it overrides.")
    reason: str = strawberry.field(description="Why the agency publishes despite the warning.")
    status: PublicationOverrideStatus = strawberry.field(description="Pending, used or superseded.")  # type: ignore[valid-type]
    agency_organisation_id: strawberry.ID = strawberry.field(
        description="The agency that asked for it (only its publication uses it)."
    )
    requested_by: strawberry.ID = strawberry.field(description="The user who asked.")
    requested_at: datetime = strawberry.field(description="When it was asked for.")
    publication: str = strawberry.field(
        description='What used it, e.g. "project:12:documents"; empty while pending.'
    )
    used_at: datetime | None = strawberry.field(description="When a publication used it.")
    warnings: list[PublicationWarning] = strawberry.field(
        description="What the rule found in the publication that used the override.",
        directives=[ListSize(max=50)],
    )

    @classmethod
    def of(cls, row: dict) -> PublicationOverride:
        return cls(
            id=strawberry.ID(str(row["id"])),
            tenant_code=row["tenant_id"],
            plan_id=strawberry.ID(str(row["plan"])),
            kind=PublicationKind(row["kind"]),
            rule=row["rule"],
            reason=row["reason"],
            status=PublicationOverrideStatus(row["status"]),
            agency_organisation_id=strawberry.ID(str(row["organisation"])),
            requested_by=strawberry.ID(str(row["requested_by"])),
            requested_at=row["requested_at"],
            publication=row["subject"],
            used_at=row["used_at"],
            warnings=[
                PublicationWarning(rule=row["rule"], article=row["article"], matched=m)
                for m in views_warnings.matched(row)
            ],
        )


@strawberry.input(description="Which overrides to list or export; every field narrows.")
class PublicationOverrideFilter:
    status: PublicationOverrideStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only overrides in this state."
    )
    rule: str | None = strawberry.field(default=None, description="A rule code.")
    kind: PublicationKind | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only overrides for this kind of publication."
    )
    plan_id: strawberry.ID | None = strawberry.field(default=None, description="One plan's.")
    requested_from: date | None = strawberry.field(
        default=None, description="Asked for on this day or later (Asia/Shanghai)."
    )
    requested_to: date | None = strawberry.field(
        default=None, description="Asked for on this day or earlier (Asia/Shanghai)."
    )

    def to_service(self) -> views_warnings.OverrideFilter:
        return views_warnings.OverrideFilter(
            status=self.status.value if self.status else None,
            rule=self.rule,
            kind=self.kind.value if self.kind else None,
            plan_id=parse_id(self.plan_id, "plan") if self.plan_id else None,
            requested_from=self.requested_from,
            requested_to=self.requested_to,
        )

    def to_payload(self) -> dict:
        flt = self.to_service()
        return {
            "status": flt.status,
            "rule": flt.rule,
            "kind": flt.kind,
            "plan_id": flt.plan_id,
            "requested_from": flt.requested_from.isoformat() if flt.requested_from else None,
            "requested_to": flt.requested_to.isoformat() if flt.requested_to else None,
        }


@strawberry.type
class PublicationOverridesPayload:
    overrides: list[PublicationOverride] | None = strawberry.field(
        default=None, description="One per rule, pending.", directives=[RULES_BOUND]
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=READ,
        description="Every override of a publication warning in your region (a county: its "
        "own; a city: its own and its counties'), oldest first.",
    )
    async def publication_overrides(
        self,
        info: Info,
        filter: PublicationOverrideFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PublicationOverride]:
        flt = filter.to_service() if filter else views_warnings.OverrideFilter()
        page = await views_warnings.overrides(info.context.user, flt, first, after)
        return connection(page, PublicationOverride.of)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.PUBLICATION_OVERRIDE), LIVE),
        description="Publish the plan's next documents or announcement of this kind despite "
        "warn-level warnings of these rules (PUBLICATION_WARNINGS names them), saying why. "
        "Used once, by that publication; a blocking rule is never overridden.",
    )
    async def override_publication_warnings(
        self,
        info: Info,
        plan_id: Annotated[strawberry.ID, strawberry.argument(description="The project's plan.")],
        kind: Annotated[
            PublicationKind,  # type: ignore[valid-type]
            strawberry.argument(description="The publication the override is for."),
        ],
        rules: Annotated[
            list[str],
            strawberry.argument(description="The rules to override, as the warnings name them."),
        ],
        reason: Annotated[str, strawberry.argument(description="Why (2 to 2000 characters).")],
    ) -> PublicationOverridesPayload:
        async def work():
            return await request_override(
                info.context.user, parse_id(plan_id, "plan"), kind.value, rules, reason
            )

        return await run_payload(
            PublicationOverridesPayload,
            "overrides",
            lambda rows: [PublicationOverride.of(r) for r in rows],
            work,
        )

    @strawberry.mutation(
        extensions=READ,
        description="Write the region's overrides the filter selects to an XLSX file (a job; "
        "download its result).",
    )
    async def export_publication_overrides(
        self,
        info: Info,
        filter: PublicationOverrideFilter | None = None,
        tenant: Annotated[
            str | None,
            strawberry.argument(description="A region within yours; default your own."),
        ] = None,
    ) -> JobPayload:
        payload = filter.to_payload() if filter else {}
        return await enqueue_for_tenant(
            info.context.user, "publication_overrides_export", payload, tenant
        )
