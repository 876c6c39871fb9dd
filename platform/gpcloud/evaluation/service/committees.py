"""Forming the committee of a project (or lot), starting its evaluation, cancelling it, and
reading it: the agency of the project forms it; the region's staff and the purchaser read it;
names stay sealed until the evaluation starts (Bidding Law art. 37; Order 87 art. 69)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import AGENCY, EXPERT, SUPPLIER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import LEGAL_TZ, now, today
from gpcloud.core.db import serialize_writes
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.evaluation import composition
from gpcloud.evaluation.service import common
from gpcloud.evaluation.service.common import PARTY_SCOPE
from gpcloud.evaluation.settings import draw_settings
from gpcloud.evaluation.tables import EvaluationCommittee
from gpcloud.evaluation.workflow import COMMITTEE, DRAW, MEMBER
from gpcloud.registries.agencies.service import readiness
from gpcloud.registries.agencies.service.common import ROOM_COLUMNS
from gpcloud.registries.agencies.tables import AgencyRoom
from gpcloud.registries.experts.service import pool
from gpcloud.supervision import plans
from gpcloud.transaction import documents, parties

OPEN_PROJECT = ("entrusted", "tendering", "closed", "opening", "opened")
MAX_BACKUPS = 20
MAX_CODES = 10


@dataclass(frozen=True)
class CommitteeInput:
    project_id: int
    members: int
    evaluation_at: datetime
    lot: str = ""
    representative: bool = False
    representative_name: str = ""
    large_project: bool = False
    specialty_codes: list[str] = field(default_factory=list)
    region: str | None = None
    remote: bool = False
    backups: int | None = None
    room_id: int | None = None


async def _codes(data: CommitteeInput, project: dict) -> list[str]:
    codes = [c.strip().upper() for c in data.specialty_codes if c.strip()]
    if not codes:
        with all_tenants(PARTY_SCOPE):
            plan = await plans.get(project["plan"])
        codes = [plan["category_code"]] if plan["category_code"] else []
    if not codes:
        raise DomainError(
            "SPECIALTY_REQUIRED", "name the specialties (catalogue codes)", "specialtyCodes"
        )
    if len(codes) > MAX_CODES:
        raise DomainError("TOO_MANY_CODES", f"at most {MAX_CODES} codes", "specialtyCodes")
    for code in codes:
        pool.category_codes(code)  # UNKNOWN_CATEGORY
    return sorted(set(codes))


async def _room(data: CommitteeInput, project: dict) -> dict | None:
    """The agency's evaluation room the members will check in at (seed 四(二)): one of its
    own, in the project's region or a region above it, ready under the region's requirements
    (registries/agencies readiness). A remote evaluation has none."""
    if data.remote:
        if data.room_id is not None:
            raise DomainError("REMOTE_HAS_NO_ROOM", "a remote evaluation has no room", "roomId")
        return None
    required = await readiness.requirements(project["tenant_id"])
    if data.room_id is None:
        if required["evaluation_room_required"]:
            raise DomainError(
                "EVALUATION_ROOM_REQUIRED", "name the evaluation room of your agency", "roomId"
            )
        return None
    with all_tenants(PARTY_SCOPE):
        room = (
            await AgencyRoom.select(*ROOM_COLUMNS, AgencyRoom.agency.organisation)
            .where(AgencyRoom.id == data.room_id)
            .first()
        )
    if room is None or room["agency.organisation"] != project["agency_organisation"]:
        raise NotFound("room", data.room_id)
    tree = await tenant_tree()
    if room["tenant"] not in (project["tenant_id"], *tree.ancestors(project["tenant_id"])):
        raise DomainError(
            "ROOM_OUTSIDE_REGION",
            f"the room is in {tree.name_of(room['tenant'])}, not where the project is",
            "roomId",
        )
    gaps = readiness.evaluation_room_gaps(room, required)
    if gaps:
        raise DomainError.many([Problem(g.code, g.message, "roomId") for g in gaps])
    return room


async def _lot(data: CommitteeInput, project_id: int) -> str:
    lot = (data.lot or "").strip()
    if lot:
        current = await documents.current(project_id)
        lots = json.loads(current["lots"]) if current else []
        if lot not in lots:
            raise DomainError("UNKNOWN_LOT", f"the documents have no lot {lot}", "lot")
    return lot


@requires(Perm.COMMITTEE_MANAGE)
async def form(actor: CurrentUser, data: CommitteeInput) -> dict:
    """The committee of a project entrusted to the actor's agency, its composition checked."""
    project = await parties.readable(actor, data.project_id)
    if AGENCY not in actor.roles or project["agency_organisation"] != actor.organisation_id:
        raise NotFound("project", data.project_id)
    if project["status"] not in OPEN_PROJECT:
        raise DomainError("WRONG_STATE", f"the project is {project['status']}", "projectId")
    tenant = project["tenant_id"]
    problems = []
    if data.evaluation_at.tzinfo is None:
        problems.append(Problem("INVALID_TIME", "give a time zone", "evaluationAt"))
    elif data.evaluation_at <= now():
        problems.append(Problem("EVALUATION_IN_PAST", "the evaluation is later", "evaluationAt"))
    elif project["bid_deadline_at"] and data.evaluation_at < project["bid_deadline_at"]:
        problems.append(
            Problem("EVALUATION_BEFORE_DEADLINE", "not before the bid deadline", "evaluationAt")
        )
    name = (data.representative_name or "").strip()
    if data.representative and not 2 <= len(name) <= 64:
        problems.append(
            Problem(
                "REPRESENTATIVE_NAME", "name the purchaser's representative", "representativeName"
            )
        )
    if not data.representative and name:
        problems.append(
            Problem("NO_REPRESENTATIVE", "no representative sits: no name", "representativeName")
        )
    settings = await draw_settings(tenant)
    backups = settings.backups if data.backups is None else data.backups
    if not 0 <= backups <= MAX_BACKUPS:
        problems.append(Problem("INVALID_BACKUPS", f"0 to {MAX_BACKUPS}", "backups"))
    if problems:
        raise DomainError.many(problems)
    codes = await _codes(data, project)
    region = (data.region or tenant).strip()
    await pool.region_codes(region)  # UNKNOWN_REGION
    found = await composition.check(
        tenant,
        project["method"],
        project["budget_fen"],
        data.members,
        data.representative,
        data.large_project,
        today(),
    )
    lot = await _lot(data, project["id"])
    room = await _room(data, project)
    await serialize_writes(f"committee:{project['id']}")
    with all_tenants(PARTY_SCOPE):
        taken = await EvaluationCommittee.exists().where(
            (EvaluationCommittee.project == project["id"])
            & (EvaluationCommittee.lot == lot)
            & (EvaluationCommittee.status != "cancelled")
        )
        if taken:
            raise DomainError("DUPLICATE_COMMITTEE", "this project (lot) has a committee", "lot")
        row = EvaluationCommittee(
            tenant_id=tenant,
            project=project["id"],
            lot=lot,
            agency_organisation=project["agency_organisation"],
            method=project["method"],
            members=found.members,
            expert_seats=found.expert_seats,
            representative=data.representative,
            representative_name=name,
            large_project=found.large_project,
            specialty_codes=json.dumps(codes),
            region=region,
            evaluation_at=data.evaluation_at,
            remote=data.remote,
            room=room["id"] if room else None,
            backups=backups,
        )
        await row.save()
        saved = await common.committee(row.id)
        await COMMITTEE.created(
            saved,
            {
                "composition": list(found.rules),
                "codes": codes,
                "room": room["name"] if room else None,
            },
        )
    return saved


