"""The scoring engine at the issue's size: 30 bids x 9 experts x 20 criteria scored and ranked
(target < 100 ms), against a plain Python sum over the same 5,400 scores in the same run.

    uv run python -m tests.bench.bench_scoring [--rounds 50] [--bids 30] [--experts 9] [--criteria 20]

Inputs: comprehensive scoring, price weight 30, 20 criteria of 3.5 points, small/micro deduction
10% for every third bid, prices spread 80,000-109,000 (no abnormally low bid), pseudo-random
points (fixed seed), objective criteria (2) answered alike. Reported: best and median time of `evaluate` and of the baseline, and
their ratio.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from decimal import Decimal

from gpcloud.evaluation.scoring import evaluate
from gpcloud.evaluation.scoring_inputs import (
    Bid,
    Criterion,
    Documents,
    Evaluation,
    ExpertScore,
    Method,
    OutlierPolicy,
)


def inputs(bids: int, experts: int, criteria: int) -> Evaluation:
    rng = random.Random(15)
    full = Decimal(70) / criteria
    documents = Documents(
        Method.COMPREHENSIVE,
        tuple(Criterion(f"c{i}", full, objective=i < 2) for i in range(criteria)),
        price_weight=Decimal(30),
        small_micro_deduction=Decimal(10),
    )
    offered = tuple(
        Bid(f"b{i}", Decimal(80000 + 1000 * i), small_micro=i % 3 == 0) for i in range(bids)
    )
    # Objective criteria get one answer per bid (as they should); the others vary by expert.
    answers = {(b.bid_id, c.key): rng.randint(0, 10) for b in offered for c in documents.criteria}

    def points(expert: int, bid: Bid, criterion: Criterion) -> Decimal:
        tenths = answers[bid.bid_id, criterion.key] if criterion.objective else rng.randint(0, 10)
        return (full * tenths / 10).quantize(Decimal("0.01"))

    scores = tuple(
        ExpertScore(f"e{e}", bid.bid_id, c.key, points(e, bid, c))
        for bid in offered
        for e in range(experts)
        for c in documents.criteria
    )
    return Evaluation(documents, offered, scores, outliers=OutlierPolicy(from_median=Decimal(10)))


def baseline(evaluation: Evaluation) -> Decimal:
    """The least any scorer must do: add up every point once."""
    total = Decimal(0)
    for score in evaluation.scores:
        total += score.points
    return total


def timed(function, argument, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function(argument)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--bids", type=int, default=30)
    parser.add_argument("--experts", type=int, default=9)
    parser.add_argument("--criteria", type=int, default=20)
    args = parser.parse_args()
    evaluation = inputs(args.bids, args.experts, args.criteria)
    result = evaluate(evaluation)
    assert result.complete and len(result.ranking) == args.bids
    engine, plain = [], []
    for _ in range(args.rounds):  # interleaved, so that both see the same machine load
        engine += timed(evaluate, evaluation, 1)
        plain += timed(baseline, evaluation, 1)
    print(f"{len(evaluation.scores)} scores: {args.bids} bids x {args.experts} x {args.criteria}")
    for name, times in (("evaluate", engine), ("plain sum", plain)):
        print(f"{name:>10}: best {min(times):7.2f} ms, median {statistics.median(times):7.2f} ms")
    print(
        f"ratio evaluate / plain sum (median): "
        f"{statistics.median(engine) / statistics.median(plain):.1f}x; target < 100 ms: "
        f"{'met' if statistics.median(engine) < 100 else 'MISSED'}"
    )
    print(
        f"winner {result.ranking[0].bid_id} {result.ranking[0].total}; outliers {len(result.outliers)}"
    )


if __name__ == "__main__":
    main()
