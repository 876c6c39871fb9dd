"""Procurement intentions (Caiku [2020] 10): what a purchaser plans to buy, published at least
`intention_lead` days (a rule, 30 d) before the procurement starts, unless exempt."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gpcloud.core import publishing
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.money import to_fen
from gpcloud.core.pagination import Page
from gpcloud.core.rules.service import rule_deadline
from gpcloud.registries.purchasers import service as purchasers
from gpcloud.supervision import common
from gpcloud.supervision.common import purchaser_unit
from gpcloud.supervision.tables import OBJECT_TYPES, ProcurementIntention
from gpcloud.supervision.workflow import INTENTION


@dataclass(frozen=True)
class IntentionInput:
    project_name: str
    requirement_summary: str
    budget: Decimal
    object_type: str
    expected_start: date


def _problems(data: IntentionInput) -> list[Problem]:
    problems = []
    if not 2 <= len(data.project_name.strip()) <= 200:
        problems.append(
            Problem("INVALID_NAME", "a project name of 2 to 200 characters", "projectName")
        )
    if not 1 <= len(data.requirement_summary.strip()) <= 2000:
        problems.append(
            Problem(
                "INVALID_SUMMARY",
                "a requirement summary of 1 to 2000 characters",
                "requirementSummary",
            )
        )
    if data.object_type not in OBJECT_TYPES:
        problems.append(Problem("INVALID_OBJECT_TYPE", "goods, works or services", "objectType"))
    return problems


async def get(intention_id: int) -> dict:
    return await common.fetch(ProcurementIntention, "intention", intention_id)


async def _own(actor: CurrentUser, intention_id: int) -> dict:
    return await common.own(actor, ProcurementIntention, "intention", intention_id)


@requires(Perm.INTENTION_CREATE)
async def create(actor: CurrentUser, data: IntentionInput) -> dict:
    unit = await purchaser_unit(actor)
    problems = _problems(data)
    if problems:
        raise DomainError.many(problems)
    async with transaction():
        row = ProcurementIntention(
            tenant_id=unit["tenant_id"],
            purchaser=unit["id"],
            project_name=data.project_name.strip(),
            requirement_summary=data.requirement_summary.strip(),
            budget_fen=to_fen(data.budget, "budget"),
            object_type=data.object_type,
            expected_start=data.expected_start,
        )
        await row.save()
        created = await get(row.id)
        await INTENTION.created(created)
    return created


@requires(Perm.INTENTION_PUBLISH)
async def publish(actor: CurrentUser, intention_id: int, on: date | None = None) -> dict:
    """Publish now; refused when the expected start is sooner than the rule allows."""
    on = on or today()
    async with transaction():
        row = await _own(actor, intention_id)
        INTENTION.next_state("publish", row["status"])
        deadline = await rule_deadline("intention_lead", on, row["tenant_id"])
        if row["expected_start"] < deadline.due:
            raise DomainError(
                "INTENTION_TOO_LATE",
                f"published on {on}, the procurement may start on {deadline.due} at the earliest, "
                f"not {row['expected_start']} ({'; '.join(deadline.steps)})",
                "expectedStart",
            )
        published = await INTENTION.move(
            actor,
            row,
            "publish",
            {
                ProcurementIntention.published_on: on,
                ProcurementIntention.earliest_start: deadline.due,
                ProcurementIntention.deadline_steps: json.dumps(deadline.steps, ensure_ascii=False),
            },
            {"earliest_start": deadline.due},
        )
        unit = await purchasers.get(row["purchaser"])
        await publishing.publish(
            publishing.Publication(
                kind="intention",
                source=f"intention:{intention_id}",
                tenant=row["tenant_id"],
                title=row["project_name"],
                body=f"{row['requirement_summary']}\n预计采购时间：{row['expected_start']}",
                published_on=on,
                object_type=row["object_type"],
                purchaser_id=row["purchaser"],
                purchaser_name=unit["name"],
                amount_fen=row["budget_fen"],
                intention_id=intention_id,
                details={"expected_start": row["expected_start"]},
            )
        )
        return published


@requires(Perm.INTENTION_WITHDRAW)
async def withdraw(actor: CurrentUser, intention_id: int) -> dict:
    async with transaction():
        return await INTENTION.move(actor, await _own(actor, intention_id), "withdraw")


@requires(Perm.INTENTION_READ)
async def search(
    actor: CurrentUser, status: str | None, first: int | None, after: str | None
) -> Page:
    """A purchaser's own unit's intentions; admins and supervisors their region's."""
    return await common.search(actor, ProcurementIntention, status, first, after)
