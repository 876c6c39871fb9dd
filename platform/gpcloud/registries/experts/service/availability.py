"""When an expert can be drawn: leave periods, avoidance (recusal) relations, and the draw's
conflict check.

Who: the expert themselves and a provincial admin keep both lists; for anyone else an expert
is not found. Every change is audited under the expert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.core.db import serialize_writes
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.validation import is_uscc
from gpcloud.registries.experts.service import rules
from gpcloud.registries.experts.service.experts import owned
from gpcloud.registries.experts.tables import RELATIONS, Expert, ExpertAvoidance, ExpertLeave

LEAVE_COLUMNS = (
    ExpertLeave.id,
    ExpertLeave.expert,
    ExpertLeave.start_date,
    ExpertLeave.end_date,
    ExpertLeave.reason,
    ExpertLeave.created_at,
)
AVOIDANCE_COLUMNS = (
    ExpertAvoidance.id,
    ExpertAvoidance.expert,
    ExpertAvoidance.organisation_name,
    ExpertAvoidance.organisation_uscc,
    ExpertAvoidance.relation,
    ExpertAvoidance.note,
    ExpertAvoidance.start_date,
    ExpertAvoidance.end_date,
    ExpertAvoidance.created_at,
)
BATCH = 500


@dataclass(frozen=True)
class LeaveInput:
    start_date: date
    end_date: date
    reason: str = ""


@dataclass(frozen=True)
class AvoidanceInput:
    organisation_name: str
    relation: str
    start_date: date
    organisation_uscc: str | None = None
    end_date: date | None = None
    note: str = ""


def _leave_state(row: dict) -> dict:
    return {k: row[k] for k in ("expert", "start_date", "end_date", "reason")}


def _avoidance_state(row: dict) -> dict:
    return {
        k: row[k]
        for k in (
            "expert",
            "organisation_name",
            "organisation_uscc",
            "relation",
            "note",
            "start_date",
            "end_date",
        )
    }


@requires(Perm.EXPERT_UPDATE_AVAILABILITY)
async def add_leave(actor: CurrentUser, expert_id: int, new: LeaveInput) -> dict:
    """A period the expert cannot serve; it may not overlap another one or have ended already."""
    await owned(actor, expert_id)
    reason = (new.reason or "").strip()
    problems = []
    if new.end_date < new.start_date:
        problems.append(Problem("INVALID_PERIOD", "the leave ends before it starts", "endDate"))
    elif new.end_date < today():
        problems.append(Problem("LEAVE_IN_PAST", "the leave has already ended", "endDate"))
    if len(reason) > 200:
        problems.append(Problem("INVALID_REASON", "at most 200 characters", "reason"))
    if problems:
        raise DomainError.many(problems)
    await serialize_writes(f"expert:{expert_id}")
    if await ExpertLeave.exists().where(
        (ExpertLeave.expert == expert_id)
        & (ExpertLeave.start_date <= new.end_date)
        & (ExpertLeave.end_date >= new.start_date)
    ):
        raise DomainError(
            "LEAVE_OVERLAPS", "the expert already has leave in this period", "startDate"
        )
    leave = ExpertLeave(
        expert=expert_id, start_date=new.start_date, end_date=new.end_date, reason=reason
    )
    await leave.save()
    row = await ExpertLeave.select(*LEAVE_COLUMNS).where(ExpertLeave.id == leave.id).first()
    await audit.record("experts.add_leave", "expert_leave", leave.id, None, _leave_state(row))
    return row


@requires(Perm.EXPERT_UPDATE_AVAILABILITY)
async def remove_leave(actor: CurrentUser, leave_id: int) -> dict:
    row = await ExpertLeave.select(*LEAVE_COLUMNS).where(ExpertLeave.id == leave_id).first()
    if row is None:
        raise NotFound("leave", leave_id)
    try:
        await owned(actor, row["expert"])
    except DomainError:
        raise NotFound("leave", leave_id) from None
    await ExpertLeave.delete().where(ExpertLeave.id == leave_id)
    await audit.record("experts.remove_leave", "expert_leave", leave_id, _leave_state(row), None)
    return row


def _avoidance_values(new: AvoidanceInput) -> dict:
    name = (new.organisation_name or "").strip()
    uscc = (new.organisation_uscc or "").strip().upper() or None
    note = (new.note or "").strip()
    problems = []
    if not 2 <= len(name) <= 128:
        problems.append(Problem("INVALID_NAME", "must be 2 to 128 characters", "organisationName"))
    if uscc is not None and not is_uscc(uscc):
        problems.append(
            Problem("INVALID_USCC", "not a valid unified social credit code", "organisationUscc")
        )
    if new.relation not in RELATIONS:
        problems.append(Problem("INVALID_RELATION", f"one of {', '.join(RELATIONS)}", "relation"))
    if new.end_date is not None and new.end_date < new.start_date:
        problems.append(Problem("INVALID_PERIOD", "the relation ends before it starts", "endDate"))
    if new.start_date > today():
        problems.append(
            Problem("INVALID_DATE", "declare a relation once it has started", "startDate")
        )
    if len(note) > 200:
        problems.append(Problem("INVALID_NOTE", "at most 200 characters", "note"))
    if problems:
        raise DomainError.many(problems)
    return {
        "organisation_name": name,
        "organisation_uscc": uscc,
        "relation": new.relation,
        "note": note,
        "start_date": new.start_date,
        "end_date": new.end_date,
    }


async def _duplicate_avoidance(expert_id: int, values: dict, own_id: int | None) -> None:
    same_org = (
        ExpertAvoidance.organisation_uscc == values["organisation_uscc"]
        if values["organisation_uscc"]
        else ExpertAvoidance.organisation_name == values["organisation_name"]
    )
    query = ExpertAvoidance.exists().where(
        (ExpertAvoidance.expert == expert_id)
        & same_org
        & (ExpertAvoidance.relation == values["relation"])
        & (ExpertAvoidance.start_date == values["start_date"])
    )
    if own_id is not None:
        query = query.where(ExpertAvoidance.id != own_id)
    if await query:
        raise DomainError(
            "DUPLICATE_AVOIDANCE", "this relation is declared already", "organisationName"
        )


@requires(Perm.EXPERT_UPDATE_AVAILABILITY)
async def add_avoidance(actor: CurrentUser, expert_id: int, new: AvoidanceInput) -> dict:
    """A relation that makes the expert recuse themselves (employer, director, shareholder,
    relative of the legal representative, other)."""
    await owned(actor, expert_id)
    values = _avoidance_values(new)
    await serialize_writes(f"expert:{expert_id}")
    await _duplicate_avoidance(expert_id, values, None)
    avoidance = ExpertAvoidance(expert=expert_id, **values)
    await avoidance.save()
    row = await _avoidance(avoidance.id)
    await audit.record(
        "experts.add_avoidance", "expert_avoidance", avoidance.id, None, _avoidance_state(row)
    )
    return row


async def _avoidance(avoidance_id: int) -> dict:
    row = (
        await ExpertAvoidance.select(*AVOIDANCE_COLUMNS)
        .where(ExpertAvoidance.id == avoidance_id)
        .first()
    )
    if row is None:
        raise NotFound("avoidance", avoidance_id)
    return row


async def _owned_avoidance(actor: CurrentUser, avoidance_id: int) -> dict:
    row = await _avoidance(avoidance_id)
    try:
        await owned(actor, row["expert"])
    except DomainError:
        raise NotFound("avoidance", avoidance_id) from None
    return row


@requires(Perm.EXPERT_UPDATE_AVAILABILITY)
async def update_avoidance(actor: CurrentUser, avoidance_id: int, new: AvoidanceInput) -> dict:
    """Correct a relation, or end it (set its end date)."""
    before = await _owned_avoidance(actor, avoidance_id)
    values = _avoidance_values(new)
    await serialize_writes(f"expert:{before['expert']}")
    await _duplicate_avoidance(before["expert"], values, avoidance_id)
    if {k: before[k] for k in values} == values:
        return before
    await ExpertAvoidance.update(values).where(ExpertAvoidance.id == avoidance_id)
    after = await _avoidance(avoidance_id)
    await audit.record(
        "experts.update_avoidance",
        "expert_avoidance",
        avoidance_id,
        _avoidance_state(before),
        _avoidance_state(after),
    )
    return after


@requires(Perm.EXPERT_UPDATE_AVAILABILITY)
async def remove_avoidance(actor: CurrentUser, avoidance_id: int, reason: str) -> dict:
    """Withdraw a relation declared by mistake (a past relation is ended, not removed)."""
    row = await _owned_avoidance(actor, avoidance_id)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "say why", "reason")
    if len(reason) > 500:
        raise DomainError("INVALID_REASON", "at most 500 characters", "reason")
    await ExpertAvoidance.delete().where(ExpertAvoidance.id == avoidance_id)
    await audit.record(
        "experts.remove_avoidance",
        "expert_avoidance",
        avoidance_id,
        _avoidance_state(row),
        None,
        {"reason": reason},
    )
    return row


def _chunks(values: list, size: int = BATCH) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


async def conflicted(
    expert_ids: list[int],
    supplier_usccs: list[str],
    on: date,
    supplier_names: list[str] | None = None,
) -> set[int]:
    """The experts among `expert_ids` who must recuse themselves from an evaluation on `on` where
    these suppliers bid: a declared relation with one of them overlapping the three years before
    `on`, or the supplier being their current employer.

    Relations declared without a credit code are matched on the exact organisation name when
    `supplier_names` is given.
    """
    ids = sorted({int(i) for i in expert_ids})
    usccs = sorted({(u or "").strip().upper() for u in supplier_usccs} - {""})
    names = sorted({(n or "").strip() for n in supplier_names or []} - {""})
    if not ids or not (usccs or names):
        return set()
    window_start = rules.add_years(on, -rules.AVOIDANCE_YEARS)
    found: set[int] = set()
    for chunk in _chunks(ids):
        period = (
            ExpertAvoidance.expert.is_in(chunk)
            & (ExpertAvoidance.start_date <= on)
            & (ExpertAvoidance.end_date.is_null() | (ExpertAvoidance.end_date >= window_start))
        )
        if usccs:
            rows = await ExpertAvoidance.select(ExpertAvoidance.expert).where(
                period & ExpertAvoidance.organisation_uscc.is_in(usccs)
            )
            found.update(r["expert"] for r in rows)
            rows = await Expert.select(Expert.id).where(
                Expert.id.is_in(chunk) & Expert.employer_uscc.is_in(usccs)
            )
            found.update(r["id"] for r in rows)
        if names:
            rows = await ExpertAvoidance.select(ExpertAvoidance.expert).where(
                period
                & ExpertAvoidance.organisation_uscc.is_null()
                & ExpertAvoidance.organisation_name.is_in(names)
            )
            found.update(r["expert"] for r in rows)
    return found