def evaluation_day(committee: dict):
    return committee["evaluation_at"].astimezone(LEGAL_TZ).date()


@requires(Perm.COMMITTEE_MANAGE)
async def start_evaluation(actor: CurrentUser, committee_id: int) -> dict:
    """Every seat confirmed: the evaluation starts, the names are unsealed for the agency and
    the draw's seed is revealed (its audit entry carries the seed)."""
    row = await common.as_agency(actor, committee_id, lock=True)
    with all_tenants(PARTY_SCOPE):
        moved = await COMMITTEE.move(actor, row, "start_evaluation")
        drawn = await common.draw_of(committee_id)
        if drawn is not None and drawn["status"] == "drawn":
            await DRAW.move(
                None,
                drawn,
                "reveal",
                {DRAW.table.revealed_at: now()},
                detail={"seed": drawn["seed"], "seed_hash": drawn["seed_hash"]},
            )
    return moved


@requires(Perm.COMMITTEE_MANAGE)
async def choose_chair(actor: CurrentUser, committee_id: int, seat_id: int) -> dict:
    """Record the chair the members elected: a confirmed drawn expert of this committee (the
    purchaser's representative holds no drawn seat, so can never be named)."""
    row = await common.as_agency(actor, committee_id, lock=True)
    seat = next((m for m in await common.members(committee_id) if m["id"] == seat_id), None)
    if seat is None:
        raise DomainError(
            "CHAIR_NOT_AN_EXPERT",
            "the chair is one of the committee's drawn experts (the purchaser's representative "
            "may not chair)",
            "seatId",
        )
    if seat["status"] != "confirmed":
        raise DomainError("CHAIR_NOT_CONFIRMED", "only a confirmed expert chairs", "seatId")
    with all_tenants(PARTY_SCOPE):
        return await COMMITTEE.move(
            actor, row, "choose_chair", {COMMITTEE.table.chair: seat_id}, {"seat": seat_id}
        )


