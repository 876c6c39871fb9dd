"""core/draws.py, the draw every kind of platform draw runs: its fast form is its definition,
under the expert domain it draws as the expert draw always drew (evaluation/algorithm.py
delegates to it), and another domain gives unrelated picks."""

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


def test_under_the_expert_domain_it_draws_as_stored_draws_were_drawn():
    """A known answer of the expert draw as it was before it moved here: draws already stored
    must still recompute to their result."""
    snap = [[i, [20, 40, 60, 80, 100][i % 5]] for i in range(1, 101, 3)]
    expected = [19, 52, 73, 82, 67, 16, 22, 28, 4]
    assert draws.draw(algorithm.DOMAIN, "ab" * 32, 42, snap, 9) == expected
    assert algorithm.reference_draw("ab" * 32, 42, snap, 9) == expected


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
