"""Intention deadlines recomputed when a calendar year is loaded (core/calendar/recompute.py): a
published intention's earliest start (intention_lead from its publication), where it reaches
into the year."""

from __future__ import annotations

import json
from datetime import date

from gpcloud.core.auth.roles import PURCHASER
from gpcloud.core.auth.tables import User, UserRole
from gpcloud.core.calendar.recompute import MovedDeadline, recomputes
from gpcloud.core.rules.service import rule_deadline
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.purchasers import service as purchasers
from gpcloud.supervision.tables import ProcurementIntention
from gpcloud.supervision.workflow import INTENTION


@recomputes("intentions")
async def recompute(year: int) -> list[MovedDeadline]:
    moved: list[MovedDeadline] = []
    with all_tenants("calendar: the open intention deadlines of every tenant"):
        rows = await ProcurementIntention.select().where(
            (ProcurementIntention.status == "published")
            & (ProcurementIntention.earliest_start >= date(year, 1, 1))
        )
        for row in rows:
            due = await rule_deadline("intention_lead", row["published_on"], row["tenant_id"])
            if due.due == row["earliest_start"] or not await _move(row, due.due, due.steps):
                continue
            moved.append(
                MovedDeadline(
                    "intention.earliest_start",
                    "procurement_intention",
                    str(row["id"]),
                    row["tenant_id"],
                    await _owners(row),
                    row["earliest_start"],
                    due.due,
                    due.steps,
                    f"采购意向《{row['project_name']}》",
                    "最早采购开始日期",
                )
            )
    return moved


async def _move(row: dict, due: date, steps: tuple[str, ...]) -> bool:
    """Compare-and-set on the date computed before; the scheduler then waits for the new one."""
    table = ProcurementIntention
    updated = await (
        table.update(
            {
                table.earliest_start: due,
                table.deadline_steps: json.dumps(list(steps), ensure_ascii=False),
            }
        )
        .where(
            (table.id == row["id"])
            & (table.status == "published")
            & (table.earliest_start == row["earliest_start"])
        )
        .returning(*table.all_columns())
    )
    if updated:
        await INTENTION.reschedule(updated[0])
    return bool(updated)


async def _owners(row: dict) -> tuple[int, ...]:
    unit = await purchasers.get(row["purchaser"])
    users = await User.select(User.id).where(
        (User.organisation == unit["organisation"])
        & User.id.is_in(UserRole.select(UserRole.user).where(UserRole.role == PURCHASER))
    )
    return tuple(sorted(u["id"] for u in users))
