"""The evaluation's API: committees and their verifiable draws for the agency and readers of
the region, assignments for the drawn experts (types in types.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_payload
from gpcloud.core.graphql.permissions import Requires, SubsystemLive, allow
from gpcloud.core.graphql.types import parse_id
from gpcloud.evaluation.graphql.evaluation import EvaluationMutations, EvaluationQueries
from gpcloud.evaluation.graphql.evaluation_requests import RequestMutations, RequestQueries
from gpcloud.evaluation.graphql.fees import FeeMutations, FeeQueries
from gpcloud.evaluation.graphql.types import (
    EXPERTS,
    READERS,
    DrawType,
    EvaluationCommittee,
    EvaluationCommitteePayload,
    ExpertAssignment,
    ExpertAssignmentPayload,
    ExpertDraw,
    ExpertDrawPayload,
)
from gpcloud.evaluation.service import committees, draws, seats

COMMITTEE_ID = Annotated[strawberry.ID, strawberry.argument(description="The committee.")]
ASSIGNMENT_ID = Annotated[strawberry.ID, strawberry.argument(description="Your assignment.")]
DRAW_ID = Annotated[strawberry.ID, strawberry.argument(description="The committed draw.")]
PROJECT_ID = Annotated[strawberry.ID, strawberry.argument(description="The project.")]
LIVE = SubsystemLive("transaction")
MANAGERS = allow(Requires(Perm.COMMITTEE_MANAGE), LIVE)
RESPONDERS = allow(EXPERTS, LIVE)


@strawberry.input(description="A committee for a project entrusted to your agency.")
class EvaluationCommitteeInput:
    project_id: strawberry.ID = strawberry.field(description="A project entrusted to you.")
    members: int = strawberry.field(description="Members in all (odd; the method's minimum).")
    evaluation_at: datetime = strawberry.field(description="When the evaluation starts.")
    lot: str = strawberry.field(default="", description='A lot of the documents; "" for all.')
    representative: bool = strawberry.field(
        default=False, description="The purchaser's representative takes one seat."
    )
    representative_name: str = strawberry.field(default="", description="Their name.")
    large_project: bool = strawberry.field(
        default=False, description="Complex or of high impact (large by budget regardless)."
    )
    specialty_codes: list[str] = strawberry.field(
        default_factory=list,
        description="Catalogue codes from the documents (default: the plan's category).",
    )
    region: str | None = strawberry.field(
        default=None, description="Draw experts serving this region (default: the project's)."
    )
    remote: bool = strawberry.field(default=False, description="Remote evaluation.")
    room_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Your agency's evaluation room where the members check in (Agency.rooms); "
        "required unless remote where the region requires evaluation rooms.",
    )
    backups: int | None = strawberry.field(
        default=None, description="Backups to draw (default: the tenant's expert_draw.backups)."
    )


def _committee(work):
    return run_payload(EvaluationCommitteePayload, "committee", EvaluationCommittee.of, work)


def _draw(work):
    return run_payload(ExpertDrawPayload, "draw", ExpertDraw.of, work)


def _assignment(work):
    return run_payload(ExpertAssignmentPayload, "assignment", ExpertAssignment.of, work)


@strawberry.type
class Queries(EvaluationQueries, RequestQueries, FeeQueries):
    @strawberry.field(
        extensions=allow(READERS),
        description="A committee: its agency's, or within your region (names sealed until the "
        "evaluation starts).",
    )
    async def evaluation_committee(
        self, info: Info, id: strawberry.ID
    ) -> EvaluationCommittee | None:
        try:
            row = await committees.readable(info.context.user, parse_id(id, "committee"))
        except DomainError:
            return None
        return EvaluationCommittee.of(row)

    @strawberry.field(
        extensions=allow(READERS),
        description="The committees of a project you may read.",
        directives=[ListSize(max=50)],
    )
    async def evaluation_committees(
        self, info: Info, project_id: PROJECT_ID
    ) -> list[EvaluationCommittee]:
        rows = await committees.of_project(info.context.user, parse_id(project_id, "project"))
        return [EvaluationCommittee.of(r) for r in rows[:50]]

    @strawberry.field(
        extensions=allow(EXPERTS),
        description="Your own draw assignments as an expert (nobody else's).",
        directives=[ListSize(max=200)],
    )
    async def my_expert_assignments(self, info: Info) -> list[ExpertAssignment]:
        rows = await seats.assignments(info.context.user)
        return [ExpertAssignment.of(r) for r in rows[:200]]


@strawberry.type
class Mutations(EvaluationMutations, RequestMutations, FeeMutations):
    @strawberry.mutation(
        extensions=MANAGERS,
        description="Form the committee of your agency's project; its composition is checked.",
    )
    async def form_evaluation_committee(
        self, info: Info, input: EvaluationCommitteeInput
    ) -> EvaluationCommitteePayload:
        data = committees.CommitteeInput(
            project_id=parse_id(input.project_id, "project"),
            members=input.members,
            evaluation_at=input.evaluation_at,
            lot=input.lot,
            representative=input.representative,
            representative_name=input.representative_name,
            large_project=input.large_project,
            specialty_codes=list(input.specialty_codes),
            region=input.region,
            remote=input.remote,
            backups=input.backups,
            room_id=None if input.room_id is None else parse_id(input.room_id, "room"),
        )
        return await _committee(lambda: committees.form(info.context.user, data))

    @strawberry.mutation(
        extensions=MANAGERS,
        description="Commit the committee's draw: a random seed whose sha256 is audited now.",
    )
    async def commit_expert_draw(
        self,
        info: Info,
        committee_id: COMMITTEE_ID,
        draw_type: Annotated[
            DrawType,  # type: ignore[valid-type]
            strawberry.argument(description="Review or non-review (the trial run's type)."),
        ],
    ) -> ExpertDrawPayload:
        return await _draw(
            lambda: draws.commit(
                info.context.user, parse_id(committee_id, "committee"), draw_type.value
            )
        )

    @strawberry.mutation(
        extensions=MANAGERS,
        description="Run the committed draw after the bid deadline: seats invited, backups in order.",
    )
    async def run_expert_draw(self, info: Info, draw_id: DRAW_ID) -> ExpertDrawPayload:
        return await _draw(lambda: draws.run(info.context.user, parse_id(draw_id, "draw")))

    @strawberry.mutation(
        extensions=MANAGERS,
        description="Every seat confirmed: start the evaluation; names unsealed, seed revealed.",
    )
    async def start_evaluation(
        self, info: Info, committee_id: COMMITTEE_ID
    ) -> EvaluationCommitteePayload:
        return await _committee(
            lambda: committees.start_evaluation(
                info.context.user, parse_id(committee_id, "committee")
            )
        )

    @strawberry.mutation(
        extensions=MANAGERS,
        description="Record the chair the members elected: a confirmed expert, not the "
        "purchaser's representative.",
    )
    async def choose_committee_chair(
        self,
        info: Info,
        committee_id: COMMITTEE_ID,
        seat_id: Annotated[strawberry.ID, strawberry.argument(description="The expert's seat.")],
    ) -> EvaluationCommitteePayload:
        return await _committee(
            lambda: committees.choose_chair(
                info.context.user, parse_id(committee_id, "committee"), parse_id(seat_id, "seat")
            )
        )

    @strawberry.mutation(
        extensions=MANAGERS,
        description="Cancel the committee before the evaluation, with a reason.",
    )
    async def cancel_evaluation_committee(
        self, info: Info, committee_id: COMMITTEE_ID, reason: str
    ) -> EvaluationCommitteePayload:
        return await _committee(
            lambda: committees.cancel(
                info.context.user, parse_id(committee_id, "committee"), reason
            )
        )

    @strawberry.mutation(
        extensions=RESPONDERS,
        description="Confirm your seat; recusal is checked again (a conflict recuses you).",
    )
    async def confirm_expert_assignment(
        self, info: Info, assignment_id: ASSIGNMENT_ID
    ) -> ExpertAssignmentPayload:
        return await _assignment(
            lambda: seats.confirm(info.context.user, parse_id(assignment_id, "assignment"))
        )

    @strawberry.mutation(extensions=RESPONDERS, description="Decline your seat, with a reason.")
    async def decline_expert_assignment(
        self, info: Info, assignment_id: ASSIGNMENT_ID, reason: str
    ) -> ExpertAssignmentPayload:
        return await _assignment(
            lambda: seats.decline(info.context.user, parse_id(assignment_id, "assignment"), reason)
        )

    @strawberry.mutation(
        extensions=RESPONDERS, description="Recuse yourself: a conflict with a bidder, with why."
    )
    async def declare_expert_conflict(
        self, info: Info, assignment_id: ASSIGNMENT_ID, reason: str
    ) -> ExpertAssignmentPayload:
        return await _assignment(
            lambda: seats.declare_conflict(
                info.context.user, parse_id(assignment_id, "assignment"), reason
            )
        )
