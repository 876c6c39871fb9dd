"""Statutory clocks: each limit of a filing is a row the scheduler watches (workflow
COMPLAINT_CLOCK). Started from the rule in force (core/rules, working days on the calendar with
its holidays), met when the step is taken in time, missed when its day ends (lapses.py says what
follows), paused and resumed where the law does not count the time (Regulation art. 58).
"""

from __future__ import annotations

from datetime import date, timedelta

from gpcloud.complaints.tables import ComplaintClock
from gpcloud.complaints.workflow import COMPLAINT_CLOCK
from gpcloud.core.calendar import service as calendar
from gpcloud.core.clock import today
from gpcloud.core.rules.service import rule_deadline
from gpcloud.core.tenancy.scope import all_tenants

SCOPE = "complaints: a filing's clocks, wherever its parties are"


async def start(kind: str, object_id: int, tenant: str, name: str, rule: str, on: date) -> dict:
    """A clock of `rule`'s period from `on` (the start day not counted), in the caller's
    transaction; its due day and how it was computed are kept."""
    computed = await rule_deadline(rule, on, tenant)
    with all_tenants(SCOPE):
        inserted = await ComplaintClock.insert(
            ComplaintClock(
                tenant_id=tenant,
                kind=kind,
                object_id=object_id,
                name=name,
                rule=rule,
                due_on=computed.due,
                steps=list(computed.steps),
            )
        )
        row = await _get(inserted[0]["id"])
        await COMPLAINT_CLOCK.created(row, {"kind": kind, "object": object_id, "name": name})
    return row


async def _get(clock_id: int) -> dict:
    return (
        await ComplaintClock.select()
        .where(ComplaintClock.id == clock_id)
        .output(load_json=True)
        .first()
    )


async def of(kind: str, object_ids: list[int]) -> list[list[dict]]:
    """Each object's clocks, oldest first (one query)."""
    with all_tenants(SCOPE):
        rows = await (
            ComplaintClock.select()
            .where(
                (ComplaintClock.kind == kind) & ComplaintClock.object_id.is_in(object_ids or [0])
            )
            .order_by(ComplaintClock.id)
            .output(load_json=True)
        )
    found: dict[int, list[dict]] = {i: [] for i in object_ids}
    for row in rows:
        found[row["object_id"]].append(row)
    return [found[i] for i in object_ids]


async def _with(kind: str, object_id: int, names: tuple[str, ...], statuses: tuple[str, ...]):
    with all_tenants(SCOPE):
        query = ComplaintClock.select().where(
            (ComplaintClock.kind == kind)
            & (ComplaintClock.object_id == object_id)
            & ComplaintClock.status.is_in(list(statuses))
        )
        if names:
            query = query.where(ComplaintClock.name.is_in(list(names)))
        return await query.order_by(ComplaintClock.id).output(load_json=True)


async def _move(row: dict, action: str, changes: dict | None = None) -> dict:
    with all_tenants(SCOPE):
        return await COMPLAINT_CLOCK.move(None, row, action, changes)


async def meet(kind: str, object_id: int, *names: str) -> None:
    """The step of these open clocks was taken today (a missed one stays missed: late)."""
    for row in await _with(kind, object_id, names, ("open",)):
        await _move(row, "meet", {ComplaintClock.met_on: today()})


async def cancel(kind: str, object_id: int) -> None:
    """The filing ended: its open and paused clocks no longer run."""
    for row in await _with(kind, object_id, (), ("open", "paused")):
        await _move(row, "cancel")


async def pause(kind: str, object_id: int, name: str) -> None:
    for row in await _with(kind, object_id, (name,), ("open",)):
        await _move(row, "pause")


async def working_days_between(first: date, last: date) -> int:
    """Working days after `first` up to and including `last` (0 when last <= first)."""
    if last <= first:
        return 0
    window = await calendar.window(first, last)
    return sum(
        window.is_working_day(first + timedelta(days=i)) for i in range(1, (last - first).days + 1)
    )


async def resume(kind: str, object_id: int, name: str, since: date) -> int:
    """Run the paused clock on; its end moves later by the working days it stood still since
    `since`. Returns those days."""
    days = await working_days_between(since, today())
    for row in await _with(kind, object_id, (name,), ("paused",)):
        moved = await calendar.deadline(row["due_on"], days, "wd")
        steps = [*row["steps"], f"paused {since} to {today()}: {days} working days not counted"]
        await _move(
            row,
            "resume",
            {ComplaintClock.due_on: moved.due, ComplaintClock.steps: steps},
        )
    return days
