"""Rollout gates: a subsystem's mutations are refused for a tenant before its go-live date.

Dates come from the tenant's effective config (`go_live`); "today" is the date in Asia/Shanghai,
where legal time runs. Reads are never gated (migrated history stays open).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gpcloud.core.clock import today
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.config import EffectiveConfig, effective_config

SUBSYSTEMS = ("supervision", "transaction", "emall", "credit", "finance_services", "analytics")


@dataclass(frozen=True)
class SubsystemRollout:
    subsystem: str
    go_live: date | None
    live: bool


def rollout(config: EffectiveConfig, on: date | None = None) -> list[SubsystemRollout]:
    on = on or today()
    dates = config.values.get("go_live", {})
    result = []
    for subsystem in SUBSYSTEMS:
        raw = dates.get(subsystem)
        go_live = date.fromisoformat(raw) if raw else None
        result.append(SubsystemRollout(subsystem, go_live, go_live is not None and go_live <= on))
    return result


async def require_live(code: str, name: str, subsystem: str) -> None:
    """Raise SUBSYSTEM_NOT_LIVE unless `subsystem` is live for tenant `code` (named `name`)."""
    if subsystem not in SUBSYSTEMS:
        raise ValueError(f"unknown subsystem {subsystem}")
    state = next(r for r in rollout(await effective_config(code)) if r.subsystem == subsystem)
    if not state.live:
        when = state.go_live.isoformat() if state.go_live else "a date not yet set"
        raise DomainError(
            "SUBSYSTEM_NOT_LIVE",
            f"{subsystem} goes live for {name} on {when}; until then it is read-only",
        )
