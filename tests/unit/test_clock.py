"""The suite runs on a pinned day, whatever the machine's clock says (tests/conftest.py)."""

import os
from datetime import UTC, date, datetime

import pytest
import time_machine

from gpcloud.core import clock
from tests.conftest import TEST_DAY


def test_today_is_the_pinned_day():
    assert clock.today() == TEST_DAY


@pytest.mark.day(date(2027, 3, 1))
def test_a_mark_moves_one_test():
    assert clock.today() == date(2027, 3, 1)
    with clock.on_day(date(2027, 3, 2)):
        assert clock.today() == date(2027, 3, 2)
    assert clock.today() == date(2027, 3, 1)


def test_the_real_clock_is_shifted_when_ci_asks():
    """CI's year-ahead run really moves the clock the code sees (else it would prove nothing)."""
    days = int(os.environ.get("GPCLOUD_TEST_CLOCK_SHIFT_DAYS", "0"))
    assert time_machine.escape_hatch.is_travelling() == bool(days)
    if days:
        real = time_machine.escape_hatch.datetime.datetime.now(UTC)
        assert abs((datetime.now(UTC) - real).total_seconds() / 86400 - days) < 0.01
