"""Red flags as cardinal-rs defines them, on hand-made processes and on an OCDS file."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from gpcloud.analytics import flags as red
from gpcloud.analytics.catalogue import concentration
from gpcloud.analytics.ocds import flag_file
from gpcloud.core.errors import DomainError

V, D = red.VALID, red.DISQUALIFIED
DEADLINE = datetime(2026, 3, 15, 9, tzinfo=UTC)


def proc(bids, winners=("A",), method="open_tender", **more) -> red.Process:
    return red.Process(
        key="p",
        method=method,
        bids=tuple(red.Bid(s, p, DEADLINE, st) for s, p, st in bids),
        winners=winners,
        **more,
    )


def codes(p: red.Process) -> set[str]:
    return {f.code for f in red.raise_flags(p)}


def test_a_clean_competitive_process_raises_nothing():
    assert codes(proc([("A", 100_00, V), ("B", 110_00, V), ("C", 120_00, V)])) == set()


def test_single_bid_only_in_competitive_methods():
    assert codes(proc([("A", 100_00, V)])) == {"R018"}
    assert codes(proc([("A", 100_00, V)], method="single_source")) == set()


def test_short_bidding_period_against_the_statutory_minimum():
    short = proc(
        [("A", 1, V), ("B", 2, V)],
        tender_start=date(2026, 3, 1),
        tender_end=date(2026, 3, 11),
        bid_period_min=20,
    )
    flag = next(f for f in red.raise_flags(short) if f.code == "R003")
    assert flag.value == "10" and "20" in flag.explanation
    ok = proc(
        [("A", 100, V), ("B", 200, V)],
        tender_start=date(2026, 3, 1),
        tender_end=date(2026, 3, 21),
        bid_period_min=20,
    )
    assert "R003" not in codes(ok)


def test_price_close_to_winner_and_heavily_discounted_winner():
    assert red.difference(proc([("A", 100_000, V), ("B", 100_500, V)])) == Decimal("0.0050")
    assert "R024" in codes(proc([("A", 100_000, V), ("B", 100_500, V)]))
    assert "R058" in codes(proc([("A", 100_000, V), ("B", 160_000, V)]))
    # Excluded when the winner's bid is not the lowest, or several suppliers won.
    assert red.difference(proc([("A", 100_500, V), ("B", 100_000, V)])) is None
    assert red.difference(proc([("A", 1, V), ("B", 2, V)], winners=("A", "B"))) is None


def test_identical_prices_and_a_late_winning_bid():
    assert "R028" in codes(proc([("A", 100, V), ("B", 100, V), ("C", 130, V)]))
    late = red.Process(
        key="p",
        method="open_tender",
        deadline_at=DEADLINE,
        bids=(
            red.Bid("A", 100, datetime(2026, 4, 1, tzinfo=UTC), V),
            red.Bid("B", 130, DEADLINE, V),
        ),
        winners=("A",),
    )
    assert "R030" in codes(late)


def test_disqualification_flags():
    all_but = proc([("A", 120, V), ("B", 100, D), ("C", 110, D)])
    assert {"R035", "R036"} <= codes(all_but)
    assert "R036" not in codes(proc([("A", 100, V), ("B", 110, D)]))
    buyers = [
        red.Process(
            key=f"{b}{i}",
            method="open",
            buyer=b,
            bids=tuple(red.Bid(s, 1, None, D if (b == "X" and s != "A") else V) for s in "ABCD"),
        )
        for b in "STUVWXYZ"
        for i in range(2)
    ]
    assert set(red.r038(buyers)) == {"X"}


def test_concentration():
    assert concentration([100]) == {
        "top_supplier_share": Decimal("1.0000"),
        "hhi": Decimal("10000.00"),
    }
    even = concentration([1] * 10)
    assert even["hhi"] == Decimal("1000.00") and even["top_supplier_share"] == Decimal("0.5000")


def _release(ocid, bids, winner, start="2026-03-01", end="2026-03-20", buyer="B1"):
    return {
        "ocid": ocid,
        "buyer": {"id": buyer},
        "tender": {
            "procurementMethod": "open",
            "tenderPeriod": {"startDate": start, "endDate": f"{end}T09:00:00Z"},
        },
        "bids": {
            "details": [
                {
                    "tenderers": [{"id": s}],
                    "value": {"amount": a},
                    "status": st,
                    "date": "2026-03-10T00:00:00Z",
                }
                for s, a, st in bids
            ]
        },
        "awards": [{"status": "active", "suppliers": [{"id": winner}]}],
    }


def test_an_ocds_file_gets_the_same_flags():
    package = {
        "releases": [
            _release("ocds-1", [("A", 100, "valid")], "A"),
            _release("ocds-2", [("A", 100, "valid"), ("B", 100, "valid")], "A"),
            _release("ocds-3", [("A", 100, "valid"), ("B", 90, "disqualified")], "A"),
            _release(
                "ocds-4",
                [("A", 100, "valid"), ("B", 130, "valid")],
                "A",
                start="2026-03-01",
                end="2026-03-05",
            ),
        ]
    }
    found = {(subject, f.code) for subject, f in flag_file(json.dumps(package).encode())}
    assert {
        ("ocds-1", "R018"),
        ("ocds-2", "R028"),
        ("ocds-3", "R035"),
        ("ocds-3", "R036"),
        ("ocds-4", "R003"),
    } <= found
    lines = "\n".join(json.dumps(r) for r in package["releases"]).encode()
    assert {(s, f.code) for s, f in flag_file(lines)} == found


@pytest.mark.parametrize("data", [b"\xff\xfe", b"{not json", b"[1, 2]"])
def test_a_file_that_is_not_ocds_is_refused(data):
    with pytest.raises(DomainError) as caught:
        flag_file(data)
    assert caught.value.code == "INVALID_OCDS"


def test_a_buyers_excessive_disqualifications_need_two_processes_and_the_threshold():
    flag = red.r038_buyer("兴宁市第一中学", processes=2, disqualified=3, bids=6)
    assert flag is not None and flag.value == "0.5000" and "兴宁市第一中学" in flag.explanation
    assert red.r038_buyer("兴宁市第一中学", processes=1, disqualified=5, bids=6) is None
    assert red.r038_buyer("兴宁市第一中学", processes=4, disqualified=2, bids=6) is None
    assert red.r038_buyer("兴宁市第一中学", processes=4, disqualified=0, bids=0) is None


def test_lowest_bid_disqualified_and_all_but_the_winner_disqualified():
    assert "R036" in codes(proc([("A", 100_00, V), ("B", 90_00, D)]))
    assert "R036" not in codes(proc([("A", 100_00, V), ("B", 120_00, D)]))
    assert "R035" in codes(proc([("A", 100_00, V), ("B", None, D), ("C", None, D)]))
    assert "R035" not in codes(proc([("A", 100_00, V), ("B", None, D), ("C", 120_00, V)]))
