"""One state machine per business object: its states, and the transitions between them with the
permission each needs and the rule it enforces. A transition is a compare-and-set:

    UPDATE t SET status = :after, revision = revision + 1, ...
    WHERE id = :id AND status = :before AND revision = :revision RETURNING *

so of N requests that read the same row, one wins and the others get CONFLICT, whatever the
database's isolation level; nothing they would have done after it (budget movements, notices)
happens twice. Plugin vetoes run before the row is won, side effects after it, in the same
transaction; the audit entry is written with the row.

`revision` makes self-transitions (a contract signed by its first party, a correction published
on a tendering project) compare-and-set too: any change through a machine bumps it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gpcloud import domains
from gpcloud.core import clock
from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.plugins.hooks import validate_event

if TYPE_CHECKING:
    from gpcloud.core.auth.service import CurrentUser


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    # Who may take it; None: only the platform itself (a job, another subsystem's step).
    permission: Perm | None
    # The rule the transition's guards enforce, with its source, for readers and docs.
    rule: str = ""
    # Taken by a party to the object wherever the party is registered (a supplier of another
    # region signs the purchaser's contract): the service checks the party, not the region.
    by_party: bool = False


@dataclass(frozen=True)
class Timer:
    """A transition the platform takes by itself when its time comes (the scheduler runs it).

    `due(row)` is when it falls due for the row as it stands (None: the row is not waiting for
    it); `after(row)` does what the transition causes besides the state (a notice), in the same
    transaction; `rule` names the rule that sets the time. When that work lives in a service
    that itself imports the machine, `after` names it ("module:function") and it is found when
    the timer runs, as the domain registry finds a domain's parts."""

    action: str
    due: Callable[[dict], datetime | None]
    rule: str = ""
    after: Callable[[dict], Awaitable[None]] | str | None = None

    def effect(self) -> Callable[[dict], Awaitable[None]] | None:
        return domains.resolve(self.after) if isinstance(self.after, str) else self.after


@dataclass(frozen=True)
class Due:
    """One timer run: when it fell due and when it ran (both recorded with the transition)."""

    machine: str
    object_id: int
    action: str
    due_at: datetime
    ran_at: datetime


MACHINES: list[StateMachine] = []  # every machine declared, for the scheduler and the docs


def transition(
    action: str,
    sources: Iterable[str] | str,
    target: str,
    permission: Perm | None,
    rule: str = "",
    by_party: bool = False,
) -> Transition:
    sources = (sources,) if isinstance(sources, str) else sources
    return Transition(action, frozenset(sources), target, permission, rule, by_party)


def _own_tenant(row: dict) -> str:
    return row["tenant_id"]