@requires(Perm.COMMITTEE_MANAGE)
async def cancel(actor: CurrentUser, committee_id: int, reason: str) -> dict:
    row = await common.as_agency(actor, committee_id, lock=True)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "say why", "reason")
    with all_tenants(PARTY_SCOPE):
        moved = await COMMITTEE.move(
            actor, row, "cancel", {COMMITTEE.table.status_reason: reason}, {"reason": reason}
        )
        drawn = await common.draw_of(committee_id)
        if drawn is not None and drawn["status"] == "committed":
            await DRAW.move(None, drawn, "cancel")
        for seat in await common.members(committee_id):
            if seat["status"] == "waiting":
                await MEMBER.move(None, seat, "release")
            elif seat["status"] in ("invited", "confirmed"):
                await MEMBER.move(None, seat, "withdraw", {MEMBER.table.confirm_by: None})
    return moved


@requires(Perm.COMMITTEE_READ)
async def readable(actor: CurrentUser, committee_id: int) -> dict:
    """The committee for its agency wherever it is registered; for the purchaser and the
    region's staff within their region; NOT_FOUND for anyone else (suppliers, experts: an
    expert reads its own assignments, not the committee)."""
    row = await common.committee(committee_id)
    if SUPPLIER in actor.roles or EXPERT in actor.roles:
        raise NotFound("evaluation committee", committee_id)
    if AGENCY in actor.roles:
        if row["agency_organisation"] != actor.organisation_id:
            raise NotFound("evaluation committee", committee_id)
        return row
    try:
        await parties.readable(actor, row["project"])
    except DomainError:
        raise NotFound("evaluation committee", committee_id) from None
    if not await EvaluationCommittee.exists().where(EvaluationCommittee.id == committee_id):
        raise NotFound("evaluation committee", committee_id)
    return row


@requires(Perm.COMMITTEE_READ)
async def of_project(actor: CurrentUser, project_id: int) -> list[dict]:
    with all_tenants(PARTY_SCOPE):
        rows = await EvaluationCommittee.select(EvaluationCommittee.id).where(
            EvaluationCommittee.project == project_id
        )
    found = []
    for r in sorted(rows, key=lambda r: r["id"]):
        try:
            found.append(await readable(actor, r["id"]))
        except NotFound:
            continue
    return found


def names_unsealed(committee: dict) -> bool:
    """Names are sealed for everyone but the drawn experts until the evaluation starts."""
    return committee["status"] == "evaluating"
