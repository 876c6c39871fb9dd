"""The calendar's data: seeding from `chinesecalendar`, importing a year (and recomputing the
open deadlines it moves), loading windows with provisional years filled in, and deadlines (the
only place that computes one).

The calendar changes a few times a year (an import), and a deadline is computed at nearly every
step of a procedure, so each process keeps the years it has read and uses them while the
calendar's epoch in Redis is unchanged; every write of a year bumps the epoch once its
transaction has committed (core/plugins/hooks.py keeps hook callers the same way). A
transaction that wrote the calendar reads around what is kept (it may still roll back)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from uuid import uuid4

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.calendar import provisional
from gpcloud.core.calendar.days import (
    HOLIDAY,
    WORKDAY,
    Deadline,
    SpecialDay,
    Window,
    add_calendar_days,
    add_working_days,
)
from gpcloud.core.calendar.recompute import MovedDeadline, recompute_open_deadlines
from gpcloud.core.calendar.tables import CalendarDay, CalendarYear
from gpcloud.core.db import (
    after_commit,
    in_transaction,
    serialize_writes,
    transaction,
    transaction_token,
)
from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.imports.reader import ImportFileError, read_rows
from gpcloud.core.redis import get_redis, key
from gpcloud.core.tenancy.scope import all_tenants

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_SPAN_DAYS = 3660  # no period the rules know is longer than this; guards huge inputs
EPOCH_KEY = ("calendar", "epoch")


@dataclass(frozen=True)
class _Year:
    official: bool  # the calendar_year table covers it
    special: dict[date, tuple[str, str]]  # its calendar_day rows: date -> (kind, name)


_kept: tuple[bytes | None, dict[int, _Year]] | None = None  # (epoch, years read)
_writer: ContextVar[object | None] = ContextVar("calendar_writer", default=None)


async def _epoch() -> bytes | None:
    return await get_redis().get(key(*EPOCH_KEY))


async def _bump_epoch() -> None:
    """A new random epoch, not a count: a Redis rebuilt empty, then bumped, never returns to an
    epoch a process kept years under."""
    await get_redis().set(key(*EPOCH_KEY), uuid4().hex)


async def _written() -> None:
    """The calendar's tables were just written: every process forgets the years it keeps, once
    the transaction has committed (at once outside one); until then this transaction reads
    around them."""
    if not in_transaction():
        await _bump_epoch()
        return
    token = transaction_token()
    if _writer.get() is not token:
        _writer.set(token)
        after_commit(_bump_epoch)


async def _load(wanted: list[int]) -> dict[int, _Year]:
    with all_tenants("calendar: one calendar for the province", audited=False):
        covered = await CalendarYear.select(CalendarYear.year).where(
            CalendarYear.year.is_in(wanted)
        )
        rows = await CalendarDay.select().where(
            (CalendarDay.day >= date(min(wanted), 1, 1))
            & (CalendarDay.day <= date(max(wanted), 12, 31))
        )
    official = {r["year"] for r in covered}
    special: dict[int, dict[date, tuple[str, str]]] = {y: {} for y in wanted}
    for r in rows:
        if r["day"].year in special:
            special[r["day"].year][r["day"]] = (r["kind"], r["name"])
    return {y: _Year(y in official, special[y]) for y in wanted}


async def _years(first: int, last: int) -> dict[int, _Year]:
    """The calendar's years `first` to `last`, from what this process keeps where it can."""
    global _kept
    wanted = list(range(first, last + 1))
    if in_transaction() and _writer.get() is transaction_token():
        return await _load(wanted)
    epoch = await _epoch()  # before reading: a write committed meanwhile bumps it again
    if _kept is None or _kept[0] != epoch:
        _kept = (epoch, {})
    kept = _kept[1]
    missing = [y for y in wanted if y not in kept]
    if missing:
        kept.update(await _load(missing))
    return {y: kept[y] for y in wanted}


@cache
def package_source() -> str:
    from importlib.metadata import version

    return f"chinesecalendar {version('chinesecalendar')}"


