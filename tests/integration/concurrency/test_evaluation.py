"""Expert draws raced (see test_transitions.py): two draws of one committee at once, two
confirmations of one seat at once: exactly one wins, the audit log tells it once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from gpcloud.core.db import transaction
from gpcloud.evaluation.service import common, draws, seats
from tests.integration.concurrency.test_transitions import audited, one_wins, race
from tests.integration.evaluation.setting import closed_tender, committee, drawn, experts
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


def in_transaction(call):
    async def run():
        async with transaction():
            return await call()

    return run


async def test_two_draws_of_one_committee(world, traveller):
    project, _ = await closed_tender(world, traveller, 3)
    await experts(10, accounts=False)
    row = await committee(world, project)
    async with transaction():
        committed = await draws.commit(world["agent"], row["id"], "review")
    one_wins(*await race(in_transaction(lambda: draws.run(world["agent"], committed["id"])), 2))
    assert len(await common.members(row["id"])) == 7
    assert await audited("expert_draw.run") == 1
    assert await audited("evaluation_committee.draw") == 1


async def test_committing_twice(world, traveller):
    project, _ = await closed_tender(world, traveller, 3)
    row = await committee(world, project)
    wins, losses = await race(
        in_transaction(lambda: draws.commit(world["agent"], row["id"], "review")), 2
    )
    assert len(wins) == 1 and set(losses) <= {"DRAW_EXISTS", "CONFLICT"}, losses


async def test_two_confirmations_of_one_seat(world, traveller):
    project, _ = await closed_tender(world, traveller, 3)
    pool = dict(await experts(8))
    row = await committee(world, project)
    await drawn(world, row)
    seat = (await common.members(row["id"]))[0]
    won = one_wins(
        *await race(in_transaction(lambda: seats.confirm(pool[seat["expert"]], seat["id"])), 2)
    )
    assert won["status"] == "confirmed"
    assert await audited("expert_draw_member.confirm") == 1
