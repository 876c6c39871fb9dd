"""What intentions and plans share: whose unit the caller acts for, and state changes that are
checked against an explicit transition table and audited."""

from __future__ import annotations

from datetime import UTC, datetime

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.roles import PURCHASER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.errors import DomainError
from gpcloud.registries.purchasers import service as purchasers


async def purchaser_unit(actor: CurrentUser) -> dict:
    """The budget unit a purchaser user acts for."""
    unit = await purchasers.of_user(actor) if PURCHASER in actor.roles else None
    if unit is None:
        raise DomainError("FORBIDDEN", "only a purchaser's own users declare its procurement")
    if unit["status"] != "active":
        raise DomainError("PURCHASER_INACTIVE", f"{unit['name']} is not active")
    return unit


def next_state(kind: str, transitions: dict, action: str, current: str) -> str:
    """The state `action` leads to from `current`, or WRONG_STATE naming the allowed ones."""
    allowed, after = transitions[action]
    if current not in allowed:
        raise DomainError(
            "WRONG_STATE",
            f"a {kind} that is {current} cannot be {action}ed "
            f"(only when {' or '.join(sorted(allowed))})",
        )
    return after


async def record(kind: str, row: dict, action: str, after: str, detail: dict | None = None):
    await audit.record(
        f"{kind}.{action}",
        kind,
        row["id"],
        {"status": row["status"]},
        {"status": after},
        detail or {},
        tenant=row["tenant_id"],
    )


def now() -> datetime:
    return datetime.now(UTC)