class StateMachine:
    """`noun` names the object in messages and plugin events (plan.submit); `kind` in the
    audit log (procurement_plan); `table` has `status` and `revision` columns.

    Objects of the platform's own machinery (jobs, migration batches) are neither vetoed by
    tenant plugins nor, where their table is their record, audited; `tenant` says whose an
    object is where it has no tenant_id of its own."""

    def __init__(
        self,
        noun: str,
        kind: str,
        table: Any,
        states: tuple[str, ...],
        initial: str,
        transitions: Iterable[Transition],
        create: Perm | None = None,
        tenant: Callable[[dict], str] = _own_tenant,
        vetoed: bool = True,
        audited: bool = True,
        timers: Iterable[Timer] = (),
    ):
        self.noun, self.kind, self.table = noun, kind, table
        self.states, self.initial, self.create = states, initial, create
        self.tenant, self.vetoed, self.audited = tenant, vetoed, audited
        self.transitions = {t.action: t for t in transitions}
        self.timers = tuple(timers)
        if any(t.action not in self.transitions for t in self.timers):
            raise ValueError(f"{noun}: a timer names no transition")
        MACHINES.append(self)
        unknown = {s for t in self.transitions.values() for s in (*t.sources, t.target)} - set(
            states
        )
        if initial not in states or unknown:
            raise ValueError(f"{noun}: states not declared: {sorted(unknown | {initial})}")

    def next_state(self, action: str, current: str) -> str:
        """The state `action` leads to from `current`, or WRONG_STATE naming the allowed ones."""
        step = self.transitions[action]
        if current not in step.sources:
            raise DomainError(
                "WRONG_STATE",
                f"a {self.noun} that is {current} cannot be {action.replace('_', ' ')} "
                f"(only when {' or '.join(sorted(step.sources))})",
            )
        return step.target

    def allowed(self, actor: CurrentUser | None, action: str, row: dict) -> None:
        """The actor may take `action` on `row` (its permission, in its region)."""
        step = self.transitions[action]
        if actor is None:
            return
        if step.permission is None:
            raise DomainError("FORBIDDEN", f"only the platform may {action} a {self.noun}")
        actor.require(step.permission, region=None if step.by_party else self.tenant(row))

    async def move(
        self,
        actor: CurrentUser | None,
        row: dict,
        action: str,
        changes: dict | None = None,
        detail: dict | None = None,
        event: dict | None = None,
    ) -> dict:
        """Take `action` on `row` (as read in this transaction): permission, state, the tenant's
        plugin vetoes (on `event`, the object as plugins see it; default the row), then the
        compare-and-set. Returns the updated row; CONFLICT when another request changed it
        since it was read."""
        self.allowed(actor, action, row)
        after = self.next_state(action, row["status"])
        tenant = self.tenant(row)
        if self.vetoed:
            await validate_event(
                tenant, f"{self.noun}.{action}", event or row, row["status"], after
            )
        table = self.table
        values = {table.status: after, table.revision: table.revision + 1, **(changes or {})}
        if hasattr(table, "updated_at"):
            values.setdefault(table.updated_at, clock.now())
        won = await (
            table.update(values)
            .where(
                (table.id == row["id"])
                & (table.status == row["status"])
                & (table.revision == row["revision"])
            )
            .returning(*table.all_columns())
        )
        if not won:
            raise await self._conflict(row)
        moved = await self.reschedule(won[0])
        if self.audited:
            await audit.record(
                f"{self.kind}.{action}",
                self.kind,
                row["id"],
                {"status": row["status"]},
                {"status": after},
                detail or {},
                tenant=tenant,
            )
        for receiver in domains.TRANSITION_RECEIVERS.get(f"{self.kind}.{action}", ()):
            await domains.resolve(receiver)(moved)
        return moved

    async def created(self, row: dict, detail: dict | None = None, action: str = "create") -> None:
        """Audit a row just inserted in its initial (or carried-over) state; schedule it."""
        await self.reschedule(row)
        await audit.record(
            f"{self.kind}.{action}",
            self.kind,
            row["id"],
            {"status": None},
            {"status": row["status"]},
            detail or {},
            tenant=self.tenant(row),
        )

    def due(self, row: dict) -> list[tuple[datetime, Timer]]:
        """The timers the row waits for, earliest first."""
        waiting = []
        for timer in self.timers:
            if row["status"] in self.transitions[timer.action].sources:
                at = timer.due(row)
                if at is not None:
                    waiting.append((at, timer))
        return sorted(waiting, key=lambda pair: pair[0])

    def next_check(self, row: dict) -> datetime | None:
        waiting = self.due(row)
        return waiting[0][0] if waiting else None

    async def reschedule(self, row: dict) -> dict:
        """Store when the row next needs the scheduler (its `next_check`), after any change to
        what its timers read; the row with it."""
        if not self.timers:
            return row
        at = self.next_check(row)
        if at != row.get("next_check"):
            table = self.table
            await table.update({table.next_check: at}).where(table.id == row["id"])
        return {**row, "next_check": at}

    async def run_timers(self, row: dict, now: datetime) -> list[Due]:
        """Take the transitions due by `now`, earliest first, each recording when it fell due
        and when it ran (a catch-up after downtime runs late but in order)."""
        ran: list[Due] = []
        while (waiting := self.due(row)) and waiting[0][0] <= now:
            if len(ran) > len(self.timers):
                raise RuntimeError(f"{self.noun} {row['id']}: its timers do not let it rest")
            at, timer = waiting[0]
            detail = {"due_at": at.isoformat(), "ran_at": now.isoformat(), "rule": timer.rule}
            row = await self.move(None, row, timer.action, detail=detail)
            if (effect := timer.effect()) is not None:
                await effect(row)
            ran.append(Due(self.noun, row["id"], timer.action, at, now))
        if not ran:  # what it waited for moved later (move() reschedules after each run)
            await self.reschedule(row)
        return ran

    async def _conflict(self, row: dict) -> DomainError:
        table = self.table
        now = await table.select(table.status).where(table.id == row["id"]).first()
        if now is None:
            return NotFound(self.noun, row["id"])
        return DomainError(
            "CONFLICT",
            f"the {self.noun} changed while you were acting (it is {now['status']} now, it was "
            f"{row['status']}): reload it and try again",
        )
