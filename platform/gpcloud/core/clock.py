"""The platform's one clock. Legal dates are Asia/Shanghai dates; instants are aware UTC.

Every deadline, state change and validity check reads `today()`; tests pin it (one fixture in
tests/conftest.py) so that no result depends on the day the suite runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LEGAL_TZ = ZoneInfo("Asia/Shanghai")

_pinned: ContextVar[date | None] = ContextVar("gpcloud_pinned_day", default=None)
_process_day: date | None = None


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """The legal date (Asia/Shanghai), unless a day is pinned."""
    return _pinned.get() or _process_day or datetime.now(LEGAL_TZ).date()


def end_of(day: date) -> datetime:
    """The instant a legal day ends (midnight after it in Asia/Shanghai): a period whose last day
    is `day` is over from then."""
    return datetime.combine(day + timedelta(days=1), time(0), LEGAL_TZ)


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), LEGAL_TZ)


def pin_process(day: date | None) -> None:
    """Pin today() for the whole process (every task and thread): the test harness runs the
    suite on one fixed day. None unpins."""
    global _process_day
    _process_day = day


@contextmanager
def on_day(day: date) -> Iterator[None]:
    """Pin today() for a block: the closed-loop walk (docs/closed_loop.py) steps through weeks of
    one procurement in one run, and the tests run on one fixed day. Production code never calls
    it."""
    token = _pinned.set(day)
    try:
        yield
    finally:
        _pinned.reset(token)
