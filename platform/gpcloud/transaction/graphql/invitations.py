"""The invited tender's draw of invitees through the API (transaction/invitations.py): the
agency draws; the agency and the region read the whole draw with its seed and verification; a
supplier reads whether it was invited, not who else was (Bidding Law art. 22)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import SUPPLIER
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Requires, SubsystemLive, allow
from gpcloud.core.graphql.types import UserError, parse_id
from gpcloud.transaction import invitations, parties
from gpcloud.transaction.selection_workflow import INVITATION_DRAW

MAX_INVITEES = 500

InvitationDrawStatus = state_enum(
    "InvitationDrawStatus",
    INVITATION_DRAW,
    {
        "committed": "The seed is committed (its sha256 audited) with the prequalification notice.",
        "drawn": "The invitees are drawn from the qualified suppliers; only they bid.",
    },
)


@strawberry.type(description="One comparison of an invitation draw's verification.")
class InvitationDrawCheck:
    what: str = strawberry.field(description="What was compared.")
    ok: bool = strawberry.field(description="Whether it matched.")
    detail: str = strawberry.field(description="The committed value compared against.")


@strawberry.type(description="An invitation draw recomputed from its seed and snapshot.")
class InvitationDrawVerification:
    verified: bool = strawberry.field(description="Every check matched.")
    checks: list[InvitationDrawCheck] = strawberry.field(
        description="Each comparison.", directives=[ListSize(max=10)]
    )


@strawberry.type(
    description="邀请招标: the random draw of the invitees from the suppliers that passed the "
    "prequalification (Law art. 34), verifiable: the seed committed with the notice, the "
    "qualified list frozen with its digest, the result recomputable from both."
)
class InvitationDraw:
    id: strawberry.ID
    project_id: strawberry.ID = strawberry.field(description="The invited tender.")
    status: InvitationDrawStatus = strawberry.field(description="Where the draw stands.")  # type: ignore[valid-type]
    seed_hash: str = strawberry.field(
        description="sha256 of the seed, committed (and audited) when the notice was published."
    )
    committed_at: datetime = strawberry.field(description="When the seed was committed.")
    drawn_at: datetime | None = strawberry.field(description="When it was drawn; null before.")
    invitees: int | None = strawberry.field(
        description="How many were drawn (0 before the draw); null for a supplier: the number "
        "of potential bidders stays undisclosed (Bidding Law art. 22)."
    )
    snapshot_digest: str | None = strawberry.field(
        description="sha256 of the frozen qualified list (empty before the draw); null for a "
        "supplier."
    )
    result_digest: str | None = strawberry.field(
        description='sha256 of {"draw": id, "result": [organisation ids]} (empty before the '
        "draw); null for a supplier."
    )
    invited: bool = strawberry.field(
        description="A supplier: whether it is invited. The agency and the region: whether the "
        "draw has invitees."
    )
    qualified: int | None = strawberry.field(
        description="How many qualified suppliers it drew from; null for a supplier."
    )
    invited_organisation_ids: list[strawberry.ID] = strawberry.field(
        description="The invitees' organisations in pick order; a supplier sees only itself.",
        directives=[ListSize(max=MAX_INVITEES)],
    )
    seed: str | None = strawberry.field(
        description="The seed (hex), once drawn, for the agency and the region to recompute "
        "the draw; null for a supplier and before the draw."
    )
    _row: strawberry.Private[dict]
    _full: strawberry.Private[bool]

    @classmethod
    def of(cls, row: dict, organisation_id: int | None) -> InvitationDraw:
        """`organisation_id`: the reading supplier's (a partial view); None for a full one."""
        full = organisation_id is None
        picked = invitations.invited(row)
        shown = picked if full else [o for o in picked if o == organisation_id]
        drawn = row["status"] == "drawn"
        return cls(
            id=strawberry.ID(str(row["id"])),
            project_id=strawberry.ID(str(row["project"])),
            status=InvitationDrawStatus(row["status"]),
            seed_hash=row["seed_hash"],
            committed_at=row["committed_at"],
            drawn_at=row["drawn_at"],
            invitees=row["invitees"] if full else None,
            snapshot_digest=row["snapshot_digest"] if full else None,
            result_digest=row["result_digest"] if full else None,
            invited=bool(shown),
            qualified=len(json.loads(row["snapshot"])) if full and drawn else None,
            invited_organisation_ids=[strawberry.ID(str(o)) for o in shown],
            seed=row["seed"] if full and drawn else None,
            _row=row,
            _full=full,
        )

    @strawberry.field(
        extensions=allow(Requires(Perm.PROJECT_READ)),
        description="The platform's recomputation (the agency and the region; null for a "
        "supplier and before the draw).",
    )
    def verification(self) -> InvitationDrawVerification | None:
        if not self._full or self._row["status"] != "drawn":
            return None
        found = invitations.verify(self._row)
        return InvitationDrawVerification(
            verified=found.verified,
            checks=[InvitationDrawCheck(what=w, ok=o, detail=d) for w, o, d in found.checks],
        )


@strawberry.type
class InvitationDrawPayload:
    draw: InvitationDraw | None = strawberry.field(
        default=None, description="The draw as it now stands."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(Requires(Perm.PROJECT_READ)),
        description="An invited tender's draw of invitees: whole for the agency and the region, "
        "a supplier's own invitation for a supplier; null if the project has none or you "
        "cannot read it.",
    )
    async def invitation_draw(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
    ) -> InvitationDraw | None:
        actor = info.context.user
        try:
            project = await parties.readable(actor, parse_id(project_id, "project"))
        except DomainError:
            return None
        row = await invitations.of_project(project["id"])
        if row is None:
            return None
        return InvitationDraw.of(row, actor.organisation_id if SUPPLIER in actor.roles else None)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.PREQUALIFICATION_MANAGE), SubsystemLive("transaction")),
        description="Draw an invited tender's invitees at random from the suppliers that passed "
        "its concluded prequalification (Law art. 34): at least the method's minimum (3), at "
        "most every qualified one. Only the invitees obtain the documents and bid; each is told.",
    )
    async def draw_invitees(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
        invitees: Annotated[
            int, strawberry.argument(description="How many to invite (3 to the qualified count).")
        ],
    ) -> InvitationDrawPayload:
        async def work() -> InvitationDrawPayload:
            row = await invitations.draw(
                info.context.user, parse_id(project_id, "project"), invitees
            )
            return InvitationDrawPayload(draw=InvitationDraw.of(row, None))

        return await run_mutation(InvitationDrawPayload, work)
