"""Provisional years: the national holidays regulation's days, computed with lunar-python, checked
against chinesecalendar's published years; deadlines on them say they are provisional."""

from datetime import date

import chinese_calendar
import pytest

from gpcloud.core.calendar import provisional
from gpcloud.core.calendar.days import CalendarYearMissing, Window, add_working_days


def official(year: int) -> set[date]:
    return {d for d in chinese_calendar.holidays if d.year == year}


def statutory_in_the_official_table(year: int) -> set[date]:
    """The weekdays the State Council's table gives off that are not bridging days: the
    statutory holidays and the days they are made up on."""
    return {d for d in official(year) if d.weekday() < 5 and d not in chinese_calendar.in_lieu_days}


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_provisional_year_has_every_statutory_day_of_the_published_one(year):
    computed = {d.day for d in provisional.holidays(year)}
    assert statutory_in_the_official_table(year) <= computed
    assert computed <= official(year)  # and nothing the table does not give off


def test_2026_as_the_regulation_fixes_it():
    days = {d.day: d.name for d in provisional.holidays(2026)}
    assert [d for d, n in days.items() if n == "Spring Festival"] == [
        date(2026, 2, 16),  # New Year's Eve
        date(2026, 2, 17),
        date(2026, 2, 18),
        date(2026, 2, 19),
    ]
    assert days[date(2026, 4, 5)] == "Tomb-sweeping Day"  # a Sunday...
    assert days[date(2026, 4, 6)] == "Tomb-sweeping Day (made up)"  # ...made up on Monday
    assert days[date(2026, 5, 4)] == "Labour Day (made up)"  # for Saturday 2 May
    assert days[date(2026, 10, 5)] == "National Day (made up)"  # for Saturday 3 October
    assert sum("made up" not in n for n in days.values()) == 13


def test_lunar_dates_and_qingming_match_every_published_year_since_2008():
    """The days lunar-python gives (the 1st of the first lunar month, the Qingming solar term,
    the Dragon Boat and Mid-autumn festivals) are days off in chinesecalendar's tables, under
    their own name, or National Day's where Mid-autumn fell on it (2009, 2020)."""
    lunar = {"Spring Festival": 1, "Tomb-sweeping Day": 0, "Dragon Boat Festival": 0}
    lunar["Mid-autumn Festival"] = 0
    for year in range(2008, 2027):
        for name, days in provisional.festivals(year):
            if name not in lunar:
                continue
            day = days[lunar[name]]
            listed = chinese_calendar.holidays.get(day)
            assert chinese_calendar.is_holiday(day), (year, name, day)
            national_day = day.month == 10 and day.day <= 3
            assert listed in (None, name) or national_day, (year, name, day, listed)


def test_every_year_the_regulation_reaches_has_its_thirteen_days_and_their_make_ups():
    for year in range(provisional.FIRST_YEAR, provisional.LAST_YEAR + 1):
        days = {d.day: d.name for d in provisional.holidays(year)}
        for name, statutory in provisional.festivals(year):
            assert all(d in days for d in statutory), (year, name)
        owed = sum(
            d.weekday() >= 5 for _, statutory in provisional.festivals(year) for d in statutory
        )
        made_up = [d for d, n in days.items() if "made up" in n]
        assert all(d.weekday() < 5 for d in made_up)
        assert len(made_up) >= owed, year
    with pytest.raises(ValueError):
        provisional.holidays(2024)


def test_a_deadline_reaching_into_a_provisional_year_says_so():
    special = {d.day: (d.kind, d.name) for d in provisional.holidays(2027)}
    window = Window(
        date(2026, 12, 1), date(2027, 3, 1), frozenset({2026, 2027}), special, frozenset({2027})
    )
    inside = add_working_days(window, date(2026, 12, 1), 5)
    assert not inside.provisional and not any("provisional" in s for s in inside.steps)
    across = add_working_days(window, date(2026, 12, 30), 2)
    assert across.due == date(2027, 1, 4) and across.provisional
    assert across.steps[-1].startswith("provisional: 2027 not yet published by the State Council")
    assert "New Year's Day: 2027-01-01 not counted" in across.steps


def test_a_year_the_regulation_does_not_reach_is_still_refused():
    window = Window(date(2023, 12, 1), date(2024, 3, 1), frozenset({2023}), {})
    with pytest.raises(CalendarYearMissing):
        add_working_days(window, date(2023, 12, 29), 3)  # 2024: before the 2025 revision
