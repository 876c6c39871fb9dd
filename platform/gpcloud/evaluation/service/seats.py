"""The drawn experts' answers and what follows: a confirmation rechecks recusal, bans, leave
and status on the evaluation day; a seat that falls free (declined, timed out, recused) calls
the next backup in draw order; no backup left makes the committee incomplete; the last seat
confirmed completes it and releases the remaining backups.

Who: an expert answers only their own assignments (the account linked to the expert); nobody
else learns that an assignment exists.
"""

from __future__ import annotations

from datetime import timedelta

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import AGENCY
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import LEGAL_TZ, now
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.credit import service as credit
from gpcloud.evaluation.service import common, eligibility
from gpcloud.evaluation.service.committees import evaluation_day
from gpcloud.evaluation.service.common import PARTY_SCOPE
from gpcloud.evaluation.settings import draw_settings
from gpcloud.evaluation.tables import DrawMember
from gpcloud.evaluation.workflow import COMMITTEE, MEMBER
from gpcloud.registries.experts import service as experts
from gpcloud.transaction import service as projects

OPEN_SEATS = ("invited", "confirmed")
MAX_REASON = 500


async def _own(actor: CurrentUser, member_id: int) -> dict:
    expert = await experts.of_user(actor)
    row = await common.member(member_id)
    if expert is None or row["expert"] != expert["id"]:
        raise NotFound("assignment", member_id)
    return row


async def _reason(text: str) -> str:
    reason = (text or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "say why", "reason")
    if len(reason) > MAX_REASON:
        raise DomainError("INVALID_REASON", f"at most {MAX_REASON} characters", "reason")
    return reason


async def recheck(committee: dict, expert_id: int) -> list[str]:
    """Why the expert may not sit on the evaluation day, now (empty: may sit)."""
    day = evaluation_day(committee)
    reasons = []
    record = await experts.get(expert_id)
    if record["status"] != "active":
        reasons.append(f"status {record['status']}")
    if record["bad_record_until"] and record["bad_record_until"] >= day:
        reasons.append(f"bad record until {record['bad_record_until']}")
    barred = await credit.barred_experts(day, [expert_id])
    if expert_id in barred:
        reasons.append(f"credit ban: {barred[expert_id]}")
    found = await eligibility.bidders(committee["project"], committee["lot"])
    reasons += (await experts.recusals(found.usccs, day, found.names)).get(expert_id, [])
    return reasons


def _instant(at) -> str:
    return at.astimezone(LEGAL_TZ).strftime("%Y-%m-%d %H:%M")


async def tell_invited(committee: dict, seat: dict) -> None:
    """The invited expert's account hears of it (nobody else learns who was drawn)."""
    user = (await experts.get(seat["expert"]))["user_id"]
    if user is None:
        return
    with all_tenants(PARTY_SCOPE):
        project = await projects.get(committee["project"])
    await notify(
        "expert_draw.invited",
        Recipients(users=(user,)),
        {
            "title": project["title"],
            "evaluation_at": _instant(committee["evaluation_at"]),
            "confirm_by": _instant(seat["confirm_by"]),
        },
        about=("expert_draw_member", seat["id"]),
        due=seat["confirm_by"].astimezone(LEGAL_TZ).date(),
        key=f"expert_draw_member:{seat['id']}:invited",
    )


async def _tell_incomplete(committee: dict) -> None:
    with all_tenants(PARTY_SCOPE):
        project = await projects.get(committee["project"])
    await notify(
        "evaluation_committee.incomplete",
        Recipients(organisation=committee["agency_organisation"], roles=(AGENCY,)),
        {"title": project["title"], "committee_id": committee["id"]},
        about=("evaluation_committee", committee["id"]),
        key=f"evaluation_committee:{committee['id']}:incomplete",
    )


async def _seated(committee_id: int) -> list[dict]:
    return [m for m in await common.members(committee_id) if m["status"] in OPEN_SEATS]


