"""The evaluation's API types: the committee (names sealed until the evaluation starts), its
draw with the verification, and an expert's own assignment."""

from __future__ import annotations

import json
from datetime import date, datetime

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum, values_enum
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.graphql.types import UserError
from gpcloud.evaluation.service import common, draws
from gpcloud.evaluation.tables import DRAW_TYPES
from gpcloud.evaluation.workflow import COMMITTEE, DRAW, MEMBER
from gpcloud.registries.experts.service import loaders as expert_loaders

READERS = Requires(Perm.COMMITTEE_READ)
EXPERTS = Requires(Perm.ASSIGNMENT_RESPOND)

CommitteeStatus = state_enum(
    "EvaluationCommitteeStatus",
    COMMITTEE,
    {
        "forming": "Composition checked; the draw is not run yet.",
        "confirming": "Drawn: the invited experts confirm within the tenant's time.",
        "complete": "Every expert seat is confirmed.",
        "evaluating": "The evaluation started: the names are unsealed.",
        "incomplete": "A seat fell free and no backup was left: the evaluation cannot start.",
        "cancelled": "Cancelled by the agency with a reason.",
    },
)
DrawStatus = state_enum(
    "ExpertDrawStatus",
    DRAW,
    {
        "committed": "The seed's sha256 is in the audit log; nothing drawn yet.",
        "drawn": "The eligible list is frozen and the committee drawn; the seed is still secret.",
        "revealed": "The evaluation started: the seed is published and anyone can recompute.",
        "cancelled": "Its committee was cancelled before the draw ran.",
    },
)
SeatStatus = state_enum(
    "DrawnExpertStatus",
    MEMBER,
    {
        "waiting": "A backup in line.",
        "invited": "Holds a seat; must confirm before confirmBy.",
        "confirmed": "Confirmed the seat.",
        "declined": "Declined, with a reason.",
        "timed_out": "Did not confirm in time.",
        "recused": "Recused: a conflict with a bidder, a ban or leave, with the reason.",
        "released": "Not needed (every seat confirmed, or the committee cancelled).",
    },
)
DrawType = values_enum(
    "ExpertDrawType",
    DRAW_TYPES,
    "The draw type (seed §8): during its trial run a region draws only its configured type.",
    {
        "review": "An evaluation project (评审项目).",
        "non_review": "非评审项目, the trial run's type.",
    },
)


@strawberry.type(description="One check of a draw's recomputation.")
class DrawCheck:
    what: str = strawberry.field(description="What was compared.")
    ok: bool = strawberry.field(description="Whether it matched.")
    detail: str = strawberry.field(description="The committed value compared against.")


@strawberry.type(description="A draw recomputed from its seed and snapshot by the platform.")
class DrawVerification:
    verified: bool = strawberry.field(description="Every check matched.")
    seed_revealed: bool = strawberry.field(
        description="Whether the seed is public yet (after the evaluation starts)."
    )
    checks: list[DrawCheck] = strawberry.field(
        description="Each comparison.", directives=[ListSize(max=10)]
    )


@strawberry.type(description="A verifiable expert draw (docs/evaluation.md).")
class ExpertDraw:
    id: strawberry.ID
    draw_type: DrawType = strawberry.field(description="Review or non-review (seed §8).")  # type: ignore[valid-type]
    status: DrawStatus = strawberry.field(description="Where the draw stands.")  # type: ignore[valid-type]
    seed_hash: str = strawberry.field(description="sha256 of the seed, committed before the draw.")
    committed_at: datetime = strawberry.field(description="When the seed was committed.")
    snapshot_digest: str = strawberry.field(description="sha256 of the frozen eligible list.")
    eligible: int = strawberry.field(description="How many experts were eligible.")
    excluded_for_credit_ban: int = strawberry.field(description="Left out by an active ban.")
    excluded_for_recusal: int = strawberry.field(description="Left out by recusal.")
    result_digest: str = strawberry.field(description="sha256 of the picks in order.")
    drawn_at: datetime | None = strawberry.field(description="When the draw ran.")
    evaluation_day: date | None = strawberry.field(description="The day eligibility was judged on.")
    seed: str | None = strawberry.field(description="The seed (hex), once revealed.")
    _row: strawberry.Private[dict]

    @classmethod
    def of(cls, row: dict) -> ExpertDraw:
        excluded = json.loads(row["excluded"] or "{}")
        return cls(
            id=strawberry.ID(str(row["id"])),
            draw_type=DrawType(row["draw_type"]),
            status=DrawStatus(row["status"]),
            seed_hash=row["seed_hash"],
            committed_at=row["committed_at"],
            snapshot_digest=row["snapshot_digest"],
            eligible=row["eligible"],
            excluded_for_credit_ban=excluded.get("credit_ban", 0),
            excluded_for_recusal=excluded.get("recusal", 0),
            result_digest=row["result_digest"],
            drawn_at=row["drawn_at"],
            evaluation_day=row["on_day"],
            seed=row["seed"] if row["status"] == "revealed" else None,
            _row=row,
        )

    @strawberry.field(
        extensions=allow(READERS),
        description="Recompute the draw from its seed and snapshot and compare (no names).",
    )
    def verification(self) -> DrawVerification:
        found = draws.verify_row(self._row)
        return DrawVerification(
            verified=found.verified,
            seed_revealed=found.seed_known,
            checks=[DrawCheck(what=w, ok=o, detail=d) for w, o, d in found.checks],
        )


