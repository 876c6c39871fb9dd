"""Deadline arithmetic on a calendar window (pure): the Civil Code counting rules."""

from datetime import date

import pytest

from gpcloud.core.calendar.days import (
    CalendarYearMissing,
    Window,
    add_calendar_days,
    add_working_days,
)

# 2026 as the State Council published it, the part these tests walk through.
NATIONAL_DAY = {date(2026, 10, d): ("holiday", "National Day") for d in range(1, 8)}
SPECIAL = {
    **NATIONAL_DAY,
    date(2026, 9, 20): ("workday", "National Day"),  # a Sunday worked
    date(2026, 10, 10): ("workday", "National Day"),  # a Saturday worked
}
WINDOW = Window(date(2026, 9, 1), date(2026, 12, 31), frozenset({2026}), SPECIAL)


def test_start_day_is_not_counted():
    assert add_working_days(WINDOW, date(2026, 9, 28), 1).due == date(2026, 9, 29)
    assert add_calendar_days(WINDOW, date(2026, 9, 1), 1).due == date(2026, 9, 2)


def test_working_days_skip_holidays_and_count_made_up_weekends():
    deadline = add_working_days(WINDOW, date(2026, 9, 28), 5)
    # 29, 30 Sep; 1-7 Oct holiday; 8, 9 Oct; Saturday 10 Oct is worked.
    assert deadline.due == date(2026, 10, 10)
    assert "National Day: 2026-10-01 to 2026-10-07 not counted" in deadline.steps
    assert any("2026-10-10 is a make-up working day" in s for s in deadline.steps)


def test_weekends_are_not_working_days():
    deadline = add_working_days(WINDOW, date(2026, 11, 20), 1)  # a Friday
    assert deadline.due == date(2026, 11, 23)
    assert "2 weekend days not counted" in deadline.steps


def test_a_made_up_sunday_counts():
    assert add_working_days(WINDOW, date(2026, 9, 19), 1).due == date(2026, 9, 20)


def test_calendar_period_ending_on_a_holiday_moves_to_the_next_working_day():
    deadline = add_calendar_days(WINDOW, date(2026, 9, 21), 10)  # ends 1 Oct
    assert deadline.due == date(2026, 10, 8)
    assert deadline.steps[-1] == (
        "2026-10-01 is not a working day: the period ends on the next one, 2026-10-08"
    )


def test_calendar_period_ending_on_a_made_up_working_day_stays():
    assert add_calendar_days(WINDOW, date(2026, 9, 20), 20).due == date(2026, 10, 10)


def test_a_year_the_window_does_not_cover_is_refused():
    window = Window(date(2026, 12, 1), date(2027, 3, 1), frozenset({2026}), {})
    with pytest.raises(CalendarYearMissing) as exc:
        add_working_days(window, date(2026, 12, 25), 10)
    assert exc.value.code == "CALENDAR_YEAR_MISSING" and exc.value.year == 2027
    # Inside the covered year it still works.
    assert add_working_days(window, date(2026, 12, 21), 3).due == date(2026, 12, 24)


def test_leaving_the_window_asks_for_a_larger_one():
    with pytest.raises(LookupError):
        add_working_days(WINDOW, date(2026, 12, 20), 30)
