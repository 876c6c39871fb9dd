"""A committee's expert fee statement: each drawn expert's fee by the Guangdong standard
(evaluation/fees.py) from the seat's outcome and the expert's attendance.

Who reads it: the agency of the project (wherever registered), the purchaser of the project,
the supervisors whose region holds the committee; anyone else gets NOT_FOUND. Names stay sealed
(Order 87 art. 69) unless the evaluation started: a statement of a committee cancelled before it
lists seats by draw position.

Attendance (`attendance`): each member's face check-in to its signature of the report
(evaluation/service/checkin.py, reports.py); while the evaluation runs, a sitting not signed
yet ends now and the statement is not final. A committee evaluated without the platform's
check-in has the committee's evaluation span instead: from the audited `start_evaluation` to
the first audited transition that leaves `evaluating`. A sitting over several days counts as
one sitting of the day it started: such statements are marked `estimated` until per-day
check-ins exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import AGENCY, PURCHASER, SUPERVISOR
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import LEGAL_TZ, now
from gpcloud.core.errors import NotFound
from gpcloud.core.jobs import service as jobs
from gpcloud.core.money import to_yuan
from gpcloud.core.rules.service import effective_rules
from gpcloud.core.tenancy.config import effective_config
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation import fees
from gpcloud.evaluation.service import common
from gpcloud.evaluation.service.common import PARTY_SCOPE
from gpcloud.evaluation.tables import Evaluation, EvaluationCommittee, EvaluationMember
from gpcloud.evaluation.workflow import COMMITTEE, MEMBER
from gpcloud.registries.experts.tables import Expert
from gpcloud.transaction import facts

EXPORT_JOB = "expert_fee_statement_export"
AUDIT_SCOPE = "expert fees: the committee's audited transitions, wherever its agency acts"
SEALED_BEFORE = ("forming", "confirming", "complete", "incomplete")


@dataclass(frozen=True)
class Span:
    started_at: datetime | None
    ended_at: datetime | None  # None while the evaluation runs


@dataclass(frozen=True)
class FeeLine:
    seat: dict
    basis: str  # sat | recused | cancelled: a fee; pending: not yet known; none: no fee
    fee: fees.Fee | None
    sittings: tuple[fees.Sitting, ...]
    expert: dict | None  # id, name: None while the names are sealed


@dataclass(frozen=True)
class FeeStatement:
    committee: dict
    span: Span
    final: bool
    estimated: bool
    standard: fees.FeeStandard
    lines: tuple[FeeLine, ...]

    @property
    def total_fen(self) -> int:
        return sum(line.fee.fen for line in self.lines if line.fee)


async def _entries(object_type: str, ids: list[int], actions: list[str]) -> list[dict]:
    with all_tenants(AUDIT_SCOPE):
        return (
            await AuditEntry.select(
                AuditEntry.id, AuditEntry.object_id, AuditEntry.action, AuditEntry.created_at
            )
            .where(
                (AuditEntry.object_type == object_type)
                & AuditEntry.object_id.is_in([str(i) for i in ids] or ["-"])
                & AuditEntry.action.is_in(actions)
            )
            .order_by(AuditEntry.id)
        )


async def span(committee_id: int) -> Span:
    """When the evaluation started and ended, as the committee's audit entries say."""
    leaving = [
        f"{COMMITTEE.kind}.{t.action}"
        for t in COMMITTEE.transitions.values()
        if "evaluating" in t.sources and t.target != "evaluating"
    ]
    start = f"{COMMITTEE.kind}.start_evaluation"
    rows = await _entries(COMMITTEE.kind, [committee_id], [start, *leaving])
    started = next((r["created_at"] for r in rows if r["action"] == start), None)
    ended = next((r["created_at"] for r in rows if started and r["action"] != start), None)
    return Span(started, ended)


async def attendance(committee_id: int) -> dict[int, list[fees.Sitting]]:
    """The sittings of each seat that sat: from its face check-in to its signature of the report
    (or the end of the evaluation, or now); a member who never checked in did not sit. A
    committee evaluated without the platform's check-in (no Evaluation opened) falls back to
    the evaluation span for every confirmed seat (module doc)."""
    found = await span(committee_id)
    if found.started_at is None:
        return {}
    end = found.ended_at or now()
    with all_tenants(PARTY_SCOPE):
        evaluation = (
            await Evaluation.select(Evaluation.id)
            .where(Evaluation.committee == committee_id)
            .first()
        )
        checked = (
            await EvaluationMember.select(
                EvaluationMember.seat, EvaluationMember.checked_in_at, EvaluationMember.signed_at
            ).where(EvaluationMember.evaluation == evaluation["id"])
            if evaluation
            else []
        )
    if evaluation is not None:
        return {
            row["seat"]: [(row["checked_in_at"], row["signed_at"] or end)]
            for row in checked
            if row["checked_in_at"] is not None and (row["signed_at"] or end) > row["checked_in_at"]
        }
    if end <= found.started_at:
        return {}
    return {
        seat["id"]: [(found.started_at, end)]
        for seat in await common.members(committee_id)
        if seat["status"] == "confirmed"
    }


