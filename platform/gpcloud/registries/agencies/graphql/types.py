"""Agencies, their rooms and their readiness, as the API shows them."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import values_enum
from gpcloud.core.graphql.permissions import Authenticated, allow
from gpcloud.core.graphql.types import UserError
from gpcloud.core.ops.descriptions import field_meanings
from gpcloud.core.tenancy.graphql import Tenant, tenant_by_code
from gpcloud.registries.agencies.service import loaders, readiness
from gpcloud.registries.agencies.service.common import MAX_ROOMS, MAX_TENANTS
from gpcloud.registries.agencies.tables import ROOM_KINDS, STATUSES

AgencyStatus = values_enum(
    "AgencyStatus",
    STATUSES,
    "Where an agency's registration stands.",
    {
        "pending": "Registered; waits for the region's decision. Cannot take projects.",
        "approved": "May be entrusted with procurements in its regions.",
        "rejected": "The registration was refused (see statusReason).",
        "suspended": "May take no new projects for now (see statusReason).",
    },
)
AgencyRoomKind = values_enum(
    "AgencyRoomKind",
    ROOM_KINDS,
    "Which kind of room it is.",
    {"opening": "A bid-opening room (开标室).", "evaluation": "An evaluation room (评标室)."},
)

_AGENCY = {
    "organisationId": "The agency's organisation (its accounts belong to it).",
    "name": "The registered name.",
    "uscc": "Unified social credit code, 18 characters.",
    "status": "Where the registration stands.",
    "statusReason": "Why it last changed status; null unless you may see contacts.",
    "contactName": "Who to contact; null unless you may see contacts.",
    "contactPhone": "Their phone; null unless you may see contacts.",
    "caSerial": "The serial number of the agency's CA certificate (for e-signatures).",
    "caIssuer": "Who issued the CA certificate.",
    "caValidUntil": "The last day the CA certificate is valid; after it the agency is not ready.",
    "decidedAt": "When the region last decided on the registration.",
}
field_meanings(("Agency", "AgencyInput", "AgencyFilter"), _AGENCY)
_ROOM = {
    "agencyId": "The agency it belongs to.",
    "kind": "Bid-opening or evaluation room.",
    "name": "Its name or number, as the agency calls it.",
    "computers": "Computers for bidders or experts in the room.",
    "cameraResolution": "Lines of the computers' cameras, e.g. 720; 0: none.",
    "avMonitoring": "Audio/video monitoring of the whole room.",
    "recordingRetained": "Recordings stored by the agency, retrievable.",
}
field_meanings(("AgencyRoom", "AgencyRoomInput"), _ROOM)
field_meanings(
    ("AgencyRequirements",),
    {
        "openingRoomRequired": "The agency needs a registered bid-opening room.",
        "evaluationRoomRequired": "The agency needs a registered evaluation room.",
        "minComputersPerOpeningRoom": "At least this many computers in each opening room.",
        "minComputersPerEvaluationRoom": "At least this many computers in each evaluation room "
        "(the seed: 8).",
        "minCameraResolution": "Camera lines at least, e.g. 720 (720p).",
        "avMonitoringRequired": "Each room monitored by audio and video.",
        "avRecordingRetained": "The recordings kept and retrievable.",
    },
)
field_meanings(
    ("AgencyReadiness", "AgencyRoomPayload"),
    {
        "agency": "The agency.",
        "region": "The region asked about.",
        "ready": "True when nothing is missing.",
        "gaps": "Each missing requirement with its code.",
        "requirements": "What the region requires.",
        "room": "The room as it is now; null on errors.",
    },
)
field_meanings(("AgencyPayload",), {"agency": "The agency as it is now; null on errors."})


@strawberry.type(description="A bid-opening or evaluation room of an agency, and its equipment.")
class AgencyRoom:
    id: strawberry.ID
    agency_id: strawberry.ID
    kind: AgencyRoomKind  # type: ignore[valid-type]
    name: str
    computers: int
    camera_resolution: int = strawberry.field(
        description="Lines of the computers' cameras; 0: none."
    )
    av_monitoring: bool = strawberry.field(description="Audio/video monitoring of the whole room.")
    recording_retained: bool = strawberry.field(
        description="Recordings stored by the agency, retrievable."
    )
    created_at: datetime
    updated_at: datetime
    tenant_code: strawberry.Private[str]

    @classmethod
    def of(cls, row: dict) -> AgencyRoom:
        return cls(
            id=strawberry.ID(str(row["id"])),
            agency_id=strawberry.ID(str(row["agency"])),
            kind=AgencyRoomKind(row["kind"]),
            name=row["name"],
            computers=row["computers"],
            camera_resolution=row["camera_resolution"],
            av_monitoring=row["av_monitoring"],
            recording_retained=row["recording_retained"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            tenant_code=row["tenant"],
        )

    @strawberry.field(extensions=allow(Authenticated()), description="Where the room is.")
    async def tenant(self) -> Tenant | None:
        return await tenant_by_code(self.tenant_code)


@strawberry.type(
    description="A procurement agency (代理机构). Contacts, CA and rooms are null unless you "
    "administer a region it works in or belong to it."
)
class Agency:
    id: strawberry.ID
    organisation_id: strawberry.ID
    name: str
    uscc: str | None = strawberry.field(description="Unified social credit code.")
    status: AgencyStatus  # type: ignore[valid-type]
    status_reason: str | None
    contact_name: str | None
    contact_phone: str | None
    ca_serial: str | None
    ca_issuer: str | None
    ca_valid_until: date | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime
    region_code: strawberry.Private[str]
    full: strawberry.Private[bool]

    @classmethod
    def of(cls, row: dict) -> Agency:
        full = row.get("full", False)
        return cls(
            id=strawberry.ID(str(row["id"])),
            organisation_id=strawberry.ID(str(row["organisation"])),
            name=row["name"],
            uscc=row["uscc"],
            status=AgencyStatus(row["status"]),
            status_reason=row["status_reason"] if full else None,
            contact_name=row["contact_name"] if full else None,
            contact_phone=row["contact_phone"] if full else None,
            ca_serial=row["ca_serial"] if full else None,
            ca_issuer=row["ca_issuer"] if full else None,
            ca_valid_until=row["ca_valid_until"] if full else None,
            decided_at=row["decided_at"] if full else None,
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            region_code=row["region"],
            full=full,
        )

    @strawberry.field(extensions=allow(Authenticated()), description="Where it is registered.")
    async def region(self) -> Tenant | None:
        return await tenant_by_code(self.region_code)

    @strawberry.field(
        extensions=allow(Authenticated()),
        description="The regions it works in.",
        directives=[ListSize(max=MAX_TENANTS)],
    )
    async def tenants(self, info: Info) -> list[Tenant]:
        loader = info.context.loaders.get("agency_tenants", loaders.tenants_by_agency)
        rows = await loader.load(int(self.id))
        found = [await tenant_by_code(r["tenant"]) for r in sorted(rows, key=lambda r: r["tenant"])]
        return [t for t in found if t is not None]

    @strawberry.field(
        extensions=allow(Authenticated()),
        description="Null unless you may see them.",
        directives=[ListSize(max=MAX_ROOMS)],
    )
    async def rooms(self, info: Info) -> list[AgencyRoom] | None:
        if not self.full:
            return None
        loader = info.context.loaders.get("agency_rooms", loaders.rooms_by_agency)
        return [
            AgencyRoom.of(r) for r in sorted(await loader.load(int(self.id)), key=lambda r: r["id"])
        ]


@strawberry.type(
    description="What a tenant requires of agencies (its effective agency_readiness config)."
)
class AgencyRequirements:
    opening_room_required: bool
    evaluation_room_required: bool
    min_computers_per_opening_room: int
    min_computers_per_evaluation_room: int
    min_camera_resolution: int
    av_monitoring_required: bool
    av_recording_retained: bool


@strawberry.type(
    description="What an agency still lacks to run procurements in a region (its code and why)."
)
class ReadinessGap:
    code: str = strawberry.field(
        description="Stable code, e.g. CA_EXPIRED, EVALUATION_ROOM_COMPUTERS."
    )
    message: str = strawberry.field(description="What is missing, in words.")
    room_id: strawberry.ID | None = strawberry.field(description="The room at fault, if one is.")


# A gap per requirement and room.
GAPS = ListSize(max=10 * MAX_ROOMS)


@strawberry.type(
    description="Whether an agency may run e-transactions in a region, and what is missing."
)
class AgencyReadiness:
    agency: Agency
    region: Tenant
    ready: bool
    missing: list[str] = strawberry.field(
        description="What is missing, in Chinese, naming rooms.", directives=[GAPS]
    )
    gaps: list[ReadinessGap] = strawberry.field(directives=[GAPS])
    requirements: AgencyRequirements

    @classmethod
    def of(cls, result: readiness.Readiness) -> AgencyReadiness:
        return cls(
            agency=Agency.of(result.agency),
            region=Tenant.of(result.region),
            ready=result.ready,
            missing=[g.message for g in result.gaps],
            gaps=[
                ReadinessGap(
                    code=g.code,
                    message=g.message,
                    room_id=strawberry.ID(str(g.room_id)) if g.room_id else None,
                )
                for g in result.gaps
            ],
            requirements=AgencyRequirements(**result.requirements),
        )


@strawberry.type
class AgencyPayload:
    agency: Agency | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AgencyRoomPayload:
    room: AgencyRoom | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
