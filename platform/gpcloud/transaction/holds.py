"""A suspended procurement's running timer stands still (Law art. 57; MOF Order 94 art. 28,
unverified: no step of the procurement until the suspension ends): the bid deadline of a
tendering project, or the decryption window of an open hall. `hold` clears the instant the
scheduler waits for (so `close_bidding` / `end_unsealing` cannot run) and returns what was left;
`release` sets it again that far from now. Both are the project's own self-transitions
(compare-and-set, audited); the complaints domain keeps what was held with its suspension.
"""

from __future__ import annotations

from datetime import timedelta

from gpcloud.core.clock import LEGAL_TZ, now
from gpcloud.core.errors import NotFound
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction.tables import Project
from gpcloud.transaction.workflow import PROJECT

SCOPE = "transaction: a suspension ordered by the finance department of the purchaser's level"
# timer -> (the state it runs in, the column it reads)
TIMERS = {
    "bidding": ("tendering", Project.bid_deadline_at),
    "unsealing": ("opening", Project.opening_ends_at),
}


async def _project(project_id: int) -> dict:
    with all_tenants(SCOPE):
        row = await Project.select().where(Project.id == project_id).first()
    if row is None:
        raise NotFound("project", project_id)
    return row


async def hold(project_id: int, reference: str) -> dict:
    """Hold the project's running timer: {"timer", "remaining_seconds", "was"} or {} when none
    runs (not tendering or opening, or its instant passed already)."""
    project = await _project(project_id)
    at = now()
    for name, (state, column) in TIMERS.items():
        due = project[column._meta.name]
        if project["status"] != state or due is None or due <= at:
            continue
        left = (due - at).total_seconds()
        held = {"timer": name, "remaining_seconds": left, "was": due.isoformat()}
        with all_tenants(SCOPE):
            await PROJECT.move(
                None, project, f"hold_{name}", {column: None}, {**held, "by": reference}
            )
        return held
    return {}


async def release(project_id: int, held: dict, reference: str) -> dict | None:
    """Run the held timer on from now with the time it had left; None when nothing was held or
    the project has left the state it was held in (a remedy annulled it, say)."""
    if not held:
        return None
    state, column = TIMERS[held["timer"]]
    project = await _project(project_id)
    if project["status"] != state or project[column._meta.name] is not None:
        return None
    due = now() + timedelta(seconds=held["remaining_seconds"])
    changes = {column: due}
    if held["timer"] == "bidding":
        changes[Project.bid_deadline] = due.astimezone(LEGAL_TZ).date()
    with all_tenants(SCOPE):
        return await PROJECT.move(
            None,
            project,
            f"resume_{held['timer']}",
            changes,
            {**held, "due_at": due.isoformat(), "by": reference},
        )
