"""An expert's life in the pool, kept by the province: status changes (approve, suspend,
reactivate, retire), bad records, the link to their own account, and the audited reveal of the
ID number."""

from __future__ import annotations

from datetime import UTC, date, datetime

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import EXPERT
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import User, UserRole
from gpcloud.core.clock import today
from gpcloud.core.db import serialize_writes
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.experts.service import identity, rules
from gpcloud.registries.experts.service.experts import get, state
from gpcloud.registries.experts.tables import Expert

# action: (from statuses, to status)
TRANSITIONS = {
    "approve": (("pending",), "active"),
    "suspend": (("active",), "suspended"),
    "reactivate": (("suspended",), "active"),
    "retire": (("pending", "active", "suspended"), "retired"),
}
MAX_REASON = 500


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "say why", "reason")
    if len(reason) > MAX_REASON:
        raise DomainError("INVALID_REASON", f"at most {MAX_REASON} characters", "reason")
    return reason


@requires(Perm.EXPERT_DECIDE)
async def change_status(actor: CurrentUser, expert_id: int, action: str, reason: str) -> dict:
    """approve / suspend / reactivate / retire; entering the active pool re-checks the entry rules."""
    if action not in TRANSITIONS:
        raise DomainError("INVALID_ACTION", f"one of {', '.join(TRANSITIONS)}", "action")
    reason = _reason(reason)
    await serialize_writes(f"expert:{expert_id}")
    row = await get(expert_id)
    sources, target = TRANSITIONS[action]
    if row["status"] not in sources:
        raise DomainError(
            "WRONG_STATE", f"cannot {action} an expert who is {row['status']}", "status"
        )
    if target == "active":
        problems = rules.entry_problems(
            row["title_level"],
            row["years_of_experience"],
            row["birth_date"],
            row["bad_record_until"],
            today(),
        )
        if problems:
            raise DomainError.many(problems)
    before = await state(expert_id)
    await Expert.update(
        {Expert.status: target, Expert.status_reason: reason, Expert.updated_at: datetime.now(UTC)}
    ).where(Expert.id == expert_id)
    await audit.record(
        f"experts.{action}", "expert", expert_id, before, await state(expert_id), {"reason": reason}
    )
    return await get(expert_id)


@requires(Perm.EXPERT_DECIDE)
async def record_bad_record(
    actor: CurrentUser, expert_id: int, recorded_on: date, reason: str
) -> dict:
    """A credit flag: the expert is barred for three years from `recorded_on`; an active expert is
    suspended at once."""
    reason = _reason(reason)
    if recorded_on > today():
        raise DomainError("INVALID_DATE", "a bad record cannot be in the future", "recordedOn")
    until = rules.bad_record_until(recorded_on)
    if until < today():
        raise DomainError(
            "BAD_RECORD_EXPIRED",
            f"a record older than {rules.BAD_RECORD_YEARS} years no longer counts",
            "recordedOn",
        )
    await serialize_writes(f"expert:{expert_id}")
    row = await get(expert_id)
    before = await state(expert_id)
    values = {
        Expert.bad_record_until: max(until, row["bad_record_until"] or until),
        Expert.updated_at: datetime.now(UTC),
    }
    if row["status"] == "active":
        values.update({Expert.status: "suspended", Expert.status_reason: reason})
    await Expert.update(values).where(Expert.id == expert_id)
    await audit.record(
        "experts.record_bad_record",
        "expert",
        expert_id,
        before,
        await state(expert_id),
        {"reason": reason, "recorded_on": recorded_on},
    )
    return await get(expert_id)


@requires(Perm.EXPERT_REVEAL_ID_NUMBER)
async def reveal_id_number(actor: CurrentUser, expert_id: int, reason: str) -> str:
    """The full ID number, for a provincial admin who says why; every reveal is audited."""
    reason = _reason(reason)
    row = await Expert.select(Expert.id_number_cipher).where(Expert.id == expert_id).first()
    if row is None:
        raise NotFound("expert", expert_id)
    try:
        number = identity.unseal(row["id_number_cipher"])
    except ValueError:
        raise DomainError(
            "CANNOT_REVEAL", "the number was sealed under another secret key"
        ) from None
    await audit.record(
        "experts.reveal_id_number", "expert", expert_id, None, None, {"reason": reason}
    )
    return number


@requires(Perm.EXPERT_MANAGE)
async def link_account(actor: CurrentUser, expert_id: int, username: str | None) -> dict:
    """Link (or with no username, unlink) the expert's own login account, which holds role expert."""
    await serialize_writes("experts:identity")
    await get(expert_id)
    user_id = None
    if username and username.strip():
        with all_tenants("experts: an expert's account may be in any region"):
            user = (
                await User.select(User.id).where(User.username == username.strip().lower()).first()
            )
            roles = (
                {
                    r["role"]
                    for r in await UserRole.select(UserRole.role).where(UserRole.user == user["id"])
                }
                if user
                else set()
            )
        if user is None:
            raise DomainError("NOT_FOUND", f"no account {username.strip()}", "username")
        if EXPERT not in roles:
            raise DomainError(
                "NOT_AN_EXPERT_ACCOUNT", "the account does not hold the expert role", "username"
            )
        if await Expert.exists().where((Expert.user_id == user["id"]) & (Expert.id != expert_id)):
            raise DomainError("ACCOUNT_LINKED", "the account speaks for another expert", "username")
        user_id = user["id"]
    before = await state(expert_id)
    if before["user_id"] != user_id:
        await Expert.update({Expert.user_id: user_id, Expert.updated_at: datetime.now(UTC)}).where(
            Expert.id == expert_id
        )
        await audit.record(
            "experts.link_account", "expert", expert_id, before, await state(expert_id)
        )
    return await get(expert_id)
