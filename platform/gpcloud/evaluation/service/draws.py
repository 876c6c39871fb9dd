"""The verifiable expert draw (docs/evaluation.md): commit to a seed, then freeze the eligible
list and draw from both; anyone holding the revealed seed recomputes the same committee.

Who: the agency of the project commits and runs its committee's draw. Run only after the bid
deadline (recusal is against every bidder) and not earlier than expert_draw_lead before the
evaluation (unverified; negotiation, consultation and remote evaluation exempt).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import LEGAL_TZ, now
from gpcloud.core.db import serialize_writes
from gpcloud.core.errors import DomainError
from gpcloud.core.rules.service import rule_deadline
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation import algorithm, composition
from gpcloud.evaluation.service import common, eligibility
from gpcloud.evaluation.service.committees import evaluation_day
from gpcloud.evaluation.service.common import PARTY_SCOPE
from gpcloud.evaluation.service.seats import tell_invited
from gpcloud.evaluation.settings import draw_settings
from gpcloud.evaluation.tables import DRAW_TYPES, DrawMember, ExpertDraw
from gpcloud.evaluation.workflow import COMMITTEE, DRAW, MEMBER
from gpcloud.transaction import parties

AFTER_DEADLINE = ("closed", "opening", "opened")


@requires(Perm.COMMITTEE_MANAGE)
async def commit(actor: CurrentUser, committee_id: int, draw_type: str) -> dict:
    """Open the committee's draw: a fresh random seed, its sha256 in the audit log now; the
    draw type checked against the tenant's trial run (seed §8)."""
    committee = await common.as_agency(actor, committee_id, lock=True)
    if committee["status"] != "forming":
        raise DomainError("WRONG_STATE", f"the committee is {committee['status']}", "committeeId")
    if draw_type not in DRAW_TYPES:
        raise DomainError("INVALID_DRAW_TYPE", f"one of {', '.join(DRAW_TYPES)}", "drawType")
    settings = await draw_settings(committee["tenant_id"])
    if (
        settings.in_trial(now().astimezone(LEGAL_TZ).date())
        and draw_type != settings.trial_draw_type
    ):
        raise DomainError(
            "DRAW_TYPE_REFUSED",
            f"during the trial run ({settings.trial_start} to {settings.trial_end}) this "
            f"region's draws are {settings.trial_draw_type} (seed §8)",
            "drawType",
        )
    await serialize_writes(f"committee-draw:{committee_id}")
    if await common.draw_of(committee_id) is not None:
        raise DomainError("DRAW_EXISTS", "the committee's draw is committed already", "committeeId")
    seed = secrets.token_bytes(32).hex()
    with all_tenants(PARTY_SCOPE):
        row = ExpertDraw(
            tenant_id=committee["tenant_id"],
            committee=committee_id,
            draw_type=draw_type,
            seed=seed,
            seed_hash=algorithm.seed_hash(seed),
            committed_at=now(),
        )
        await row.save()
        saved = await common.draw(row.id)
        await DRAW.created(saved, {"seed_hash": saved["seed_hash"], "draw_type": draw_type})
    return saved


async def _timing(committee: dict, project: dict) -> None:
    if project["status"] not in AFTER_DEADLINE:
        raise DomainError(
            "DRAW_BEFORE_DEADLINE",
            "experts are drawn after the bid deadline: recusal is checked against every bidder",
            "drawId",
        )
    if committee["evaluation_at"] <= now():
        raise DomainError("EVALUATION_PASSED", "the evaluation time has passed", "drawId")
    if committee["remote"] or committee["method"] in composition.LEAD_EXEMPT:
        return
    day = now().astimezone(LEGAL_TZ).date()
    lead = await rule_deadline("expert_draw_lead", day, committee["tenant_id"])
    if lead.due < evaluation_day(committee):
        raise DomainError(
            "DRAW_TOO_EARLY",
            f"not earlier than {lead.amount} working days before the evaluation on "
            f"{evaluation_day(committee)} (expert_draw_lead, unverified): today is "
            f"{day}, {lead.amount} wd from it end on {lead.due}",
            "drawId",
        )


