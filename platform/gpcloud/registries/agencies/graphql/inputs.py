"""What the agencies API accepts."""

from __future__ import annotations

from datetime import date

import strawberry

from gpcloud.registries.agencies.graphql.types import AgencyRoomKind, AgencyStatus
from gpcloud.registries.agencies.service import registration, rooms


@strawberry.input
class AgencyInput:
    name: str | None = None
    uscc: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    ca_serial: str | None = None
    ca_issuer: str | None = None
    ca_valid_until: date | None = None
    tenants: list[str] | None = strawberry.field(
        default=None, description="Region codes you work in (default on registration: your region)."
    )

    def to_service(self) -> registration.AgencyInput:
        return registration.AgencyInput(
            name=self.name,
            uscc=self.uscc,
            contact_name=self.contact_name,
            contact_phone=self.contact_phone,
            ca_serial=self.ca_serial,
            ca_issuer=self.ca_issuer,
            ca_valid_until=self.ca_valid_until,
            tenants=self.tenants,
        )


@strawberry.input
class AgencyRoomInput:
    kind: AgencyRoomKind | None = None  # type: ignore[valid-type]
    name: str | None = None
    tenant: str | None = strawberry.field(
        default=None, description="Region code where the room is."
    )
    computers: int | None = None
    camera_resolution: int | None = None
    av_monitoring: bool | None = None
    recording_retained: bool | None = None

    def to_service(self) -> rooms.RoomInput:
        return rooms.RoomInput(
            kind=self.kind.value if self.kind else None,
            name=self.name,
            tenant=self.tenant,
            computers=self.computers,
            camera_resolution=self.camera_resolution,
            av_monitoring=self.av_monitoring,
            recording_retained=self.recording_retained,
        )


@strawberry.input
class AgencyFilter:
    search: str | None = strawberry.field(
        default=None, description="Part of the name, or an exact credit code."
    )
    status: AgencyStatus | None = None  # type: ignore[valid-type]
    works_in: str | None = strawberry.field(
        default=None, description="Region code the agency works in."
    )
    include_subtree: bool = strawberry.field(
        default=False, description="With works_in: also regions below it."
    )