@cache
def package_years() -> dict[int, list[SpecialDay]]:
    """What the chinesecalendar package knows, by year (read once: the tests reseed often)."""
    import chinese_calendar

    years: dict[int, list[SpecialDay]] = {}
    for table, kind in ((chinese_calendar.holidays, HOLIDAY), (chinese_calendar.workdays, WORKDAY)):
        for day, name in table.items():
            years.setdefault(day.year, []).append(SpecialDay(day, kind, str(name)))
    return {year: sorted(days, key=lambda d: d.day) for year, days in sorted(years.items())}


async def delete_year(year: int) -> None:
    await CalendarDay.delete().where(
        (CalendarDay.day >= date(year, 1, 1)) & (CalendarDay.day <= date(year, 12, 31))
    )
    await CalendarYear.delete().where(CalendarYear.year == year)
    await _written()


async def _write_year(year: int, days: list[SpecialDay], source: str) -> None:
    await delete_year(year)
    if days:
        await CalendarDay.insert(*(CalendarDay(day=d.day, kind=d.kind, name=d.name) for d in days))
    await CalendarYear.insert(CalendarYear(year=year, source=source))


async def seed_calendar() -> list[int]:
    """Load every year the package covers that the table lacks (at migrate; idempotent).
    Years already present, seeded or imported, are left as they are."""
    with all_tenants("calendar: one calendar for the province", audited=False):
        present = {r["year"] for r in await CalendarYear.select(CalendarYear.year)}
        missing = {y: d for y, d in package_years().items() if y not in present}
        if not missing:
            return []
        source = package_source()
        async with transaction():
            await serialize_writes("calendar")
            for year, days in missing.items():
                await _write_year(year, days, source)
    return sorted(missing)


def _check_days(year: int, days: list[SpecialDay]) -> list[Problem]:
    problems = []
    if not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(Problem("INVALID_YEAR", f"a year from {FIRST_YEAR} to {LAST_YEAR}", "year"))
    if not any(d.kind == HOLIDAY for d in days):
        problems.append(Problem("EMPTY_YEAR", "a year has statutory holidays; none given", "days"))
    seen: set[date] = set()
    for i, d in enumerate(days):
        where = f"days[{i}]"
        if d.day.year != year:
            problems.append(Problem("WRONG_YEAR", f"{d.day} is not in {year}", where))
        if d.kind not in (HOLIDAY, WORKDAY):
            problems.append(Problem("INVALID_KIND", "kind is holiday or workday", where))
        elif d.kind == WORKDAY and d.day.weekday() < 5:
            problems.append(
                Problem(
                    "NOT_A_WEEKEND",
                    f"{d.day} is a weekday: only a weekend can be a make-up working day",
                    where,
                )
            )
        if d.day in seen:
            problems.append(Problem("DUPLICATE_DATE", f"{d.day} is given twice", where))
        seen.add(d.day)
        if len(d.name) > 64:
            problems.append(Problem("NAME_TOO_LONG", "a name of at most 64 characters", where))
    return problems


@dataclass(frozen=True)
class Imported:
    year: int
    source: str
    days: int
    moved: list[MovedDeadline]


@requires(Perm.CALENDAR_IMPORT)
async def import_year(actor: CurrentUser | None, year: int, days: list[SpecialDay]) -> Imported:
    """A provincial admin loads (or corrects) a year as the State Council published it.
    The year's previous entries are replaced whole; the change is audited; open deadlines that
    reach into the year are recomputed in the same transaction (recompute.py)."""
    problems = _check_days(year, days)
    if problems:
        raise DomainError.many(problems)
    days = sorted(days, key=lambda d: d.day)
    with all_tenants("calendar: one calendar for the province", audited=False):
        async with transaction():
            await serialize_writes("calendar")
            before = await year_days(year)
            source = f"import: {actor.username}" if actor else "import: cli"
            await _write_year(year, days, source)
            after = [(d.day, d.kind, d.name) for d in days]
            await audit.record(
                "calendar.import_year",
                "calendar_year",
                year,
                [(d.day, d.kind, d.name) for d in before] if before is not None else None,
                after,
                {
                    "holidays": sum(d.kind == HOLIDAY for d in days),
                    "workdays": len(days) - sum(d.kind == HOLIDAY for d in days),
                },
                tenant=actor.tenant if actor else "440000",
                actor=None if actor else "cli",
            )
            moved = await recompute_open_deadlines(year)
    return Imported(year, source, len(days), moved)


