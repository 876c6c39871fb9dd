"""The expert pool through the API: `Queries` and `Mutations` (types in types.py and inputs.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.graphql.types import Connection, connection, parse_id
from gpcloud.registries.experts import service
from gpcloud.registries.experts.graphql.inputs import (
    ExpertApplicationInput,
    ExpertAvoidanceInput,
    ExpertAvoidancePayload,
    ExpertChangesInput,
    ExpertFilter,
    ExpertInput,
    ExpertLeaveInput,
    ExpertLeavePayload,
    ExpertPayload,
    RevealIdNumberPayload,
)
from gpcloud.registries.experts.graphql.types import (
    AVAILABILITY,
    DECIDERS,
    MANAGERS,
    READERS,
    Expert,
    ExpertAvoidance,
    ExpertLeave,
)


def _expert_id(value: strawberry.ID, field: str = "id") -> int:
    try:
        return parse_id(value, "expert")
    except DomainError:
        raise DomainError("NOT_FOUND", f"expert {value} not found", field) from None


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(READERS), description="The provincial expert pool (the draw searches it)."
    )
    async def experts(
        self,
        info: Info,
        filter: ExpertFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Expert]:
        flt = filter or ExpertFilter()
        page = await service.search(
            info.context.user,
            service.ExpertFilter(
                category=flt.category,
                region=flt.region,
                available_on=flt.available_on,
                status=flt.status.value if flt.status else None,
                title_level=flt.title_level.value if flt.title_level else None,
                search=flt.search,
            ),
            first,
            after,
        )
        return connection(page, Expert.of)

    @strawberry.field(
        extensions=allow(READERS), description="One expert of the pool; null if none."
    )
    async def expert(self, id: strawberry.ID) -> Expert | None:
        try:
            return Expert.of(await service.get(parse_id(id, "expert")))
        except DomainError as exc:
            if exc.code == "NOT_FOUND":
                return None
            raise

    @strawberry.field(
        extensions=allow(Requires(Perm.EXPERT_APPLY)), description="Your own expert record, if any."
    )
    async def my_expert(self, info: Info) -> Expert | None:
        row = await service.of_user(info.context.user)
        return Expert.of(row) if row else None


async def _expert_mutation(work) -> ExpertPayload:
    async def run() -> ExpertPayload:
        return ExpertPayload(expert=Expert.of(await work()))

    return await run_mutation(ExpertPayload, run)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(MANAGERS), description="Enter an expert into the active pool."
    )
    async def register_expert(self, info: Info, input: ExpertInput) -> ExpertPayload:
        return await _expert_mutation(
            lambda: service.register(info.context.user, input.to_service())
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.EXPERT_APPLY)),
        description="Apply for the pool (pending approval).",
    )
    async def apply_as_expert(self, info: Info, input: ExpertApplicationInput) -> ExpertPayload:
        return await _expert_mutation(lambda: service.apply(info.context.user, input.to_service()))

    @strawberry.mutation(
        extensions=allow(MANAGERS), description="Correct an expert's record (entry rules kept)."
    )
    async def update_expert(
        self, info: Info, id: strawberry.ID, input: ExpertChangesInput
    ) -> ExpertPayload:
        return await _expert_mutation(
            lambda: service.update(info.context.user, _expert_id(id), input.to_service())
        )

    @strawberry.mutation(
        extensions=allow(AVAILABILITY),
        description="The number the draw calls; an expert sets their own.",
    )
    async def set_expert_phone(
        self,
        info: Info,
        id: strawberry.ID,
        phone: Annotated[str, strawberry.argument(description="A mainland mobile number.")],
    ) -> ExpertPayload:
        return await _expert_mutation(
            lambda: service.set_phone(info.context.user, _expert_id(id), phone)
        )

    @strawberry.mutation(
        extensions=allow(DECIDERS), description="Approve an application (entry rules re-checked)."
    )
    async def approve_expert(self, info: Info, id: strawberry.ID, reason: str) -> ExpertPayload:
        return await _expert_mutation(
            lambda: service.change_status(info.context.user, _expert_id(id), "approve", reason)
        )

    @strawberry.mutation(extensions=allow(DECIDERS), description="Take the expert out of the pool.")
    async def suspend_expert(self, info: Info, id: strawberry.ID, reason: str) -> ExpertPayload:
        return await _expert_mutation(
            lambda: service.change_status(info.context.user, _expert_id(id), "suspend", reason)
        )

    @strawberry.mutation(
        extensions=allow(DECIDERS), description="Back into the pool (entry rules re-checked)."
    )
    async def reactivate_expert(self, info: Info, id: strawberry.ID, reason: str) -> ExpertPayload:
        return await _expert_mutation(
            lambda: service.change_status(info.context.user, _expert_id(id), "reactivate", reason)
        )

    @strawberry.mutation(
        extensions=allow(DECIDERS),
        description="Leave the pool for good (also rejects an application).",
    )
    async def retire_expert(self, info: Info, id: strawberry.ID, reason: str) -> ExpertPayload:
        return await _expert_mutation(
            lambda: service.change_status(info.context.user, _expert_id(id), "retire", reason)
        )

    @strawberry.mutation(
        extensions=allow(DECIDERS),
        description="A bad (credit) record: bars the expert for three years; suspends an active one.",
    )
    async def record_expert_bad_record(
        self,
        info: Info,
        id: strawberry.ID,
        recorded_on: Annotated[
            date, strawberry.argument(description="The day of the record: the bar runs from it.")
        ],
        reason: str,
    ) -> ExpertPayload:
        return await _expert_mutation(
            lambda: service.record_bad_record(
                info.context.user, _expert_id(id), recorded_on, reason
            )
        )

    @strawberry.mutation(
        extensions=allow(MANAGERS),
        description="Link (or, with no username, unlink) the expert's account.",
    )
    async def link_expert_account(
        self,
        info: Info,
        id: strawberry.ID,
        username: Annotated[
            str | None, strawberry.argument(description="The account's login name; null unlinks.")
        ] = None,
    ) -> ExpertPayload:
        return await _expert_mutation(
            lambda: service.link_account(info.context.user, _expert_id(id), username)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.EXPERT_REVEAL_ID_NUMBER)),
        description="The full ID number; every reveal is audited.",
    )
    async def reveal_expert_id_number(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> RevealIdNumberPayload:
        async def work() -> RevealIdNumberPayload:
            number = await service.reveal_id_number(info.context.user, _expert_id(id), reason)
            return RevealIdNumberPayload(id_number=number)

        return await run_mutation(RevealIdNumberPayload, work)

    @strawberry.mutation(
        extensions=allow(AVAILABILITY), description="A period the expert cannot be drawn."
    )
    async def add_expert_leave(
        self, info: Info, expert_id: strawberry.ID, input: ExpertLeaveInput
    ) -> ExpertLeavePayload:
        async def work() -> ExpertLeavePayload:
            row = await service.add_leave(
                info.context.user,
                _expert_id(expert_id, "expertId"),
                service.LeaveInput(
                    start_date=input.start_date, end_date=input.end_date, reason=input.reason
                ),
            )
            return ExpertLeavePayload(leave=ExpertLeave.of(row))

        return await run_mutation(ExpertLeavePayload, work)

    @strawberry.mutation(extensions=allow(AVAILABILITY), description="Cancel a leave.")
    async def remove_expert_leave(self, info: Info, id: strawberry.ID) -> ExpertLeavePayload:
        async def work() -> ExpertLeavePayload:
            row = await service.remove_leave(info.context.user, parse_id(id, "leave"))
            return ExpertLeavePayload(leave=ExpertLeave.of(row))

        return await run_mutation(ExpertLeavePayload, work)

    @strawberry.mutation(
        extensions=allow(AVAILABILITY), description="Declare a relation that calls for recusal."
    )
    async def add_expert_avoidance(
        self, info: Info, expert_id: strawberry.ID, input: ExpertAvoidanceInput
    ) -> ExpertAvoidancePayload:
        async def work() -> ExpertAvoidancePayload:
            row = await service.add_avoidance(
                info.context.user, _expert_id(expert_id, "expertId"), input.to_service()
            )
            return ExpertAvoidancePayload(avoidance=ExpertAvoidance.of(row))

        return await run_mutation(ExpertAvoidancePayload, work)

    @strawberry.mutation(
        extensions=allow(AVAILABILITY), description="Correct a relation or end it (set endDate)."
    )
    async def update_expert_avoidance(
        self, info: Info, id: strawberry.ID, input: ExpertAvoidanceInput
    ) -> ExpertAvoidancePayload:
        async def work() -> ExpertAvoidancePayload:
            row = await service.update_avoidance(
                info.context.user, parse_id(id, "avoidance"), input.to_service()
            )
            return ExpertAvoidancePayload(avoidance=ExpertAvoidance.of(row))

        return await run_mutation(ExpertAvoidancePayload, work)

    @strawberry.mutation(
        extensions=allow(AVAILABILITY), description="Withdraw a relation declared by mistake."
    )
    async def remove_expert_avoidance(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> ExpertAvoidancePayload:
        async def work() -> ExpertAvoidancePayload:
            row = await service.remove_avoidance(
                info.context.user, parse_id(id, "avoidance"), reason
            )
            return ExpertAvoidancePayload(avoidance=ExpertAvoidance.of(row))

        return await run_mutation(ExpertAvoidancePayload, work)
