"""Credit record and appeal transitions raced (see test_transitions.py): N identical requests
at once, exactly one wins, the audit log tells it once."""

from __future__ import annotations

import pytest

from gpcloud.core.tenancy.scope import use_scope
from gpcloud.credit.service import appeals, records
from gpcloud.credit.tables import CreditAppeal
from tests.integration.concurrency.test_transitions import audited, one_wins, race
from tests.integration.credit.support import blacklisted, credit_world


@pytest.fixture
async def world(demo):
    return await credit_world()


async def test_repairing_and_revoking_a_record(world):
    row = await blacklisted(world)
    supervisor = world["supervisor"]
    with use_scope(world["scope"]):
        one_wins(*await race(lambda: records.repair(supervisor, row["id"], "已整改")))
        one_wins(*await race(lambda: records.revoke(supervisor, row["id"], "决定被撤销")))
    assert await audited("credit_record.repair") == 1
    assert await audited("credit_record.revoke") == 1


async def test_filing_and_deciding_an_appeal(world):
    row = await blacklisted(world)
    with use_scope(world["scope"]):
        wins, losses = await race(
            lambda: appeals.file(world["seller"], row["id"], "申诉：所述事实与我司无关。")
        )
        assert len(wins) == 1 and set(losses) <= {"APPEAL_PENDING", "CONFLICT"}, losses
        assert await CreditAppeal.count() == 1
        appeal = wins[0]["id"]
        one_wins(*await race(lambda: appeals.uphold(world["supervisor"], appeal, "申诉成立")))
        assert (await records.get(row["id"]))["status"] == "revoked"
    assert await audited("credit_appeal.uphold") == 1
    assert await audited("credit_record.revoke") == 1  # revoked once, by the one upheld appeal