async def years() -> list[dict]:
    with all_tenants("calendar: one calendar for the province", audited=False):
        return await CalendarYear.select().order_by(CalendarYear.year)


async def year_days(year: int) -> list[SpecialDay] | None:
    """The year's special days, or None when the calendar does not cover the year."""
    with all_tenants("calendar: one calendar for the province", audited=False):
        if not await CalendarYear.exists().where(CalendarYear.year == year):
            return None
        rows = (
            await CalendarDay.select()
            .where((CalendarDay.day >= date(year, 1, 1)) & (CalendarDay.day <= date(year, 12, 31)))
            .order_by(CalendarDay.day)
        )
    return [SpecialDay(r["day"], r["kind"], r["name"]) for r in rows]


def provisional_days(year: int) -> list[SpecialDay] | None:
    """A year's holidays as the regulation fixes them, for a year without its official table
    (None where the regulation in force does not reach)."""
    return list(provisional.holidays(year)) if provisional.covers(year) else None


async def window(first: date, last: date) -> Window:
    """The calendar between two dates; years with no table get the regulation's holidays and
    are marked provisional."""
    years = await _years(first.year, last.year)
    official = {y for y, kept in years.items() if kept.official}
    special = {
        day: entry
        for kept in years.values()
        for day, entry in kept.special.items()
        if first <= day <= last
    }
    guessed = {
        y for y in range(first.year, last.year + 1) if y not in official and provisional.covers(y)
    }
    for year in guessed:
        special |= {d.day: (d.kind, d.name) for d in provisional.holidays(year)}
    return Window(first, last, frozenset(official | guessed), special, frozenset(guessed))


async def deadline(start: date, amount: int, unit: str) -> Deadline:
    """`amount` working days ("wd") or calendar days ("d") after `start`."""
    return (await deadlines([start], amount, unit))[start]


async def deadlines(starts: list[date], amount: int, unit: str) -> dict[date, Deadline]:
    """The same period from each of many start days, on one window of the calendar (a batch:
    the analytics read model checks thousands of publications against their limits)."""
    if not starts:
        return {}
    if unit not in ("wd", "d"):
        raise DomainError("INVALID_UNIT", "a period is in working days (wd) or days (d)", "unit")
    if not 0 <= amount <= MAX_SPAN_DAYS // 2:
        raise DomainError("INVALID_PERIOD", f"a period of 0 to {MAX_SPAN_DAYS // 2} days", "amount")
    first, last = min(starts), max(starts)
    span = amount * 2 + 40  # the longest holiday runs are 9 days; grow the window if needed
    compute = add_working_days if unit == "wd" else add_calendar_days
    while True:
        try:
            loaded = await window(first, last + timedelta(days=span))
            return {start: compute(loaded, start, amount) for start in set(starts)}
        except LookupError:
            if span >= MAX_SPAN_DAYS:
                raise
            span *= 2
        except OverflowError:
            raise DomainError(
                "DATE_OUT_OF_RANGE", f"a period from {last} would end after {date.max}", "start"
            ) from None


def read_year_file(path: Path) -> list[SpecialDay]:
    """A year as the State Council published it, typed up as CSV (UTF-8 or GBK) or XLSX with the
    columns date, kind, name; kind is holiday / workday (or 休 / 班)."""
    kinds = {"holiday": HOLIDAY, "休": HOLIDAY, "workday": WORKDAY, "班": WORKDAY}
    days, problems = [], []
    try:
        rows = list(read_rows(path))
    except ImportFileError as exc:
        raise DomainError(exc.code, str(exc), "file") from None
    if not rows or [c.lower() for c in rows[0][1][:3]] != ["date", "kind", "name"]:
        raise DomainError("BAD_HEADERS", "the first row is: date, kind, name", "file")
    for number, row in rows[1:]:
        cells = [*row, "", "", ""]
        try:
            day = date.fromisoformat(cells[0])
        except ValueError:
            problems.append(
                Problem("INVALID_DATE", f"row {number}: a date like 2027-01-01", "file")
            )
            continue
        kind = kinds.get(cells[1].lower())
        if kind is None:
            problems.append(Problem("INVALID_KIND", f"row {number}: holiday or workday", "file"))
            continue
        days.append(SpecialDay(day, kind, cells[2]))
    if problems:
        raise DomainError.many(problems)
    return days