@requires(Perm.COMMITTEE_MANAGE)
async def run(actor: CurrentUser, draw_id: int) -> dict:
    """Freeze the eligible list, draw seats and backups in order, invite the seats."""
    found = await common.draw(draw_id)
    committee = await common.as_agency(actor, found["committee"], lock=True)
    found = await common.draw(draw_id)  # as it stands under the committee's lock
    with all_tenants(PARTY_SCOPE):
        project = await parties.readable(actor, committee["project"])
    DRAW.next_state("run", found["status"])
    COMMITTEE.next_state("draw", committee["status"])
    await _timing(committee, project)
    tenant = committee["tenant_id"]
    settings = await draw_settings(tenant)
    day = evaluation_day(committee)
    bidders = await eligibility.bidders(project["id"], committee["lot"])
    codes = json.loads(committee["specialty_codes"])
    snap = await eligibility.snapshot(codes, committee["region"], day, bidders, settings)
    seats, backups = committee["expert_seats"], committee["backups"]
    if len(snap.pairs) < seats:
        raise DomainError(
            "TOO_FEW_ELIGIBLE",
            f"{len(snap.pairs)} eligible experts for {seats} seats (excluded: "
            f"{snap.excluded['credit_ban']} banned, {snap.excluded['recusal']} recused)",
            "drawId",
        )
    picked = algorithm.draw(found["seed"], draw_id, snap.pairs, seats + backups)
    params = {
        "seats": seats,
        "backups": backups,
        "picks": seats + backups,
        "codes": snap.codes,
        "regions": snap.regions,
        "on_day": day.isoformat(),
        "bidders": bidders.usccs,
        "rotation": {
            "window_days": settings.rotation_window_days,
            "penalty_percent": settings.rotation_penalty_percent,
            "floor_percent": settings.rotation_floor_percent,
        },
    }
    text = algorithm.snapshot_text(snap.pairs)
    snapshot_digest = hashlib.sha256(text.encode()).hexdigest()
    result_digest = algorithm.digest({"draw": draw_id, "result": picked})
    at = now()
    with all_tenants(PARTY_SCOPE):
        drawn = await DRAW.move(
            actor,
            found,
            "run",
            {
                ExpertDraw.on_day: day,
                ExpertDraw.params: eligibility.params_json(params),
                ExpertDraw.snapshot: text,
                ExpertDraw.snapshot_digest: snapshot_digest,
                ExpertDraw.eligible: len(snap.pairs),
                ExpertDraw.excluded: json.dumps(snap.excluded),
                ExpertDraw.result: json.dumps(picked),
                ExpertDraw.result_digest: result_digest,
                ExpertDraw.drawn_at: at,
            },
            detail={
                "seed_hash": found["seed_hash"],
                "snapshot_digest": snapshot_digest,
                "eligible": len(snap.pairs),
                "excluded": snap.excluded,
                "result_digest": result_digest,
                "params": params,
            },
        )
        await COMMITTEE.move(actor, committee, "draw", detail={"draw": draw_id})
        confirm_by = at + timedelta(hours=settings.confirm_hours)
        for position, expert in enumerate(picked, start=1):
            seat = position <= seats
            row = DrawMember(
                tenant_id=tenant,
                committee=committee["id"],
                draw=draw_id,
                expert=expert,
                position=position,
                backup=not seat,
                status="invited" if seat else "waiting",
                invited_at=at if seat else None,
                confirm_by=confirm_by if seat else None,
            )
            await row.save()
            saved = await common.member(row.id)
            await MEMBER.created(saved, {"draw": draw_id, "position": position})
            if seat:
                await tell_invited(committee, saved)
    return drawn


@dataclass(frozen=True)
class Verification:
    draw_id: int
    verified: bool
    seed_known: bool
    checks: tuple[tuple[str, bool, str], ...]  # (what, ok, detail)


def verify_row(row: dict) -> Verification:
    """Recompute the draw from its stored seed and snapshot: the seed against its committed
    hash, the snapshot against its digest, and the result with the definition's own code."""
    checks = []
    if row["status"] not in ("drawn", "revealed"):
        return Verification(row["id"], False, False, (("drawn", False, row["status"]),))
    seed_ok = algorithm.seed_hash(row["seed"]) == row["seed_hash"]
    checks.append(("seed matches the committed sha256", seed_ok, row["seed_hash"]))
    snapshot = json.loads(row["snapshot"])
    snap_ok = algorithm.digest(snapshot) == row["snapshot_digest"]
    checks.append(("snapshot matches its digest", snap_ok, row["snapshot_digest"]))
    picks = json.loads(row["params"])["picks"]
    again = algorithm.reference_draw(row["seed"], row["id"], snapshot, picks)
    stored = json.loads(row["result"])
    checks.append(("recomputed result equals the stored one", again == stored, str(len(again))))
    digest_ok = algorithm.digest({"draw": row["id"], "result": stored}) == row["result_digest"]
    checks.append(("result matches its digest", digest_ok, row["result_digest"]))
    ok = all(c[1] for c in checks)
    return Verification(row["id"], ok, row["status"] == "revealed", tuple(checks))


async def verify(draw_id: int) -> Verification:
    """For the platform (the CLI) and for readers of the committee (the API field)."""
    return verify_row(await common.draw(draw_id))
