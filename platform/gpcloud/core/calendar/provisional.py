"""A year whose holiday notice the State Council has not published yet, as far as the law fixes
it: the national holidays regulation (全国年节及纪念日放假办法, 2025 revision).

Art. 2: New Year's Day (1 January), the Spring Festival (New Year's Eve and the 1st to 3rd of
the first lunar month), Tomb-sweeping Day (the day of the Qingming solar term), Labour Day
(1 and 2 May), the Dragon Boat Festival (5th of the fifth lunar month), the Mid-autumn Festival
(15th of the eighth lunar month) and National Day (1 to 3 October): 13 days.
Art. 6: a holiday falling on a Saturday or Sunday is made up on a working day. Which day the
notice picks is a convention; this takes the first weekday after the festival that is not off
already, as the notices do. (A holiday falling on another festival's, as Mid-autumn on National
Day in 2020, is made up the same way.)

What only the notice says, the bridging days and the weekends worked for them, is unknown: a
deadline that reaches into such a year is marked provisional and recomputed when the official
year is loaded. Lunar dates and the solar term come from lunar-python; the tests check them
against chinesecalendar's published years.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from lunar_python import Lunar, Solar

from gpcloud.core.calendar.days import HOLIDAY, SpecialDay

FIRST_YEAR, LAST_YEAR = 2025, 2100  # the revision's first year; lunar tables run further


def covers(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def _solar(day: Solar) -> date:
    return date(day.getYear(), day.getMonth(), day.getDay())


def _lunar(year: int, month: int, day: int) -> date:
    return _solar(Lunar.fromYmd(year, month, day).getSolar())


def festivals(year: int) -> list[tuple[str, list[date]]]:
    """Art. 2's holidays of `year`, festival by festival, in date order."""
    spring = _lunar(year, 1, 1)
    qingming = _solar(Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"])
    listed = [
        ("New Year's Day", [date(year, 1, 1)]),
        ("Spring Festival", [spring + timedelta(days=n) for n in range(-1, 3)]),
        ("Tomb-sweeping Day", [qingming]),
        ("Labour Day", [date(year, 5, 1), date(year, 5, 2)]),
        ("Dragon Boat Festival", [_lunar(year, 5, 5)]),
        ("Mid-autumn Festival", [_lunar(year, 8, 15)]),
        ("National Day", [date(year, 10, d) for d in (1, 2, 3)]),
    ]
    return sorted(listed, key=lambda festival: festival[1][0])


@cache
def holidays(year: int) -> tuple[SpecialDay, ...]:
    """The statutory holidays of `year` and the days art. 6 makes them up on."""
    if not covers(year):
        raise ValueError(f"the 2025 regulation does not fix the holidays of {year}")
    off: dict[date, str] = {}
    for name, days in festivals(year):
        owed = 0
        for day in days:
            if day.weekday() >= 5 or day in off:
                owed += 1
            off.setdefault(day, name)
        substitute = days[-1]
        while owed:
            substitute += timedelta(days=1)
            if substitute.weekday() < 5 and substitute not in off:
                off[substitute] = f"{name} (made up)"
                owed -= 1
    return tuple(
        SpecialDay(day, HOLIDAY, name) for day, name in sorted(off.items()) if day.year == year
    )
