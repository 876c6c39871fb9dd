"""core/draws.py, the draw every kind of platform draw runs: its fast form is its definition,
it is the evaluation's expert draw under the expert domain (the same algorithm, so that
evaluation/algorithm.py can delegate to it), and another domain gives unrelated picks."""

from __future__ import annotations

import random

import pytest

from gpcloud.core import draws
from gpcloud.evaluation import algorithm

INVITATION = b"gpcloud-invitation-draw-v1"


def snapshot(rng: random.Random, n: int, weighted: bool = True) -> list[list[int]]:
    ids = sorted(rng.sample(range(1, 10 * n), n))
    return [[i, rng.choice([20, 40, 60, 80, 100]) if weighted else 1] for i in ids]


@pytest.mark.parametrize("n,picks", [(1, 1), (3, 3), (9, 5), (200, 12)])
def test_the_fast_draw_is_the_definition(n, picks):
    rng = random.Random(n)
    for trial in range(20):
        snap = snapshot(rng, n, weighted=trial % 2 == 0)
        seed = draws.new_seed()
        fast = draws.draw(INVITATION, seed, trial + 1, snap, picks)
        assert fast == draws.reference_draw(INVITATION, seed, trial + 1, snap, picks)
        assert len(fast) == min(n, picks) and len(set(fast)) == len(fast)


def test_under_the_expert_domain_it_is_the_expert_draw():
    rng = random.Random(7)
    for trial in range(30):
        snap = snapshot(rng, 50)
        seed = rng.randbytes(32).hex()
        assert draws.draw(algorithm.DOMAIN, seed, trial, snap, 9) == algorithm.draw(
            seed, trial, snap, 9
        )
    assert draws.digest({"a": [1]}) == algorithm.digest({"a": [1]})
    assert draws.seed_hash("ab" * 32) == algorithm.seed_hash("ab" * 32)


def test_the_domain_separates_the_draws():
    snap = [[i, 1] for i in range(1, 41)]
    seed = "cd" * 32
    assert draws.draw(INVITATION, seed, 1, snap, 10) != draws.draw(
        algorithm.DOMAIN, seed, 1, snap, 10
    )


def test_bad_snapshots_are_refused():
    with pytest.raises(ValueError):
        draws.draw(INVITATION, "00" * 32, 1, [[2, 1], [1, 1]], 1)
    with pytest.raises(ValueError):
        draws.draw(INVITATION, "00" * 32, 1, [[1, 0]], 1)
