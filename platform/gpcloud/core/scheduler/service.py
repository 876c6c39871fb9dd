"""The scheduler: runs what has fallen due (ProZorro's chronograph, for every state machine).

Each machine with timers (core/workflow) keeps a `next_check` on its rows: the earliest instant a
timer of the row may fall due, computed whenever the row changes. One scheduler acts at a time:
every worker runs `run`, and the holder of the `scheduler` lease ticks. A tick takes the due rows
of every timed table in due order (a catch-up after downtime runs them late but in order) and
handles each in a transaction of its own that is fenced with the lease (a leader paused past its
lease writes nothing) and claims the row with SELECT ... FOR UPDATE SKIP LOCKED (SQLite: its
write lock), so two schedulers never run a row twice even while the lease changes hands. The
timer's transition records when it fell due and when it ran.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from opentelemetry import trace

from gpcloud import domains
from gpcloud.core import clock
from gpcloud.core.db import is_sqlite, transaction
from gpcloud.core.scheduler import lease as leases
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.workflow.machine import MACHINES, Due, StateMachine

log = logging.getLogger(__name__)
tracer = trace.get_tracer("gpcloud")  # a no-op until tracing is on (core/ops/tracing)

NAME = "scheduler"
TTL = timedelta(seconds=30)
INTERVAL = 1.0  # seconds between ticks
BATCH = 500  # rows looked at per table and tick
RETRY = timedelta(minutes=1)  # after a failure, the object is due again this much later
SCOPE = "scheduler: the due objects of every tenant"


@cache
def timed() -> tuple[StateMachine, ...]:
    """Every machine with timers, once each domain's workflow module has declared its own."""
    domains.load("workflow")
    return tuple(m for m in MACHINES if m.timers)


async def _due_rows(now: datetime, limit: int) -> list[tuple[datetime, StateMachine, int]]:
    found = []
    for machine in timed():
        table = machine.table
        rows = await (
            table.select(table.id, table.next_check)
            .where(table.next_check <= now)
            .order_by(table.next_check)
            .limit(limit)
        )
        found += [(r["next_check"], machine, r["id"]) for r in rows]
    return sorted(found, key=lambda item: item[0])


async def _claim(machine: StateMachine, row_id: int, now: datetime) -> dict | None:
    """The row, locked for this transaction, if it is still due and no other scheduler has it."""
    table = machine.table
    query = table.select().where((table.id == row_id) & (table.next_check <= now))
    if not is_sqlite():
        query = query.lock_rows(skip_locked=True)
    return await query.first()


async def tick(lease: leases.Held, now: datetime | None = None, limit: int = BATCH) -> list[Due]:
    """Run everything due by `now` (default: the clock) as the holder of `lease`."""
    now = now or clock.now()
    ran: list[Due] = []
    with all_tenants(SCOPE, audited=False):
        for _, machine, row_id in await _due_rows(now, limit):
            try:
                with tracer.start_as_current_span(f"scheduler {machine.kind}") as span:
                    span.set_attribute("gpcloud.object.id", row_id)
                    async with transaction():
                        await leases.fence(lease)
                        row = await _claim(machine, row_id, now)
                        if row is not None:
                            done = await machine.run_timers(row, now)
                            span.set_attribute("gpcloud.timers", [d.action for d in done])
                            ran += done
            except leases.LeaseLost:
                raise
            except Exception:  # one object's failure must not stop the others
                log.exception("scheduler: %s %s failed; tried again later", machine.noun, row_id)
                table = machine.table
                await table.update({table.next_check: now + RETRY}).where(table.id == row_id)
    return ran


async def run_once(now: datetime | None = None) -> list[Due]:
    """One tick on demand (`gpcloud scheduler tick`, the tests): take the lease, run, let go."""
    lease = await leases.acquire(NAME, leases.holder_id(), TTL)
    if lease is None:
        return []
    try:
        return await tick(lease, now)
    finally:
        await leases.release(lease)


async def run(stop: asyncio.Event, interval: float = INTERVAL, ttl: timedelta = TTL) -> None:
    """The worker's loop: tick every `interval` seconds while holding the lease."""
    await leases.lead(NAME, tick, stop, interval, ttl)


@dataclass(frozen=True)
class Health:
    leader: str | None
    lease_expires_at: datetime | None
    backlog: int  # objects due now and not yet run
    lag_seconds: float  # how long the oldest of them has waited


async def health(now: datetime | None = None) -> Health:
    now = now or clock.now()
    current = await leases.current(NAME)
    backlog, oldest = 0, None
    with all_tenants(SCOPE, audited=False):
        for machine in timed():
            table = machine.table
            due = table.next_check <= now
            backlog += await table.count().where(due)
            first = (
                await table.select(table.next_check).where(due).order_by(table.next_check).first()
            )
            if first is not None and (oldest is None or first["next_check"] < oldest):
                oldest = first["next_check"]
    leading = current is not None and current.expires_at > now
    return Health(
        current.holder if leading else None,
        current.expires_at if current else None,
        backlog,
        (now - oldest).total_seconds() if oldest else 0.0,
    )
