"""Reading an account as a whole, and recording its changes in the audit log."""

from __future__ import annotations

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.tables import User, UserRole
from gpcloud.core.errors import NotFound


async def get_user(user_id: int) -> dict:
    row = await User.select(exclude_secrets=True).where(User.id == user_id).first()
    if row is None:
        raise NotFound("user", user_id)
    return row


async def roles_of(user_id: int) -> set[str]:
    return {r["role"] for r in await UserRole.select(UserRole.role).where(UserRole.user == user_id)}


async def user_state(user_id: int) -> dict:
    """What the audit log digests of an account: its fields and roles, never the password hash."""
    row = await get_user(user_id)
    return {**row, "roles": sorted(await roles_of(user_id))}


async def audit_user(
    action: str, user_id: int, before: dict | None, after: dict, actor: str | None = None
) -> None:
    changed = sorted(k for k in after if before is None or before.get(k) != after[k])
    await audit.record(
        action,
        "user",
        user_id,
        before,
        after,
        {"changed": changed},
        tenant=after["tenant_id"],
        actor=actor,
    )
