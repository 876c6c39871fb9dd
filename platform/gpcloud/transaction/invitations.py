"""The invited tender's draw of invitees (邀请招标: Government Procurement Law art. 34, "采购人
应当从符合相应资格条件的供应商中，通过随机方式选择三家以上的供应商，并向其发出投标邀请书";
MOF Order 87 art. 14, unverified text, has the qualified list come from a prequalification).

The draw is verifiable the way the expert draw is (core/draws.py, docs/sealed-bids.md):
1. commit: when the prequalification notice of a method with `invitation_draw` is published,
   the platform draws a 32-byte seed and audits its sha256, before any supplier applies;
2. draw (`drawInvitees`, the agency, once the prequalification is concluded): the qualified
   suppliers are frozen as the snapshot [[organisation id, 1], ...] by id with its digest, and
   `invitees` (at least the method's minimum_bidders, at most every qualified one) are picked
   with the committed seed and the draw's id; the result and its digest are stored and audited.
Anyone given the seed (the agency and the region read it once drawn) recomputes the result.
Only the invitees obtain the procurement documents and bid (NOT_INVITED), and each is told.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from gpcloud.core import clock, draws
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import SUPPLIER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction.methods import method_config
from gpcloud.transaction.parties import PARTY_SCOPE
from gpcloud.transaction.selection_tables import (
    InvitationDraw,
    Prequalification,
    PrequalificationApplication,
)
from gpcloud.transaction.selection_workflow import INVITATION_DRAW
from gpcloud.transaction.tables import Project

DOMAIN = b"gpcloud-invitation-draw-v1"


async def of_project(project_id: int) -> dict | None:
    with all_tenants(PARTY_SCOPE):
        return await InvitationDraw.select().where(InvitationDraw.project == project_id).first()


async def commit(project: dict, prequalification: dict) -> dict | None:
    """In the notice's transaction: a fresh seed, its sha256 audited now (for a method whose
    invitees are drawn; none otherwise)."""
    if not method_config(project["method"]).invitation_draw:
        return None
    seed = draws.new_seed()
    inserted = await InvitationDraw.insert(
        InvitationDraw(
            tenant_id=project["tenant_id"],
            project=project["id"],
            prequalification=prequalification["id"],
            seed=seed,
            seed_hash=draws.seed_hash(seed),
            committed_at=clock.now(),
        )
    )
    row = await InvitationDraw.select().where(InvitationDraw.id == inserted[0]["id"]).first()
    await INVITATION_DRAW.created(
        row, {"project": project["id"], "seed_hash": row["seed_hash"]}, "commit"
    )
    return row


@requires(Perm.PREQUALIFICATION_MANAGE)
async def draw(actor: CurrentUser, project_id: int, invitees: int) -> dict:
    """Freeze the qualified list and draw `invitees` of them; tell each invitee."""
    with all_tenants(PARTY_SCOPE):
        async with transaction():
            project = await Project.select().where(Project.id == project_id).first()
            if project is None or project["agency_organisation"] != actor.organisation_id:
                raise NotFound("project", project_id)
            config = method_config(project["method"])
            if not config.invitation_draw:
                raise DomainError(
                    "NO_INVITATION_DRAW", f"a {config.title} draws no invitees", "projectId"
                )
            found = await of_project(project_id)
            if found is None:
                raise DomainError(
                    "NO_INVITATION_DRAW",
                    "the project's prequalification notice is not published",
                    "projectId",
                )
            INVITATION_DRAW.next_state("draw", found["status"])
            held = (
                await Prequalification.select()
                .where(Prequalification.id == found["prequalification"])
                .first()
            )
            if held["status"] != "concluded":
                raise DomainError(
                    "PREQUALIFICATION_NOT_CONCLUDED",
                    f"the prequalification is {held['status']}: invitees are drawn from the "
                    "qualified once it is concluded",
                    "projectId",
                )
            qualified = sorted(
                r["supplier_organisation"]
                for r in await PrequalificationApplication.select(
                    PrequalificationApplication.supplier_organisation
                ).where(
                    (PrequalificationApplication.prequalification == held["id"])
                    & (PrequalificationApplication.status == "qualified")
                )
            )
            minimum = config.minimum_bidders
            if not minimum <= invitees <= len(qualified):
                raise DomainError(
                    "INVALID_INVITEES",
                    f"{minimum} to {len(qualified)} invitees: at least {minimum} (Law art. 34), "
                    f"at most the {len(qualified)} qualified",
                    "invitees",
                )
            snapshot = [[organisation, 1] for organisation in qualified]
            text = draws.snapshot_text(snapshot)
            picked = draws.draw(DOMAIN, found["seed"], found["id"], snapshot, invitees)
            result_digest = draws.digest({"draw": found["id"], "result": picked})
            snapshot_digest = draws.digest(snapshot)
            drawn = await INVITATION_DRAW.move(
                actor,
                found,
                "draw",
                {
                    InvitationDraw.snapshot: text,
                    InvitationDraw.snapshot_digest: snapshot_digest,
                    InvitationDraw.invitees: invitees,
                    InvitationDraw.result: json.dumps(picked),
                    InvitationDraw.result_digest: result_digest,
                    InvitationDraw.drawn_at: clock.now(),
                },
                {
                    "project": project_id,
                    "seed_hash": found["seed_hash"],
                    "snapshot_digest": snapshot_digest,
                    "qualified": len(qualified),
                    "invitees": invitees,
                    "result_digest": result_digest,
                },
            )
            for organisation in picked:  # 投标邀请书
                await notify(
                    "project.invited",
                    Recipients(organisation=organisation, roles=(SUPPLIER,)),
                    {"title": project["title"], "project_id": project_id},
                    about=("project", project_id),
                    key=f"invitation_draw:{found['id']}:{organisation}",
                )
            return drawn


def invited(row: dict | None) -> list[int]:
    """The invitees in pick order (none before the draw)."""
    return json.loads(row["result"]) if row and row["status"] == "drawn" else []


async def ensure_invited(project_id: int, organisation_id: int) -> None:
    """Where the invitees are drawn, only they obtain the documents and bid (after the
    prequalification check: transaction/prequalification.ensure_qualified)."""
    row = await of_project(project_id)
    if row is None or organisation_id in invited(row):
        return
    if row["status"] != "drawn":
        raise DomainError(
            "NOT_INVITED", "the invitees of this invited tender are not drawn yet", "projectId"
        )
    raise DomainError(
        "NOT_INVITED",
        "only the suppliers drawn as invitees of this invited tender take part",
        "projectId",
    )


async def ensure_drawn(project_id: int) -> None:
    """The tender announcement of an invited tender waits for the draw."""
    row = await of_project(project_id)
    if row is not None and row["status"] != "drawn":
        raise DomainError(
            "INVITEES_NOT_DRAWN",
            "the invitees are drawn (drawInvitees) before the tender",
            "projectId",
        )


@dataclass(frozen=True)
class Verification:
    verified: bool
    checks: tuple[tuple[str, bool, str], ...]  # (what, ok, detail)


def verify(row: dict) -> Verification:
    """Recompute the draw from its stored seed and snapshot: the seed against its committed
    hash, the snapshot against its digest, the result with the definition's own code."""
    if row["status"] != "drawn":
        return Verification(False, (("drawn", False, row["status"]),))
    snapshot = json.loads(row["snapshot"])
    stored = json.loads(row["result"])
    again = draws.reference_draw(DOMAIN, row["seed"], row["id"], snapshot, row["invitees"])
    checks = (
        (
            "seed matches the committed sha256",
            draws.seed_hash(row["seed"]) == row["seed_hash"],
            row["seed_hash"],
        ),
        (
            "snapshot matches its digest",
            draws.digest(snapshot) == row["snapshot_digest"],
            row["snapshot_digest"],
        ),
        ("recomputed result equals the stored one", again == stored, str(len(again))),
        (
            "result matches its digest",
            draws.digest({"draw": row["id"], "result": stored}) == row["result_digest"],
            row["result_digest"],
        ),
    )
    return Verification(all(c[1] for c in checks), checks)
