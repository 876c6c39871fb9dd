"""An agency's bid-opening and evaluation rooms, kept by its own users (seed 三(一) 1-3).

Changing rooms never changes the agency's status: readiness shows what a change means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import is_unique_violation
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.registries.agencies.service.common import (
    MAX_ROOMS,
    ROOM_COLUMNS,
    clean,
    own,
    room_problems,
    room_state,
    tenant_codes,
)
from gpcloud.registries.agencies.tables import AgencyRoom

DUPLICATE = Problem("DUPLICATE_ROOM_NAME", "your agency has a room of this name", "name")


@dataclass(frozen=True)
class RoomInput:
    """None means "not given" (on update: keep)."""

    kind: str | None = None
    name: str | None = None
    tenant: str | None = None
    computers: int | None = None
    camera_resolution: int | None = None
    av_monitoring: bool | None = None
    recording_retained: bool | None = None


async def get_room(room_id: int) -> dict:
    row = await AgencyRoom.select(*ROOM_COLUMNS).where(AgencyRoom.id == room_id).first()
    if row is None:
        raise NotFound("room", room_id)
    return row


async def _own_room(actor: CurrentUser, room_id: int) -> tuple[dict, dict]:
    """The room and its agency, if the room is the caller's; another agency's room is not found."""
    agency = await own(actor)
    room = await get_room(room_id)
    if room["agency"] != agency["id"]:
        raise NotFound("room", room_id)
    return agency, room


async def _problems(agency: dict, values: RoomInput, room_id: int | None) -> list[Problem]:
    problems = room_problems(values.kind, values.name, values.computers, values.camera_resolution)
    if values.tenant is not None and values.tenant not in await tenant_codes(agency["id"]):
        problems.append(
            Problem(
                "TENANT_NOT_LISTED",
                f"add {values.tenant[:16]} to your agency's regions first",
                "tenant",
            )
        )
    if (
        values.name is not None
        and not problems
        and await AgencyRoom.exists().where(
            (AgencyRoom.agency == agency["id"])
            & (AgencyRoom.name == values.name)
            & (AgencyRoom.id != (room_id or 0))
        )
    ):
        problems.append(DUPLICATE)
    return problems


def _normalised(values: RoomInput) -> RoomInput:
    return RoomInput(**{**vars(values), "name": clean(values.name), "tenant": clean(values.tenant)})


async def _write(query) -> None:
    try:
        await query
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError.many([DUPLICATE]) from None
        raise


@requires(Perm.AGENCY_UPDATE_OWN)
async def add(actor: CurrentUser, new: RoomInput) -> dict:
    agency = await own(actor)
    values = _normalised(new)
    problems = [
        Problem("REQUIRED", "required for a new room", field)
        for field, value in (
            ("kind", values.kind),
            ("name", values.name),
            ("tenant", values.tenant),
            ("computers", values.computers),
        )
        if value is None
    ]
    problems += await _problems(agency, values, None)
    if (
        not problems
        and await AgencyRoom.count().where(AgencyRoom.agency == agency["id"]) >= MAX_ROOMS
    ):
        problems.append(Problem("TOO_MANY_ROOMS", f"at most {MAX_ROOMS} rooms per agency"))
    if problems:
        raise DomainError.many(problems)
    room = AgencyRoom(
        agency=agency["id"],
        kind=values.kind,
        name=values.name,
        tenant=values.tenant,
        computers=values.computers,
        camera_resolution=values.camera_resolution or 0,
        av_monitoring=bool(values.av_monitoring),
        recording_retained=bool(values.recording_retained),
    )
    await _write(room.save())
    row = await get_room(room.id)
    await audit.record(
        "agencies.add_room", "agency_room", room.id, None, room_state(row), tenant=row["tenant"]
    )
    return row


@requires(Perm.AGENCY_UPDATE_OWN)
async def update(actor: CurrentUser, room_id: int, changes: RoomInput) -> dict:
    agency, before = await _own_room(actor, room_id)
    values = _normalised(changes)
    problems = await _problems(agency, values, room_id)
    if problems:
        raise DomainError.many(problems)
    updates = {
        column: value
        for column, value in (
            (AgencyRoom.kind, values.kind),
            (AgencyRoom.name, values.name),
            (AgencyRoom.tenant, values.tenant),
            (AgencyRoom.computers, values.computers),
            (AgencyRoom.camera_resolution, values.camera_resolution),
            (AgencyRoom.av_monitoring, values.av_monitoring),
            (AgencyRoom.recording_retained, values.recording_retained),
        )
        if value is not None and value != before[column._meta.name]
    }
    if not updates:
        return before
    await _write(
        AgencyRoom.update({**updates, AgencyRoom.updated_at: datetime.now(UTC)}).where(
            AgencyRoom.id == room_id
        )
    )
    after = await get_room(room_id)
    await audit.record(
        "agencies.update_room",
        "agency_room",
        room_id,
        room_state(before),
        room_state(after),
        tenant=after["tenant"],
    )
    return after


@requires(Perm.AGENCY_UPDATE_OWN)
async def remove(actor: CurrentUser, room_id: int) -> dict:
    _, before = await _own_room(actor, room_id)
    await AgencyRoom.delete().where(AgencyRoom.id == room_id)
    await audit.record(
        "agencies.remove_room",
        "agency_room",
        room_id,
        room_state(before),
        None,
        tenant=before["tenant"],
    )
    return before
