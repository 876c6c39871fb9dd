"""Deadline arithmetic on a window of the calendar (pure; the service loads the window).

Rules (RULES.md, Civil Code arts. 201-203): the start day is not counted; "N working days" ends
on the N-th working day after the start; "N calendar days" ends N days after the start, and when
that day is not a working day the period ends on the next working day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from gpcloud.core.errors import DomainError

HOLIDAY, WORKDAY = "holiday", "workday"
REGULATION = "national holidays regulation (2025 revision)"
UNITS = {"wd": "working days", "d": "calendar days"}
ONE_DAY = timedelta(days=1)


class CalendarYearMissing(DomainError):
    def __init__(self, year: int):
        super().__init__(
            "CALENDAR_YEAR_MISSING",
            f"the working-day calendar has no {year} and the holidays regulation in force does "
            "not fix it: a provincial admin imports the year",
        )
        self.year = year


@dataclass(frozen=True)
class SpecialDay:
    day: date
    kind: str  # holiday | workday
    name: str


@dataclass(frozen=True)
class Window:
    """The calendar between `first` and `last`: covered years and the dates that deviate.
    `provisional`: the covered years whose holidays are the regulation's, not yet the notice's."""

    first: date
    last: date
    years: frozenset[int]
    special: dict[date, tuple[str, str]]  # date -> (kind, name)
    provisional: frozenset[int] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if not self.first <= day <= self.last:
            raise LookupError(day)  # the service loads a larger window and retries
        if day.year not in self.years:
            raise CalendarYearMissing(day.year)
        kind = self.special.get(day)
        if kind is not None:
            return kind[0] == WORKDAY
        return day.weekday() < 5


@dataclass(frozen=True)
class Deadline:
    """A computed due date and how it was computed, step by step, for anyone who asks why."""

    start: date
    amount: int
    unit: str
    due: date
    steps: tuple[str, ...] = field(default=())
    # Computed on a year not yet published: may move when the official year is loaded.
    provisional: bool = False


def _skipped(window: Window, days: list[date]) -> list[str]:
    by_name: dict[str, list[date]] = defaultdict(list)
    weekends = 0
    for day in days:
        special = window.special.get(day)
        if special:
            by_name[special[1] or "holiday"].append(day)
        else:
            weekends += 1
    lines = [
        f"{name}: {ds[0]}" + (f" to {ds[-1]}" if len(ds) > 1 else "") + " not counted"
        for name, ds in by_name.items()
    ]
    if weekends:
        lines.append(f"{weekends} weekend day{'s' if weekends > 1 else ''} not counted")
    return lines


def add_working_days(window: Window, start: date, amount: int) -> Deadline:
    steps = [f"start {start} is not counted"]
    day, counted, skipped, made_up = start, 0, [], []
    while counted < amount:
        day += ONE_DAY
        if window.is_working_day(day):
            counted += 1
            if day in window.special:
                made_up.append(day)
        else:
            skipped.append(day)
    steps += _skipped(window, skipped)
    steps += [f"{d} is a make-up working day ({window.special[d][1]}): counted" for d in made_up]
    steps.append(f"{amount} working days end on {day}")
    return _finish(window, Deadline(start, amount, "wd", day, tuple(steps)), start + ONE_DAY)


def add_calendar_days(window: Window, start: date, amount: int) -> Deadline:
    end = start + timedelta(days=amount)
    steps = [f"start {start} is not counted", f"{amount} calendar days end on {end}"]
    due, moved = end, []
    while not window.is_working_day(due):
        moved.append(due)
        due += ONE_DAY
    if moved:
        steps += _skipped(window, moved)
        steps.append(f"{end} is not a working day: the period ends on the next one, {due}")
    return _finish(window, Deadline(start, amount, "d", due, tuple(steps)), end)


def _finish(window: Window, deadline: Deadline, first_counted: date) -> Deadline:
    """Mark a deadline provisional when a day it depends on lies in a provisional year."""
    years = sorted(
        y for y in range(first_counted.year, deadline.due.year + 1) if y in window.provisional
    )
    if not years:
        return deadline
    named = ", ".join(map(str, years))
    step = (
        f"provisional: {named} not yet published by the State Council; its statutory holidays "
        f"are those of the {REGULATION}, its bridging days and make-up working days unknown: "
        "recomputed when the official year is loaded"
    )
    return replace(deadline, steps=(*deadline.steps, step), provisional=True)