async def fill_seat(committee_id: int) -> None:
    """A seat fell free: invite the next backup, or the committee is incomplete."""
    committee = await common.committee(committee_id, lock=True)
    if committee["status"] not in ("confirming", "complete"):
        return
    with all_tenants(PARTY_SCOPE):
        if committee["status"] == "complete":
            committee = await COMMITTEE.move(None, committee, "reopen")
        if len(await _seated(committee_id)) >= committee["expert_seats"]:
            return
        waiting = [m for m in await common.members(committee_id) if m["status"] == "waiting"]
        if not waiting:
            failed = await COMMITTEE.move(
                None,
                committee,
                "fail_incomplete",
                {COMMITTEE.table.status_reason: "no backup left for a free seat"},
                {"reason": "no backup left"},
            )
            await _tell_incomplete(failed)
            return
        settings = await draw_settings(committee["tenant_id"])
        at = now()
        invited = await MEMBER.move(
            None,
            waiting[0],
            "invite",
            {
                DrawMember.invited_at: at,
                DrawMember.confirm_by: at + timedelta(hours=settings.confirm_hours),
            },
        )
        await tell_invited(committee, invited)


async def _complete_if_full(committee_id: int) -> None:
    committee = await common.committee(committee_id, lock=True)
    members = await common.members(committee_id)
    confirmed = [m for m in members if m["status"] == "confirmed"]
    if committee["status"] != "confirming" or len(confirmed) < committee["expert_seats"]:
        return
    with all_tenants(PARTY_SCOPE):
        await COMMITTEE.move(None, committee, "complete")
        for m in members:
            if m["status"] == "waiting":
                await MEMBER.move(None, m, "release")


@requires(Perm.ASSIGNMENT_RESPOND)
async def confirm(actor: CurrentUser, member_id: int) -> dict:
    """Confirm a seat. Recusal is checked again against every bidder (and bans, leave of the
    day, status): a conflict found now recuses the expert instead, with the reason, and calls
    the next backup; the answer says so (status recused), it is not an error."""
    row = await _own(actor, member_id)
    committee = await common.committee(row["committee"], lock=True)
    row = await common.member(member_id)
    MEMBER.next_state("confirm", row["status"])
    reasons = await recheck(committee, row["expert"])
    with all_tenants(PARTY_SCOPE):
        if reasons:
            text = "; ".join(reasons)
            moved = await MEMBER.move(
                None,
                row,
                "recuse",
                {
                    DrawMember.reason: text,
                    DrawMember.responded_at: now(),
                    DrawMember.confirm_by: None,
                },
                {"reasons": reasons},
            )
            await fill_seat(row["committee"])
            return moved
        moved = await MEMBER.move(
            actor, row, "confirm", {DrawMember.responded_at: now(), DrawMember.confirm_by: None}
        )
    await _complete_if_full(row["committee"])
    return moved


async def _free(actor: CurrentUser, member_id: int, action: str, reason: str) -> dict:
    row = await _own(actor, member_id)
    reason = await _reason(reason)
    await common.committee(row["committee"], lock=True)
    row = await common.member(member_id)
    with all_tenants(PARTY_SCOPE):
        moved = await MEMBER.move(
            actor,
            row,
            action,
            {
                DrawMember.reason: reason,
                DrawMember.responded_at: now(),
                DrawMember.confirm_by: None,
            },
            {"reason": reason},
        )
    await fill_seat(row["committee"])
    return moved


@requires(Perm.ASSIGNMENT_RESPOND)
async def decline(actor: CurrentUser, member_id: int, reason: str) -> dict:
    return await _free(actor, member_id, "decline", reason)


@requires(Perm.ASSIGNMENT_RESPOND)
async def declare_conflict(actor: CurrentUser, member_id: int, reason: str) -> dict:
    """The expert recuses themselves (a relation with a bidder the registry did not know)."""
    committee = await common.committee((await _own(actor, member_id))["committee"])
    if committee["status"] not in ("confirming", "complete"):
        raise DomainError("WRONG_STATE", f"the committee is {committee['status']}", "memberId")
    return await _free(actor, member_id, "declare_conflict", reason)


async def after_time_out(row: dict) -> None:
    """The scheduler's effect of `time_out`: the seat goes to the next backup."""
    await fill_seat(row["committee"])


@requires(Perm.ASSIGNMENT_RESPOND)
async def assignments(actor: CurrentUser) -> list[dict]:
    """The expert's own assignments (every draw they were picked in), newest first."""
    expert = await experts.of_user(actor)
    if expert is None:
        return []
    with all_tenants(PARTY_SCOPE):
        return (
            await DrawMember.select()
            .where(DrawMember.expert == expert["id"])
            .order_by(DrawMember.id, ascending=False)
        )
