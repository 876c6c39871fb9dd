"""The draw's definition and its fast form agree, are deterministic, and honour the weights."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from gpcloud.evaluation import algorithm


def snapshot(rng: random.Random, n: int) -> list[list[int]]:
    ids = sorted(rng.sample(range(1, 10 * n), n))
    return [[i, rng.choice([20, 40, 60, 80, 100])] for i in ids]


@pytest.mark.parametrize("n,picks", [(1, 1), (5, 5), (9, 7), (200, 12), (2000, 15)])
def test_the_fast_draw_is_the_definition(n, picks):
    rng = random.Random(n)
    for trial in range(20):
        snap = snapshot(rng, n)
        seed = rng.randbytes(32).hex()
        fast = algorithm.draw(seed, trial + 1, snap, picks)
        assert fast == algorithm.reference_draw(seed, trial + 1, snap, picks)
        assert len(fast) == min(n, picks) and len(set(fast)) == len(fast)


def test_the_same_inputs_give_the_same_committee_and_any_change_another():
    snap = snapshot(random.Random(1), 500)
    seed = "ab" * 32
    first = algorithm.draw(seed, 7, snap, 7)
    assert algorithm.draw(seed, 7, snap, 7) == first
    assert algorithm.draw("ac" + "ab" * 31, 7, snap, 7) != first
    assert algorithm.draw(seed, 8, snap, 7) != first


def test_a_lower_weight_is_drawn_less_often():
    snap = [[1, 100], [2, 100], [3, 20]]
    firsts = Counter(algorithm.draw(f"{i:064x}", 1, snap, 1)[0] for i in range(3000))
    assert firsts[3] < firsts[1] / 3 and firsts[3] < firsts[2] / 3


def test_bad_snapshots_are_refused():
    with pytest.raises(ValueError):
        algorithm.draw("00" * 32, 1, [[2, 1], [1, 1]], 1)
    with pytest.raises(ValueError):
        algorithm.draw("00" * 32, 1, [[1, 0]], 1)
