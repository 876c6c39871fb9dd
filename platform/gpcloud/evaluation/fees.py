"""The Guangdong fee standard for evaluation experts, as a pure function of an expert's
attendance and outcome. The numbers are the rule set `expert_fees` (config/rules), read for the
day the evaluation started; none is written here.

RULES.md summarises the standard (Guangdong Caicaigou [2020] 17; text not in shared/domain/law,
so unverified): "<= 2 h: 400 yuan; +100/h to 8 h; +150/h beyond; later days 100/h; 200 when
recused or cancelled". The reading taken here (docs/evaluation.md, "Expert fees"):

- A day is the legal (Beijing) date a sitting starts on: a sitting that runs past midnight
  counts whole to the day it started (one continuous sitting is not cut into a cheaper later
  day). Overlapping sittings are counted once.
- Per day the minutes are summed and then rounded to hours once: a started hour counts whole
  once its part reaches `expert_fee_part_hour_counts_from` (0: any part, 不足1小时按1小时计;
  unverified reading). Exactly 2 h is 2 h; 2 h and one second is 3 h.
- The first day: the base for up to the base hours, +hourly to the long day's hours, +the
  higher rate beyond. Every later day: its hours at the later-day rate, without base.
- Recused (after confirming) or cancelled: the flat fee, whatever the attendance.

Amounts are integer fen inside, Decimal yuan at the edges (core/money)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from gpcloud.core.clock import LEGAL_TZ
from gpcloud.core.errors import DomainError
from gpcloud.core.money import to_fen, to_yuan

SAT = "sat"
RECUSED = "recused"
CANCELLED = "cancelled"
OUTCOMES = (SAT, RECUSED, CANCELLED)
HOUR = 3600
KEYS = (
    "expert_fee_base",
    "expert_fee_base_hours",
    "expert_fee_hourly",
    "expert_fee_long_day_hours",
    "expert_fee_hourly_beyond",
    "expert_fee_later_day_hourly",
    "expert_fee_recused_or_cancelled",
    "expert_fee_part_hour_counts_from",
)

Sitting = tuple[datetime, datetime]


@dataclass(frozen=True)
class FeeStandard:
    base_fen: int
    base_hours: int
    hourly_fen: int
    long_day_hours: int
    hourly_beyond_fen: int
    later_day_hourly_fen: int
    flat_fen: int
    part_hour_counts_from: Decimal  # of an hour, 0 to 1
    described: tuple[str, ...] = ()  # each rule as used, for the statement's record

    @classmethod
    def of(cls, rules: Mapping) -> FeeStandard:
        """From the effective rules of a date (core.rules.service.effective_rules); NO_FEE_STANDARD
        before the first version of the set."""
        missing = [k for k in KEYS if k not in rules]
        if missing:
            raise DomainError(
                "NO_FEE_STANDARD", "no expert fee standard was in force on that day", "committeeId"
            )

        def fen(key: str) -> int:
            return to_fen(Decimal(rules[key].value), key)

        def hours(key: str) -> int:
            value = Decimal(rules[key].value)
            if value != value.to_integral_value():
                raise DomainError("INVALID_FEE_STANDARD", f"{key} is whole hours", key)
            return int(value)

        part = Decimal(rules["expert_fee_part_hour_counts_from"].value)
        if not 0 <= part <= 1:
            raise DomainError("INVALID_FEE_STANDARD", "a part of an hour, 0 to 1", "part_hour")
        return cls(
            base_fen=fen("expert_fee_base"),
            base_hours=hours("expert_fee_base_hours"),
            hourly_fen=fen("expert_fee_hourly"),
            long_day_hours=hours("expert_fee_long_day_hours"),
            hourly_beyond_fen=fen("expert_fee_hourly_beyond"),
            later_day_hourly_fen=fen("expert_fee_later_day_hourly"),
            flat_fen=fen("expert_fee_recused_or_cancelled"),
            part_hour_counts_from=part,
            described=tuple(rules[k].describe() for k in KEYS),
        )


@dataclass(frozen=True)
class DayFee:
    day: date
    seconds: int  # attended, overlaps counted once
    hours: int  # billed, after rounding
    fen: int
    first: bool


@dataclass(frozen=True)
class Fee:
    outcome: str
    fen: int
    days: tuple[DayFee, ...] = ()

    @property
    def yuan(self) -> Decimal:
        return to_yuan(self.fen)


def billed_hours(seconds: int, standard: FeeStandard) -> int:
    """Whole hours of a day's attendance: a part hour counts once it reaches the standard's
    share of an hour (any part when that share is 0)."""
    whole, part = divmod(seconds, HOUR)
    if part > 0 and part >= standard.part_hour_counts_from * HOUR:
        whole += 1
    return whole


def first_day_fen(hours: int, standard: FeeStandard) -> int:
    if hours <= 0:
        return 0
    fen = standard.base_fen
    if hours > standard.base_hours:
        fen += standard.hourly_fen * (min(hours, standard.long_day_hours) - standard.base_hours)
    if hours > standard.long_day_hours:
        fen += standard.hourly_beyond_fen * (hours - standard.long_day_hours)
    return fen


def _merged(sittings: Iterable[Sitting]) -> list[Sitting]:
    checked = []
    for start, end in sittings:
        if start.tzinfo is None or end.tzinfo is None:
            raise DomainError("INVALID_ATTENDANCE", "sittings carry a time zone", "attendance")
        if end <= start:
            raise DomainError("INVALID_ATTENDANCE", "a sitting ends after it starts", "attendance")
        checked.append((start, end))
    merged: list[Sitting] = []
    for start, end in sorted(checked):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def days_of(sittings: Iterable[Sitting]) -> dict[date, int]:
    """Seconds attended per legal day a sitting started on (overlaps once), in day order."""
    found: dict[date, int] = {}
    for start, end in _merged(sittings):
        day = start.astimezone(LEGAL_TZ).date()
        found[day] = found.get(day, 0) + int((end - start).total_seconds())
    return dict(sorted(found.items()))


def expert_fee(standard: FeeStandard, outcome: str, sittings: Iterable[Sitting] = ()) -> Fee:
    """One expert's fee for one evaluation."""
    if outcome not in OUTCOMES:
        raise DomainError("INVALID_OUTCOME", f"one of {', '.join(OUTCOMES)}", "outcome")
    if outcome != SAT:
        return Fee(outcome, standard.flat_fen)
    days = []
    for index, (day, seconds) in enumerate(days_of(sittings).items()):
        hours = billed_hours(seconds, standard)
        fen = (
            first_day_fen(hours, standard) if index == 0 else standard.later_day_hourly_fen * hours
        )
        days.append(DayFee(day, seconds, hours, fen, index == 0))
    return Fee(outcome, sum(d.fen for d in days), tuple(days))
