"""The scoring engine, rule by rule, against numbers worked out by hand (in the comments)."""

from datetime import date
from decimal import Decimal as D

import pytest

from gpcloud.core.rules.sets import rules_on
from gpcloud.evaluation.scoring import evaluate
from gpcloud.evaluation.scoring_inputs import (
    Bid,
    Bounds,
    Criterion,
    Documents,
    Evaluation,
    ExpertScore,
    Method,
    Outcome,
    OutlierPolicy,
    ScoringError,
)

RULES_2026 = Bounds.from_rules(rules_on(date(2026, 9, 1)))
TECH, SERVICE = Criterion("tech", D(40)), Criterion("service", D(30))
COMPREHENSIVE = Documents(Method.COMPREHENSIVE, (TECH, SERVICE), price_weight=D(30))


def scores(table: dict[str, dict[str, tuple]]) -> tuple[ExpertScore, ...]:
    """{bid: {expert: (tech, service)}} -> the flat list experts submit."""
    return tuple(
        ExpertScore(expert, bid, key, D(points))
        for bid, by_expert in table.items()
        for expert, marks in by_expert.items()
        for key, points in zip(("tech", "service"), marks, strict=True)
    )


def flat(bids: dict[str, int], total: tuple = (25, 20)) -> tuple[ExpertScore, ...]:
    return scores({b: {"e1": total, "e2": total, "e3": total} for b in bids})


def bids(**prices) -> tuple[Bid, ...]:
    return tuple(Bid(name, D(price)) for name, price in prices.items())


def test_comprehensive_scoring_by_hand():
    # price scores: lowest 80,000; A 80/100*30 = 24.00, B 30.00, C 80/90*30 = 26.666.. = 26.67
    # technical: A (60+60+54)/3 = 58, B 50, C (64+60+62)/3 = 62
    result = evaluate(
        Evaluation(
            COMPREHENSIVE,
            bids(A=100000, B=80000, C=90000),
            scores(
                {
                    "A": {"e1": (35, 25), "e2": (33, 27), "e3": (30, 24)},
                    "B": {"e1": (30, 20), "e2": (28, 22), "e3": (32, 18)},
                    "C": {"e1": (36, 28), "e2": (34, 26), "e3": (35, 27)},
                }
            ),
            bounds=RULES_2026,
        )
    )
    assert result.complete and not result.invalid and not result.outliers
    got = [(s.bid_id, s.rank, s.technical_score, s.price_score, s.total) for s in result.ranking]
    assert got == [
        ("C", 1, D("62.00"), D("26.67"), D("88.67")),
        ("A", 2, D("58.00"), D("24.00"), D("82.00")),
        ("B", 3, D("50.00"), D("30.00"), D("80.00")),
    ]
    assert result.ranking[1].expert_totals == {"e1": 60, "e2": 60, "e3": 54}


def test_small_micro_deduction_lowers_the_evaluated_price_not_the_bid_price():
    # A small/micro at 10%: 100,000 -> 90,000, the lowest; B 90,000/95,000*30 = 28.421 = 28.42
    documents = Documents(
        Method.COMPREHENSIVE, (TECH, SERVICE), price_weight=D(30), small_micro_deduction=D(10)
    )
    result = evaluate(
        Evaluation(
            documents,
            (Bid("A", D(100000), small_micro=True), Bid("B", D(95000))),
            flat({"A": 1, "B": 1}),
            bounds=RULES_2026,
        )
    )
    a, b = sorted(result.ranking, key=lambda s: s.bid_id)
    assert (a.bid_price, a.evaluated_price, a.price_score) == (D(100000), D("90000.00"), D(30))
    assert [d.kind for d in a.deductions] == ["small_micro"]
    assert (b.evaluated_price, b.price_score, b.deductions) == (D("95000.00"), D("28.42"), ())


@pytest.mark.parametrize("rate", [D(8), D(25), D("20.01")])
def test_a_small_micro_rate_outside_caiku_2022_19_is_refused(rate):
    documents = Documents(
        Method.COMPREHENSIVE, (TECH, SERVICE), price_weight=D(30), small_micro_deduction=rate
    )
    with pytest.raises(ScoringError, match="outside 10%-20%"):
        evaluate(Evaluation(documents, bids(A=1), bounds=RULES_2026))


