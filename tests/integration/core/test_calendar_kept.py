"""The years each process keeps of the calendar: an import is seen by the next deadline, and
what a rolled-back import wrote is not kept."""

from datetime import date

import pytest

from gpcloud.core.calendar import service
from gpcloud.core.calendar.days import HOLIDAY, SpecialDay
from gpcloud.core.db import transaction

START = date(2026, 11, 13)  # a Friday; five working days later is Friday 2026-11-20
EXTRA = SpecialDay(date(2026, 11, 16), HOLIDAY, "test holiday")  # test data, not a real one


async def with_extra_holiday() -> list[SpecialDay]:
    return [*(await service.year_days(2026)), EXTRA]


async def test_an_import_is_seen_by_the_next_deadline():
    assert (await service.deadline(START, 5, "wd")).due == date(2026, 11, 20)  # kept now
    await service.import_year(None, 2026, await with_extra_holiday())
    assert (await service.deadline(START, 5, "wd")).due == date(2026, 11, 23)


async def test_what_a_rolled_back_import_read_is_not_kept():
    assert (await service.deadline(START, 5, "wd")).due == date(2026, 11, 20)
    days = await with_extra_holiday()
    with pytest.raises(RuntimeError):
        async with transaction():
            await service.import_year(None, 2026, days)
            # the importing transaction sees its own year
            assert (await service.deadline(START, 5, "wd")).due == date(2026, 11, 23)
            raise RuntimeError("rolled back")
    assert (await service.deadline(START, 5, "wd")).due == date(2026, 11, 20)