@strawberry.type(description="An expert drawn, once the names are unsealed.")
class DrawnExpertName:
    expert_id: strawberry.ID = strawberry.field(description="The expert in the registry.")
    name: str = strawberry.field(description="The expert's name.")
    title: str = strawberry.field(description="Professional title.")
    employer: str = strawberry.field(description="Employer as registered.")


@strawberry.type(
    description="A seat or backup of a committee: its state; who holds it only once the "
    "evaluation starts."
)
class DrawnExpert:
    id: strawberry.ID
    position: int = strawberry.field(description="Draw order (1 = first pick).")
    backup: bool = strawberry.field(description="Drawn as a backup.")
    status: SeatStatus = strawberry.field(description="Where the seat stands.")  # type: ignore[valid-type]
    invited_at: datetime | None = strawberry.field(description="When the seat was offered.")
    confirm_by: datetime | None = strawberry.field(description="Confirm before this instant.")
    _row: strawberry.Private[dict]
    _unsealed: strawberry.Private[bool]

    @strawberry.field(
        extensions=allow(READERS), description="Why declined or recused: sealed with the name."
    )
    def reason(self) -> str | None:
        return self._row["reason"] if self._unsealed else None

    @strawberry.field(
        extensions=allow(READERS), description="The expert: null until the evaluation starts."
    )
    async def expert(self, info: Info) -> DrawnExpertName | None:
        if not self._unsealed:
            return None
        loader = info.context.loaders.get("expert_names", expert_loaders.names_by_id)
        row = await loader.load(self._row["expert"])
        if row is None:
            return None
        return DrawnExpertName(
            expert_id=strawberry.ID(str(row["id"])),
            name=row["name"],
            title=row["title"],
            employer=row["employer"],
        )


@strawberry.type(description="How many seats and backups stand in each state.")
class SeatCounts:
    invited: int = strawberry.field(description="Seats offered, not answered yet.")
    confirmed: int = strawberry.field(description="Seats confirmed.")
    waiting: int = strawberry.field(description="Backups still in line.")
    declined: int = strawberry.field(description="Declined.")
    timed_out: int = strawberry.field(description="Not confirmed in time.")
    recused: int = strawberry.field(description="Recused.")
    released: int = strawberry.field(description="Backups not needed.")