def test_bounds_follow_the_rule_set_of_the_day():
    before = Bounds.from_rules(rules_on(date(2021, 6, 1)))
    assert before.small_micro == (6, 10) and before.consortium[1] is None
    assert before.domestic[1] is None
    assert RULES_2026.small_micro == (10, 20) and RULES_2026.consortium == (4, 6)
    assert RULES_2026.domestic == (20, 20) and RULES_2026.consortium_share_min == 30
    consortium = Documents(
        Method.COMPREHENSIVE, (TECH, SERVICE), price_weight=D(30), consortium_deduction=D(5)
    )
    with pytest.raises(ScoringError, match="no such deduction is in force"):
        evaluate(Evaluation(consortium, bids(A=1), bounds=before))


def test_consortium_deduction_needs_the_small_micro_share():
    # 5% for a 30% share: 100,000 -> 95,000; at 29% nothing
    documents = Documents(
        Method.LOWEST_PRICE, consortium_deduction=D(5), small_micro_deduction=D(10)
    )
    result = evaluate(
        Evaluation(
            documents,
            (
                Bid("A", D(100000), small_micro_share=D(30)),
                Bid("B", D(100000), small_micro_share=D(29)),
            ),
            bounds=RULES_2026,
        )
    )
    by_id = {s.bid_id: s for s in result.ranking}
    assert by_id["A"].evaluated_price == D("95000.00") and by_id["A"].rank == 1
    assert by_id["B"].evaluated_price == D("100000.00") and by_id["B"].rank == 2


def test_domestic_preference_from_2026_and_deductions_in_turn():
    # small/micro 10% then domestic 20%: 100,000 * 0.9 * 0.8 = 72,000
    documents = Documents(
        Method.LOWEST_PRICE, small_micro_deduction=D(10), domestic_preference=D(20)
    )
    result = evaluate(
        Evaluation(
            documents,
            (Bid("A", D(100000), small_micro=True, domestic=True), Bid("B", D(80000))),
            bounds=RULES_2026,
        )
    )
    assert [(s.bid_id, s.evaluated_price) for s in result.ranking] == [
        ("A", D("72000.00")),
        ("B", D("80000.00")),
    ]
    with pytest.raises(ScoringError, match="domestic_preference"):
        evaluate(
            Evaluation(documents, bids(A=1), bounds=Bounds.from_rules(rules_on(date(2025, 6, 1))))
        )


def test_lowest_price_ties_stand_side_by_side_unless_the_documents_break_them():
    # A 100,000 small/micro at 20% -> 80,000 = C's 80,000: tied at rank 1, B third
    documents = Documents(Method.LOWEST_PRICE, small_micro_deduction=D(20))
    offered = (Bid("A", D(100000), small_micro=True), Bid("B", D(85000)), Bid("C", D(80000)))
    tied = evaluate(Evaluation(documents, offered, bounds=RULES_2026))
    assert [(s.bid_id, s.rank) for s in tied.ranking] == [("A", 1), ("C", 1), ("B", 3)]
    assert tied.ranking[0].total is None
    broken = evaluate(
        Evaluation(documents, offered, bounds=RULES_2026, lowest_price_ties=("bid_price",))
    )
    assert [(s.bid_id, s.rank) for s in broken.ranking] == [("C", 1), ("A", 2), ("B", 3)]


def test_comprehensive_ties_go_to_the_lower_bid_price():
    # A: 50 + 30.00 = 80.00; B: 55 + 100/120*30 = 25.00 -> 80.00
    table = {"A": {e: (30, 20) for e in ("e1", "e2", "e3")}}
    table["B"] = {e: (35, 20) for e in ("e1", "e2", "e3")}
    run = Evaluation(COMPREHENSIVE, bids(A=100000, B=120000), scores(table), bounds=RULES_2026)
    assert [(s.bid_id, s.rank, s.total) for s in evaluate(run).ranking] == [
        ("A", 1, D(80)),
        ("B", 2, D(80)),
    ]
    both = Evaluation(run.documents, run.bids, run.scores, bounds=RULES_2026, comprehensive_ties=())
    assert [s.rank for s in evaluate(both).ranking] == [1, 1]
    technical = Evaluation(
        run.documents, run.bids, run.scores, bounds=RULES_2026,
        comprehensive_ties=("technical_score",),
    )  # fmt: skip
    assert [s.bid_id for s in evaluate(technical).ranking] == ["B", "A"]


