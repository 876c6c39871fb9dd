"""Suspensions (暂停采购活动): while it handles a complaint, the department may halt the
procurement for at most procurement_suspension_max (30 d, Law art. 57) in all, counted over
every suspension of the complaint. A suspension stops every step of the transaction and the
contract's signing and performance (hooks.py); it expires by itself at the end of its last day
(the scheduler), or is lifted, and ends with the complaint. While it lasts the project's
running timer (bid deadline, decryption window) stands still, and runs on with the time it had
left when the suspension ends (transaction/holds.py; `held`).
"""

from __future__ import annotations

from datetime import timedelta

from gpcloud.complaints.service.common import SCOPE, tell
from gpcloud.complaints.tables import Complaint, Suspension
from gpcloud.complaints.workflow import HANDLING, SUSPENSION
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.core.db import for_update, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.rules.service import effective_rule
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import facts, holds


async def get(suspension_id: int) -> dict:
    with all_tenants(SCOPE):
        row = (
            await Suspension.select()
            .where(Suspension.id == suspension_id)
            .output(load_json=True)
            .first()
        )
    if row is None:
        raise NotFound("suspension", suspension_id)
    return row


def _parties(complaint: dict) -> dict:
    return {
        k: complaint[k]
        for k in ("supplier_organisation", "purchaser_organisation", "agency_organisation")
    }


async def _tell(row: dict, complaint: dict, step: str, detail: str, key: str) -> None:
    project = await facts.project(row["project"])
    await tell(
        "suspension.step",
        {**_parties(complaint), "id": row["id"]},
        project,
        {"step": step, "starts_on": row["starts_on"], "ends_on": row["ends_on"], "detail": detail},
        others=tuple(sorted(await facts.suppliers(row["project"]))),
        key=key,
    )


@requires(Perm.PROCUREMENT_SUSPEND)
async def suspend(actor: CurrentUser, complaint_id: int, days: int, reason: str) -> dict:
    """Suspend the complaint's procurement for `days` calendar days from today (its last day
    today + days - 1)."""
    if not 2 <= len(reason.strip()) <= 2000:
        raise DomainError("INVALID_TEXT", "a reason of 2 to 2000 characters", "reason")
    async with transaction():
        # Locked: two suspensions ordered at once must see each other.
        complaint = await for_update(Complaint.select().where(Complaint.id == complaint_id)).first()
        if complaint is None:
            raise NotFound("complaint", complaint_id)
        if complaint["status"] not in HANDLING:
            raise DomainError("WRONG_STATE", f"the complaint is {complaint['status']}")
        limit = int(
            (await effective_rule("procurement_suspension_max", complaint["tenant_id"])).value
        )
        with all_tenants(SCOPE):
            earlier = await Suspension.select().where(Suspension.complaint == complaint_id)
        if any(s["status"] == "active" for s in earlier):
            raise DomainError("ALREADY_SUSPENDED", "the procurement is suspended already")
        used = sum(
            ((s["lifted_on"] or s["ends_on"] + timedelta(days=1)) - s["starts_on"]).days
            for s in earlier
        )
        if not 1 <= days <= limit - used:
            raise DomainError(
                "SUSPENSION_TOO_LONG",
                f"at most {limit} days in all (Law art. 57); {used} used, so 1 to "
                f"{max(limit - used, 0)}",
                "days",
            )
        row = Suspension(
            tenant_id=complaint["tenant_id"],
            project=complaint["project"],
            project_tenant=complaint["project_tenant"],
            complaint=complaint_id,
            ordered_by=actor.id,
            reason=reason.strip(),
            starts_on=today(),
            ends_on=today() + timedelta(days=days - 1),
        )
        await row.save()
        held = await holds.hold(complaint["project"], f"suspension:{row.id}")
        if held:
            with all_tenants(SCOPE):
                await Suspension.update({Suspension.held: held}).where(Suspension.id == row.id)
        created = await get(row.id)
        await SUSPENSION.created(created, {"complaint": complaint_id, "days": days})
        await _tell(created, complaint, "已暂停", reason.strip(), f"suspension:{row.id}:ordered")
        return await get(row.id)


async def _resume(row: dict) -> None:
    held = (await get(row["id"]))["held"]
    await holds.release(row["project"], held, f"suspension:{row['id']}")


async def _end(actor: CurrentUser | None, row: dict, action: str) -> dict:
    with all_tenants(SCOPE):
        moved = await SUSPENSION.move(
            actor, row, action, {Suspension.lifted_on: today()} if action == "lift" else None
        )
    await _resume(row)
    with all_tenants(SCOPE):
        complaint = await Complaint.select().where(Complaint.id == row["complaint"]).first()
    step = "已恢复（暂停解除）" if action == "lift" else "已恢复（暂停期满）"
    await _tell(moved, complaint, step, "", f"suspension:{row['id']}:{action}")
    return moved


@requires(Perm.PROCUREMENT_SUSPEND)
async def lift(actor: CurrentUser, suspension_id: int) -> dict:
    async with transaction():
        row = await Suspension.select().where(Suspension.id == suspension_id).first()
        if row is None:  # outside the supervisor's region: not there
            raise NotFound("suspension", suspension_id)
        return await _end(actor, row, "lift")


async def end_with(complaint_id: int) -> None:
    """The complaint ended (decided, withdrawn, lapsed): its suspension ends with it."""
    with all_tenants(SCOPE):
        active = await Suspension.select().where(
            (Suspension.complaint == complaint_id) & (Suspension.status == "active")
        )
    for row in active:
        await _end(None, row, "lift")


async def expired(row: dict) -> None:
    """The scheduler expired it (its Timer's effect): the held timer runs on, and the parties
    hear the procurement resumes."""
    await _resume(row)
    with all_tenants(SCOPE):
        complaint = await Complaint.select().where(Complaint.id == row["complaint"]).first()
    await _tell(row, complaint, "已恢复（暂停期满）", "", f"suspension:{row['id']}:expire")


async def active(project_id: int) -> list[dict]:
    """The project's suspensions in force today."""
    with all_tenants(SCOPE):
        return (
            await Suspension.select()
            .where(
                (Suspension.project == project_id)
                & (Suspension.status == "active")
                & (Suspension.starts_on <= today())
            )
            .order_by(Suspension.id)
        )
