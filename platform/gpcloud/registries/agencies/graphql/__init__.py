"""Agencies through the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Authenticated, Requires, allow
from gpcloud.core.graphql.types import Connection, connection, parse_id
from gpcloud.registries.agencies.graphql.inputs import (
    AgencyFilter,
    AgencyInput,
    AgencyRoomInput,
)
from gpcloud.registries.agencies.graphql.types import (
    Agency,
    AgencyPayload,
    AgencyReadiness,
    AgencyRoom,
    AgencyRoomPayload,
)
from gpcloud.registries.agencies.service import readiness, reads, registration, rooms

DECIDERS = Requires(Perm.AGENCY_DECIDE)
OWN = Requires(Perm.AGENCY_UPDATE_OWN)


async def _agency(work: Callable[[], Awaitable[dict]]) -> AgencyPayload:
    async def run() -> AgencyPayload:
        return AgencyPayload(agency=Agency.of({**await work(), "full": True}))

    return await run_mutation(AgencyPayload, run)


async def _room(work: Callable[[], Awaitable[dict]]) -> AgencyRoomPayload:
    async def run() -> AgencyRoomPayload:
        return AgencyRoomPayload(room=AgencyRoom.of(await work()))

    return await run_mutation(AgencyRoomPayload, run)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(Authenticated()),
        description="Approved agencies for everyone; all statuses for admins and supervisors of their region.",
    )
    async def agencies(
        self,
        info: Info,
        filter: AgencyFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Agency]:
        flt = filter or AgencyFilter()
        page = await reads.search(
            info.context.user,
            reads.AgencyFilter(
                search=flt.search,
                status=flt.status.value if flt.status else None,
                works_in=flt.works_in,
                include_subtree=flt.include_subtree,
            ),
            first,
            after,
        )
        return connection(page, Agency.of)

    @strawberry.field(extensions=allow(Authenticated()), description="One agency; null if none.")
    async def agency(self, info: Info, id: strawberry.ID) -> Agency | None:
        try:
            return Agency.of(await reads.visible(info.context.user, parse_id(id, "agency")))
        except DomainError as exc:
            if exc.code == "NOT_FOUND":
                return None
            raise

    @strawberry.field(
        extensions=allow(OWN), description="The agency you work for (null until registered)."
    )
    async def my_agency(self, info: Info) -> Agency | None:
        row = await reads.mine(info.context.user)
        return Agency.of(row) if row else None

    @strawberry.field(
        extensions=allow(Requires(Perm.AGENCY_CHECK_READINESS)),
        description="Compare an agency with a region's requirements (seed 三(一)).",
    )
    async def agency_readiness(
        self, info: Info, agency_id: strawberry.ID, region_code: str
    ) -> AgencyReadiness:
        result = await readiness.readiness(
            info.context.user, parse_id(agency_id, "agency"), region_code
        )
        return AgencyReadiness.of(result)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.AGENCY_REGISTER)),
        description="Register your organisation as an agency.",
    )
    async def register_agency(self, info: Info, input: AgencyInput) -> AgencyPayload:
        return await _agency(lambda: registration.register(info.context.user, input.to_service()))

    @strawberry.mutation(
        extensions=allow(OWN), description="Change your agency; blank fields keep."
    )
    async def update_my_agency(self, info: Info, input: AgencyInput) -> AgencyPayload:
        return await _agency(
            lambda: registration.update_mine(info.context.user, input.to_service())
        )

    @strawberry.mutation(extensions=allow(DECIDERS), description="Approve a pending registration.")
    async def approve_agency(
        self, info: Info, id: strawberry.ID, reason: str = ""
    ) -> AgencyPayload:
        return await _agency(
            lambda: registration.decide(
                info.context.user, parse_id(id, "agency"), "approve", reason
            )
        )

    @strawberry.mutation(extensions=allow(DECIDERS), description="Reject a pending registration.")
    async def reject_agency(self, info: Info, id: strawberry.ID, reason: str) -> AgencyPayload:
        return await _agency(
            lambda: registration.decide(info.context.user, parse_id(id, "agency"), "reject", reason)
        )

    @strawberry.mutation(extensions=allow(DECIDERS), description="Suspend an approved agency.")
    async def suspend_agency(self, info: Info, id: strawberry.ID, reason: str) -> AgencyPayload:
        return await _agency(
            lambda: registration.decide(
                info.context.user, parse_id(id, "agency"), "suspend", reason
            )
        )

    @strawberry.mutation(extensions=allow(DECIDERS), description="Lift a suspension.")
    async def reactivate_agency(self, info: Info, id: strawberry.ID, reason: str) -> AgencyPayload:
        return await _agency(
            lambda: registration.decide(
                info.context.user, parse_id(id, "agency"), "reactivate", reason
            )
        )

    @strawberry.mutation(extensions=allow(OWN), description="Add a room to your agency.")
    async def add_agency_room(self, info: Info, input: AgencyRoomInput) -> AgencyRoomPayload:
        return await _room(lambda: rooms.add(info.context.user, input.to_service()))

    @strawberry.mutation(
        extensions=allow(OWN), description="Change one of your rooms; blank fields keep."
    )
    async def update_agency_room(
        self, info: Info, id: strawberry.ID, input: AgencyRoomInput
    ) -> AgencyRoomPayload:
        return await _room(
            lambda: rooms.update(info.context.user, parse_id(id, "room"), input.to_service())
        )

    @strawberry.mutation(extensions=allow(OWN), description="Remove one of your rooms; returns it.")
    async def remove_agency_room(self, info: Info, id: strawberry.ID) -> AgencyRoomPayload:
        return await _room(lambda: rooms.remove(info.context.user, parse_id(id, "room")))