def test_abnormally_low_price_waits_for_the_committee():
    # D 55,000 vs three of 100,000: 45% below the mean of the others and 45% below the next
    offered = bids(A=100000, B=100000, C=100000, D=55000)
    run = Evaluation(COMPREHENSIVE, offered, flat({b.bid_id: 1 for b in offered}))
    pending = evaluate(run)
    assert not pending.complete and pending.ranking == ()
    assert pending.flagged_low == {
        "D": ("45.00% below the mean of the others", "45.00% below the next")
    }
    assert [(p.bid_id, p.kind) for p in pending.pending] == [("D", "low_price_explanation")]

    refused = evaluate(Evaluation(run.documents, run.bids, run.scores, {"D": Outcome.UNJUSTIFIED}))
    assert [(i.bid_id, i.code) for i in refused.invalid] == [("D", "abnormally_low_unjustified")]
    assert {s.price_score for s in refused.ranking} == {D(30)}  # the lowest is now 100,000

    accepted = evaluate(Evaluation(run.documents, run.bids, run.scores, {"D": Outcome.JUSTIFIED}))
    d = next(s for s in accepted.ranking if s.bid_id == "D")
    assert d.rank == 1 and d.price_score == D(30) and d.abnormally_low


def test_abnormally_low_triggers_are_configurable_and_inclusive():
    # C 68,000: 32% below the mean (100,000) of the others < 40, but 32% below the next >= 30
    only_next = evaluate(
        Evaluation(Documents(Method.LOWEST_PRICE), bids(A=100000, B=100000, C=68000))
    )
    assert only_next.flagged_low == {"C": ("32.00% below the next",)}
    # exactly 40% below the mean of the others is flagged
    edge = bids(A=100000, B=100000, C=60000)
    off = Bounds(below_next=None)
    assert list(evaluate(Evaluation(Documents(Method.LOWEST_PRICE), edge, bounds=off)).flagged_low)
    assert not evaluate(
        Evaluation(
            Documents(Method.LOWEST_PRICE),
            edge,
            bounds=Bounds(below_mean_of_others=D(41), below_next=None),
        )
    ).flagged_low


def test_arithmetic_corrections_in_the_order_of_art_59():
    # words 110,000 prevail over figures 100,000; then unit prices 2*30,000 + 45,000 = 105,000
    bid = Bid(
        "A",
        D(100000),
        price_in_words=D(110000),
        line_items=((D(2), D(30000)), (D(1), D(45000))),
    )
    documents = Documents(Method.LOWEST_PRICE)
    waiting = evaluate(Evaluation(documents, (bid, Bid("B", D(120000)))))
    assert [(c.rule, c.stated, c.corrected) for c in waiting.corrections] == [
        ("words", D(100000), D(110000)),
        ("unit_prices", D(110000), D("105000.00")),
    ]
    assert [p.kind for p in waiting.pending] == ["correction_confirmation"]
    confirmed = Bid(**{**bid.__dict__, "correction_confirmed": True})
    result = evaluate(Evaluation(documents, (confirmed, Bid("B", D(120000)))))
    assert result.ranking[0].bid_price == D("105000.00")
    refused = Bid(**{**bid.__dict__, "correction_confirmed": False})
    out = evaluate(Evaluation(documents, (refused, Bid("B", D(120000)))))
    assert [(i.bid_id, i.code) for i in out.invalid] == [("A", "correction_refused")]
    assert [s.bid_id for s in out.ranking] == ["B"]


def test_invalid_bids_are_excluded_with_their_reasons():
    documents = Documents(Method.LOWEST_PRICE, ceiling=D(100000))
    result = evaluate(
        Evaluation(
            documents,
            (
                Bid("A", D("100000.01")),
                Bid("B", D(90000), invalid="资格审查：未提供营业执照"),
                Bid("C", D(0)),
                Bid("D", D(95000)),
                Bid("E", D(99000)),
            ),
        )
    )
    assert [(i.bid_id, i.code) for i in result.invalid] == [
        ("A", "over_ceiling"),
        ("B", "review"),
        ("C", "no_price"),
    ]
    assert next(i for i in result.invalid if i.bid_id == "B").reason == "资格审查：未提供营业执照"
    assert [s.bid_id for s in result.ranking] == ["D", "E"]