@strawberry.type(description="The evaluation committee (or panel) of a project or lot.")
class EvaluationCommittee:
    id: strawberry.ID
    project_id: strawberry.ID = strawberry.field(description="The project evaluated.")
    lot: str = strawberry.field(description='The lot; "" for the whole project.')
    method: str = strawberry.field(description="The project's procurement method.")
    members: int = strawberry.field(description="Members in all, odd.")
    expert_seats: int = strawberry.field(description="Seats drawn from the expert pool.")
    representative: bool = strawberry.field(
        description="The purchaser's representative sits (never as chair)."
    )
    representative_name: str = strawberry.field(description="The representative's name.")
    large_project: bool = strawberry.field(description="Large project: 7 members at least.")
    specialty_codes: list[str] = strawberry.field(
        description="Catalogue codes searched.", directives=[ListSize(max=10)]
    )
    region: str = strawberry.field(description="Experts serving this region (or above) are drawn.")
    evaluation_at: datetime = strawberry.field(description="When the evaluation starts.")
    remote: bool = strawberry.field(description="Remote evaluation (no draw lead time).")
    room_id: strawberry.ID | None = strawberry.field(
        description="The agency's evaluation room (Agency.rooms); none when remote."
    )
    backups: int = strawberry.field(description="Backups drawn after the seats.")
    status: CommitteeStatus = strawberry.field(description="Where the committee stands.")  # type: ignore[valid-type]
    status_reason: str = strawberry.field(description="Why it was cancelled or is incomplete.")
    chair_seat_id: strawberry.ID | None = strawberry.field(
        description="The elected chair's seat (a confirmed expert, never the representative)."
    )
    _row: strawberry.Private[dict]

    @classmethod
    def of(cls, row: dict) -> EvaluationCommittee:
        return cls(
            id=strawberry.ID(str(row["id"])),
            project_id=strawberry.ID(str(row["project"])),
            lot=row["lot"],
            method=row["method"],
            members=row["members"],
            expert_seats=row["expert_seats"],
            representative=row["representative"],
            representative_name=row["representative_name"],
            large_project=row["large_project"],
            specialty_codes=json.loads(row["specialty_codes"]),
            region=row["region"],
            evaluation_at=row["evaluation_at"],
            remote=row["remote"],
            room_id=strawberry.ID(str(row["room"])) if row["room"] else None,
            backups=row["backups"],
            status=CommitteeStatus(row["status"]),
            status_reason=row["status_reason"],
            chair_seat_id=strawberry.ID(str(row["chair"])) if row["chair"] else None,
            _row=row,
        )

    async def _members(self, info: Info) -> list[dict]:
        loader = info.context.loaders.get("committee_members", common.members_by_committee)
        return await loader.load(int(self.id))

    @strawberry.field(
        extensions=allow(READERS),
        description="Seats and backups in draw order; names only once the evaluation starts.",
        directives=[ListSize(max=60)],
    )
    async def seats(self, info: Info) -> list[DrawnExpert]:
        unsealed = self._row["status"] == "evaluating"
        return [
            DrawnExpert(
                id=strawberry.ID(str(m["id"])),
                position=m["position"],
                backup=m["backup"],
                status=SeatStatus(m["status"]),
                invited_at=m["invited_at"],
                confirm_by=m["confirm_by"],
                _row=m,
                _unsealed=unsealed,
            )
            for m in await self._members(info)
        ]

    @strawberry.field(extensions=allow(READERS), description="Seats and backups by state.")
    async def counts(self, info: Info) -> SeatCounts:
        states = [m["status"] for m in await self._members(info)]
        return SeatCounts(**{s: states.count(s) for s in SeatCounts.__annotations__})

    @strawberry.field(extensions=allow(READERS), description="The committee's draw, if committed.")
    async def draw(self, info: Info) -> ExpertDraw | None:
        loader = info.context.loaders.get("committee_draw", common.draws_by_committee)
        row = await loader.load(int(self.id))
        return ExpertDraw.of(row) if row else None


@strawberry.type(description="An expert's own assignment: a seat or backup in one draw.")
class ExpertAssignment:
    id: strawberry.ID
    committee_id: strawberry.ID = strawberry.field(description="The committee drawn for.")
    position: int = strawberry.field(description="Draw order (1 = first pick).")
    backup: bool = strawberry.field(description="Drawn as a backup.")
    status: SeatStatus = strawberry.field(description="Where your seat stands.")  # type: ignore[valid-type]
    confirm_by: datetime | None = strawberry.field(description="Confirm before this instant.")
    reason: str = strawberry.field(description="Your reason (declined or recused).")
    _row: strawberry.Private[dict]

    @classmethod
    def of(cls, row: dict) -> ExpertAssignment:
        return cls(
            id=strawberry.ID(str(row["id"])),
            committee_id=strawberry.ID(str(row["committee"])),
            position=row["position"],
            backup=row["backup"],
            status=SeatStatus(row["status"]),
            confirm_by=row["confirm_by"],
            reason=row["reason"],
            _row=row,
        )

    @strawberry.field(extensions=allow(EXPERTS), description="When and how the evaluation is.")
    async def evaluation_at(self, info: Info) -> datetime | None:
        loader = info.context.loaders.get("committees", common.committees_by_id)
        row = await loader.load(self._row["committee"])
        return row["evaluation_at"] if row else None


@strawberry.type(description="The result of a committee mutation.")
class EvaluationCommitteePayload:
    committee: EvaluationCommittee | None = strawberry.field(
        default=None, description="The committee, unless there were errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The result of a draw mutation.")
class ExpertDrawPayload:
    draw: ExpertDraw | None = strawberry.field(
        default=None, description="The draw, unless there were errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(
    description="The result of an expert's answer (status recused: found at the recheck)."
)
class ExpertAssignmentPayload:
    assignment: ExpertAssignment | None = strawberry.field(
        default=None, description="The assignment, unless there were errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)
