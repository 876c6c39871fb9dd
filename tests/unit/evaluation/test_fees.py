"""The Guangdong expert fee standard (evaluation/fees.py) over the shipped rule set: the base,
its boundaries at 2 h and 8 h, part hours, sittings past midnight, later days, overlaps, the flat
fee for a recusal or a cancelled evaluation, and bad input."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from gpcloud.core.clock import LEGAL_TZ
from gpcloud.core.errors import DomainError
from gpcloud.core.rules.service import effective_rules
from gpcloud.evaluation import fees

DAY = date(2026, 10, 13)
STANDARD = fees.FeeStandard.of(effective_rules(None, DAY))


def at(hour: int, minute: int = 0, second: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LEGAL_TZ) + timedelta(
        hours=hour, minutes=minute, seconds=second
    )


def sat(*sittings) -> Decimal:
    return fees.expert_fee(STANDARD, fees.SAT, sittings).yuan


def test_the_standard_comes_from_the_rule_set_in_force():
    assert STANDARD.base_fen == 40000 and STANDARD.base_hours == 2
    assert STANDARD.hourly_fen == 10000 and STANDARD.long_day_hours == 8
    assert STANDARD.hourly_beyond_fen == 15000 and STANDARD.later_day_hourly_fen == 10000
    assert STANDARD.flat_fen == 20000 and STANDARD.part_hour_counts_from == 0
    assert all("[unverified]" in text for text in STANDARD.described)
    with pytest.raises(DomainError) as refused:
        fees.FeeStandard.of(effective_rules(None, date(2019, 12, 31)))
    assert refused.value.code == "NO_FEE_STANDARD"


@pytest.mark.parametrize(
    ("minutes", "yuan"),
    [
        (1, "400.00"),
        (60, "400.00"),
        (120, "400.00"),  # exactly 2 h: the base
        (121, "500.00"),  # a started third hour counts whole
        (180, "500.00"),
        (181, "600.00"),
        (420, "900.00"),
        (479, "1000.00"),
        (480, "1000.00"),  # exactly 8 h: 400 + 6 x 100
        (481, "1150.00"),  # the ninth hour at 150
        (540, "1150.00"),
        (600, "1300.00"),
    ],
)
def test_first_day_boundaries(minutes, yuan):
    assert sat((at(9), at(9) + timedelta(minutes=minutes))) == Decimal(yuan)


def test_one_second_over_two_hours_is_a_third_hour():
    assert sat((at(9), at(11))) == Decimal("400.00")
    assert sat((at(9), at(11, 0, 1))) == Decimal("500.00")


def test_a_part_hour_threshold_drops_short_parts():
    half = replace(STANDARD, part_hour_counts_from=Decimal("0.5"))
    assert fees.billed_hours(2 * 3600 + 29 * 60, half) == 2
    assert fees.billed_hours(2 * 3600 + 30 * 60, half) == 3
    assert fees.billed_hours(2 * 3600 + 29 * 60, STANDARD) == 3
    assert fees.billed_hours(0, STANDARD) == 0


def test_a_sitting_past_midnight_counts_to_the_day_it_started():
    fee = fees.expert_fee(STANDARD, fees.SAT, [(at(19), at(26))])  # 19:00 to 02:00 next day
    assert [(d.day, d.hours, d.first) for d in fee.days] == [(DAY, 7, True)]
    assert fee.yuan == Decimal("900.00")
    # the same 7 h cut at midnight by the caller are two days: 5 h first, 2 h later
    cut = fees.expert_fee(STANDARD, fees.SAT, [(at(19), at(24)), (at(24), at(26))])
    assert [(d.hours, d.fen) for d in cut.days] == [(7, 90000)]  # touching sittings merge
    split = fees.expert_fee(STANDARD, fees.SAT, [(at(19), at(23, 59)), (at(24), at(26))])
    assert [(d.day, d.hours, d.fen) for d in split.days] == [
        (DAY, 5, 70000),
        (DAY + timedelta(days=1), 2, 20000),
    ]


def test_later_days_at_the_later_rate_without_base():
    second, third = DAY + timedelta(days=1), DAY + timedelta(days=2)
    fee = fees.expert_fee(
        STANDARD,
        fees.SAT,
        [
            (at(9, day=third), at(10, 30, day=third)),  # order does not matter
            (at(9), at(12)),
            (at(14), at(18)),  # first day: 3 h + 4 h = 7 h -> 900
            (at(9, day=second), at(19, day=second)),  # 10 h, no 150 rate on a later day
        ],
    )
    assert [(d.day, d.hours, d.fen, d.first) for d in fee.days] == [
        (DAY, 7, 90000, True),
        (second, 10, 100000, False),
        (third, 2, 20000, False),
    ]
    assert fee.yuan == Decimal("2100.00") and fee.fen == 210000


def test_a_days_parts_are_summed_before_rounding():
    # 1 h 10 min + 1 h 10 min = 2 h 20 min -> 3 h, not 2 h + 2 h
    assert sat((at(9), at(10, 10)), (at(14), at(15, 10))) == Decimal("500.00")


def test_overlapping_sittings_count_once():
    assert sat((at(9), at(12)), (at(10), at(11)), (at(11, 30), at(13))) == Decimal("600.00")


def test_recused_or_cancelled_is_the_flat_fee_whatever_the_attendance():
    for outcome in (fees.RECUSED, fees.CANCELLED):
        fee = fees.expert_fee(STANDARD, outcome, [(at(9), at(20))])
        assert fee.yuan == Decimal("200.00") and fee.days == ()


def test_no_attendance_is_no_fee():
    assert fees.expert_fee(STANDARD, fees.SAT, []).fen == 0


@pytest.mark.parametrize(
    ("outcome", "sittings", "code"),
    [
        ("absent", [], "INVALID_OUTCOME"),
        (fees.SAT, [(at(10), at(9))], "INVALID_ATTENDANCE"),
        (fees.SAT, [(at(10), at(10))], "INVALID_ATTENDANCE"),
        (fees.SAT, [(datetime(2026, 10, 13, 9), datetime(2026, 10, 13, 10))], "INVALID_ATTENDANCE"),
    ],
)
def test_bad_input_is_refused(outcome, sittings, code):
    with pytest.raises(DomainError) as refused:
        fees.expert_fee(STANDARD, outcome, sittings)
    assert refused.value.code == code


def test_days_follow_beijing_time_not_utc():
    # 2026-10-13 23:30 UTC is 14 Oct 07:30 in Beijing
    start = datetime(2026, 10, 13, 23, 30, tzinfo=LEGAL_TZ).astimezone(LEGAL_TZ)
    utc = datetime.fromisoformat("2026-10-13T23:30:00+00:00")
    assert list(fees.days_of([(utc, utc + timedelta(hours=1))])) == [date(2026, 10, 14)]
    assert list(fees.days_of([(start, start + timedelta(hours=1))])) == [DAY]