async def _readable(actor: CurrentUser, committee_id: int) -> dict:
    row = await common.committee(committee_id)
    if AGENCY in actor.roles and row["agency_organisation"] == actor.organisation_id:
        return row
    if PURCHASER in actor.roles:
        project = await facts.project(row["project"])
        if project["purchaser_organisation"] == actor.organisation_id:
            return row
    if SUPERVISOR in actor.roles and await EvaluationCommittee.exists().where(
        EvaluationCommittee.id == committee_id
    ):
        return row  # within the supervisor's region (the tenant scope)
    raise NotFound("evaluation committee", committee_id)


def _basis(committee: dict, seat: dict, started: bool, confirmed: set[int]) -> str:
    had_confirmed = seat["id"] in confirmed
    if seat["status"] == "recused" and had_confirmed:
        return fees.RECUSED
    if started:
        return fees.SAT if seat["status"] == "confirmed" else "none"
    if committee["status"] == "cancelled":
        return fees.CANCELLED if had_confirmed and seat["status"] == "released" else "none"
    return "pending" if seat["status"] == "confirmed" else "none"


async def _standard(committee: dict, found: Span) -> fees.FeeStandard:
    at = found.started_at or committee["evaluation_at"]
    config = await effective_config(committee["tenant_id"])
    return fees.FeeStandard.of(effective_rules(config, at.astimezone(LEGAL_TZ).date()))


async def compute(committee: dict) -> FeeStatement:
    """The statement of a committee already read for the caller."""
    found = await span(committee["id"])
    standard = await _standard(committee, found)
    seats = await common.members(committee["id"])
    confirmed = {
        int(r["object_id"])
        for r in await _entries(MEMBER.kind, [s["id"] for s in seats], [f"{MEMBER.kind}.confirm"])
    }
    started = found.started_at is not None
    sat = await attendance(committee["id"]) if started else {}
    names = {}
    if started:
        with all_tenants(PARTY_SCOPE):
            rows = await Expert.select(Expert.id, Expert.name).where(
                Expert.id.is_in([s["expert"] for s in seats] or [0])
            )
        names = {r["id"]: r for r in rows}
    lines = []
    for seat in seats:
        basis = _basis(committee, seat, started, confirmed)
        sittings = tuple(sat.get(seat["id"], ()))
        fee = fees.expert_fee(standard, basis, sittings) if basis in fees.OUTCOMES else None
        if basis == "none":
            fee = fees.Fee("none", 0)
        expert = names.get(seat["expert"]) if started else None
        lines.append(FeeLine(seat, basis, fee, sittings, expert))
    final = committee["status"] == "cancelled" or found.ended_at is not None
    return FeeStatement(committee, found, final, _estimated(found), standard, tuple(lines))


def _estimated(found: Span) -> bool:
    """The span stands for the sittings: over several legal days it cannot tell the days'
    hours (per-day check-ins can)."""
    if found.started_at is None:
        return False
    end = found.ended_at or now()
    return end.astimezone(LEGAL_TZ).date() > found.started_at.astimezone(LEGAL_TZ).date()


@requires(Perm.EXPERT_FEE_READ)
async def statement(actor: CurrentUser, committee_id: int) -> FeeStatement:
    return await compute(await _readable(actor, committee_id))


@requires(Perm.EXPERT_FEE_READ)
async def export(actor: CurrentUser, committee_id: int) -> dict:
    """Queue the XLSX export (evaluation/jobs.py), checked now and again when it runs as its
    starter; the job belongs to the committee's tenant."""
    row = await _readable(actor, committee_id)
    payload = {"committee": committee_id}
    return await jobs.enqueue(EXPORT_JOB, payload, tenant=actor.tenant or row["tenant_id"])


def describe(line: FeeLine) -> str:
    """How the line's fee came about, for people (the XLSX)."""
    if line.fee is None:
        return "待定：评审尚未开始"
    if line.basis == fees.RECUSED:
        return "确认后回避：定额"
    if line.basis == fees.CANCELLED:
        return "评审取消：定额"
    if line.basis == "none":
        return "无劳务费"
    return "；".join(
        f"{d.day}：{d.hours}小时（{'首日' if d.first else '续日'}，{to_yuan(d.fen)}元）"
        for d in line.fee.days
    )
