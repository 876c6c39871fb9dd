"""A use retried at once: N concurrent calls with one idempotency key bill one charge (on
PostgreSQL the ledger's unique key decides; the losers read the winner's row)."""

from __future__ import annotations

import pytest

from gpcloud.usage import development
from gpcloud.usage.service import sign_document, verify_face
from tests.integration.concurrency.test_transitions import N, race
from tests.integration.usage.support import EXPERT, REPORT, agencies, ledger, use


@pytest.fixture
async def world(demo):
    return await agencies()


async def test_concurrent_face_verifications_with_one_key_bill_once(world):
    sample = development.face_sample("expert:7")
    wins, losses = await race(
        lambda: verify_face(use(world["mz_org"], "race-face"), EXPERT, sample, "x")
    )
    assert losses == [] and len(wins) == N
    [charge] = await ledger()
    assert {w.charge["id"] for w in wins} == {charge["id"]}
    assert sum(not w.replayed for w in wins) == 1 and all(w.ok for w in wins)


async def test_concurrent_signatures_with_one_key_bill_once(world):
    wins, losses = await race(
        lambda: sign_document(
            use(world["xn_org"], "race-sign"), EXPERT, REPORT, development.CONFIRMATION
        )
    )
    assert losses == [] and len(wins) == N
    assert [c["kind"] for c in await ledger()] == ["e_signature"]
    assert sum(not w.replayed for w in wins) == 1


async def test_distinct_keys_at_once_bill_each(world):
    keys = iter(range(N))
    wins, losses = await race(
        lambda: verify_face(use(world["mz_org"], f"each-{next(keys)}"), EXPERT, b"x", "x")
    )
    assert losses == [] and len(await ledger()) == N
