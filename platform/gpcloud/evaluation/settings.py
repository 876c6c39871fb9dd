"""The tenant's expert draw settings (config section `expert_draw`, tenant-defaults.toml) and
its trial run's draw type (section `trial_run`, seed §8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gpcloud.core.tenancy.config import effective_config

DEFAULTS = {
    "confirm_hours": 24,
    "backups": 3,
    "rotation_window_days": 90,
    "rotation_penalty_percent": 20,
    "rotation_floor_percent": 20,
}
FULL_WEIGHT = 100


@dataclass(frozen=True)
class DrawSettings:
    confirm_hours: int
    backups: int
    rotation_window_days: int
    rotation_penalty_percent: int
    rotation_floor_percent: int
    trial_start: date | None
    trial_end: date | None
    trial_draw_type: str | None

    def weight(self, recent_draws: int) -> int:
        """An expert's weight: full, less the penalty for each recent draw, never under the
        floor (integers, so the draw stays exact)."""
        lowered = FULL_WEIGHT - self.rotation_penalty_percent * recent_draws
        return max(self.rotation_floor_percent, min(FULL_WEIGHT, lowered))

    def in_trial(self, day: date) -> bool:
        return bool(
            self.trial_draw_type
            and self.trial_start
            and self.trial_end
            and self.trial_start <= day <= self.trial_end
        )


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


async def draw_settings(tenant: str) -> DrawSettings:
    values = (await effective_config(tenant)).values
    own = {**DEFAULTS, **(values.get("expert_draw") or {})}
    trial = values.get("trial_run") or {}
    return DrawSettings(
        confirm_hours=int(own["confirm_hours"]),
        backups=int(own["backups"]),
        rotation_window_days=int(own["rotation_window_days"]),
        rotation_penalty_percent=int(own["rotation_penalty_percent"]),
        rotation_floor_percent=int(own["rotation_floor_percent"]),
        trial_start=_day(trial.get("start")),
        trial_end=_day(trial.get("end")),
        trial_draw_type=trial.get("expert_draw_type"),
    )
