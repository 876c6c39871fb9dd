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

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
    ):
        self.noun, self.kind, self.table = noun, kind, table
        self.states, self.initial, self.create = states, initial, create
        self.tenant, self.vetoed, self.audited = tenant, vetoed, audited
        self.transitions = {t.action: t for t in transitions}
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
        actor.require(step.permission, region=None if step.by_party else row["tenant_id"])

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
        return won[0]

    async def created(self, row: dict, detail: dict | None = None, action: str = "create") -> None:
        """Audit a row just inserted in its initial (or carried-over) state."""
        await audit.record(
            f"{self.kind}.{action}",
            self.kind,
            row["id"],
            {"status": None},
            {"status": row["status"]},
            detail or {},
            tenant=self.tenant(row),
        )

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
