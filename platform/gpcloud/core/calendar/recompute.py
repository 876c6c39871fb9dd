"""Open deadlines recomputed when a year is loaded (the official year replacing a provisional
one, or a correction), by the domains that keep them.

Core cannot import domains, so each domain registers what it keeps, in its `deadlines.py`:

    @recomputes("contracts")
    async def recompute(year: int) -> list[MovedDeadline]:
        # every open deadline whose period reaches into `year`: compute it again
        # (calendar.deadline / rules.rule_deadline), store it where it moved, report it

Callbacks run in the transaction that loads the year and see the new days; a failure rolls the
load back. Each moved deadline is audited, and `notify_moved_deadlines` is the one place its
owners are told.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from functools import cache

from gpcloud import domains
from gpcloud.core.audit import service as audit
from gpcloud.core.notifications.service import Recipients, notify

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MovedDeadline:
    kind: str  # e.g. contract.publication_due
    object_type: str
    object_id: str
    tenant: str
    owners: tuple[int, ...]  # the users to tell
    before: date
    after: date
    steps: tuple[str, ...]  # how the new date was computed
    title: str = ""  # the object for people: 合同《教学设备采购合同》
    label: str = ""  # the deadline for people: 公告期限


Recompute = Callable[[int], Awaitable[list[MovedDeadline]]]
RECOMPUTERS: dict[str, Recompute] = {}


def recomputes(name: str) -> Callable[[Recompute], Recompute]:
    def register(callback: Recompute) -> Recompute:
        if RECOMPUTERS.get(name, callback) is not callback:
            raise ValueError(f"deadline recomputation {name} registered twice")
        RECOMPUTERS[name] = callback
        return callback

    return register


@cache
def load_domain_recomputers() -> dict[str, Recompute]:
    """Import every domain's deadlines module so its callbacks register."""
    domains.load("deadlines")
    return RECOMPUTERS


async def recompute_open_deadlines(year: int) -> list[MovedDeadline]:
    """In the transaction loading `year`: every domain recomputes; moves are audited and their
    owners notified. Returns what moved."""
    moved: list[MovedDeadline] = []
    for _name, callback in sorted(load_domain_recomputers().items()):
        moved += await callback(year)
    for m in moved:
        await audit.record(
            "calendar.deadline_moved",
            m.object_type,
            m.object_id,
            {m.kind: m.before},
            {m.kind: m.after},
            {"deadline": m.kind, "year": year, "steps": list(m.steps)},
            tenant=m.tenant,
        )
    await notify_moved_deadlines(moved)
    return moved


async def notify_moved_deadlines(moved: list[MovedDeadline]) -> None:
    """Tell each moved deadline's owners, in the loading transaction (once per deadline and
    new date, however often the year is loaded)."""
    for m in moved:
        await notify(
            "deadline.moved",
            Recipients(users=m.owners),
            {
                "title": m.title or f"{m.object_type} {m.object_id}",
                "deadline": m.label or m.kind,
                "year": m.after.year,
                "before": m.before,
                "after": m.after,
            },
            about=(m.object_type, m.object_id),
            due=m.after,
            key=f"calendar:{m.object_type}:{m.object_id}:{m.kind}:{m.after}",
        )