def test_outlier_totals_are_flagged_not_dropped():
    # totals 60, 61, 62, 63, 70: Q1 61, median 62, Q3 63, fences 58-66 -> 70; 8 from the median
    marks = {"e1": (40, 20), "e2": (40, 21), "e3": (40, 22), "e4": (40, 23), "e5": (40, 30)}
    table = {"A": marks, "B": {e: (30, 30) for e in marks}}
    run = Evaluation(
        COMPREHENSIVE,
        bids(A=100000, B=100000),
        scores(table),
        outliers=OutlierPolicy(fence_factor=D("1.5"), from_median=D(5)),
    )
    result = evaluate(run)
    assert [(o.bid_id, o.expert, o.score) for o in result.outliers] == [("A", "e5", D(70))]
    assert "58.00-66.00" in result.outliers[0].reason and "8.00 points" in result.outliers[0].reason
    a = next(s for s in result.ranking if s.bid_id == "A")
    assert a.technical_score == D("63.20")  # (60+61+62+63+70)/5, the outlier still counts


def test_objective_criteria_admit_one_answer():
    documents = Documents(
        Method.COMPREHENSIVE,
        (Criterion("tech", D(65)), Criterion("iso", D(5), objective=True)),
        price_weight=D(30),
    )
    given = [("e1", 5), ("e2", 5), ("e3", 0)]
    table = tuple(ExpertScore(e, "A", "iso", D(p)) for e, p in given) + tuple(
        ExpertScore(e, "A", "tech", D(50)) for e, _ in given
    )
    result = evaluate(Evaluation(documents, bids(A=1000), table))
    assert [(o.expert, o.criterion) for o in result.outliers] == [("e3", "iso")]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (ExpertScore("e1", "A", "brand", D(1)), "not a criterion of the documents"),
        (ExpertScore("e1", "A", "tech", D(1)), "twice"),
        (ExpertScore("e1", "Z", "tech", D(1)), "no bid Z"),
        (ExpertScore("e4", "A", "tech", D(41)), "0-40"),
        (ExpertScore("e4", "A", "tech", D(-1)), "0-40"),
        (ExpertScore("e4", "A", "tech", D(10)), "has not scored service"),
    ],
)
def test_scores_only_on_the_documents_criteria_and_complete(extra, message):
    run = Evaluation(COMPREHENSIVE, bids(A=1000), flat({"A": 1}) + (extra,))
    with pytest.raises(ScoringError, match=message):
        evaluate(run)


@pytest.mark.parametrize(
    ("documents", "message"),
    [
        (Documents(Method.COMPREHENSIVE, (TECH, SERVICE), price_weight=D(25)), "below 30%"),
        (Documents(Method.COMPREHENSIVE, (TECH,), price_weight=D(30)), "carry 70 points"),
        (Documents(Method.LOWEST_PRICE, (TECH,)), "no scoring criteria"),
        (Documents(Method.COMPREHENSIVE, (TECH, TECH), price_weight=D(20)), "twice"),
    ],
)
def test_documents_against_the_law(documents, message):
    with pytest.raises(ScoringError, match=message):
        evaluate(Evaluation(documents, bids(A=1000), bounds=RULES_2026))


def test_services_may_weigh_the_price_less_than_goods():
    # services: weight 10 allowed (Order 87 art. 55); A alone: 10.00 + 90 = 100
    documents = Documents(
        Method.COMPREHENSIVE,
        (Criterion("tech", D(60)), Criterion("service", D(30))),
        price_weight=D(10),
        is_goods=False,
    )
    result = evaluate(Evaluation(documents, bids(A=1000), scores({"A": {"e1": (60, 30)}})))
    assert result.ranking[0].total == D(100)


def test_unknown_tie_break_is_refused():
    run = Evaluation(Documents(Method.LOWEST_PRICE), bids(A=1, B=2), lowest_price_ties=("age",))
    with pytest.raises(ScoringError, match="unknown tie-break"):
        evaluate(run)


def test_a_tenants_stricter_rules_narrow_the_bounds():
    # effective_rules gives objects with .value; plain numbers work the same
    bounds = Bounds.from_rules(
        {"sme_price_deduction_min": 12, "sme_price_deduction_max": 15, "price_weight_goods_min": 40}
    )
    assert bounds.small_micro == (12, 15) and bounds.consortium[1] is None
    documents = Documents(
        Method.COMPREHENSIVE, (TECH, SERVICE), price_weight=D(30), small_micro_deduction=D(12)
    )
    with pytest.raises(ScoringError, match="below 40%"):
        evaluate(Evaluation(documents, bids(A=1000), bounds=bounds))
