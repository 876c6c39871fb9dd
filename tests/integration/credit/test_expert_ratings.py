"""An agency rates only an expert who sat on its committee of the project (a confirmed seat of a
committee that reached evaluating), within 5 working days after the evaluation; the rating is
kept in the committee's region; two ratings at once: one wins."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine

from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.rules.service import rule_deadline
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.credit.service import ratings
from gpcloud.credit.tables import CreditRating
from gpcloud.evaluation.service import committees
from tests.integration.concurrency.test_transitions import race
from tests.integration.evaluation.setting import EVALUATION
from tests.integration.evaluation.test_fees import seated
from tests.integration.procurement import actor, filed_plan
from tests.integration.transaction.bidding import DEADLINE

SCORES = {"preparation": 30, "independence": 35, "report": 25}


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def rate(agent, expert: int, project: int, scores=SCORES) -> dict:
    with use_scope((await tenant_tree()).scope_for(agent.tenant)):
        async with transaction():
            return await ratings.rate_expert(agent, expert, project, scores)


async def code(call) -> str:
    try:
        await call()
    except DomainError as exc:
        return exc.code
    raise AssertionError("not refused")


async def test_only_an_expert_who_sat_within_five_working_days(world, traveller):
    row, members = await seated(world, traveller)
    project, agent = row["project"], world["agent"]
    recused, declined, sat = members[0], members[1], members[2:]
    # complete but not evaluating: nobody sat yet
    assert await code(lambda: rate(agent, sat[0]["expert"], project)) == "EXPERT_NOT_ON_COMMITTEE"
    traveller.move_to(EVALUATION)
    async with transaction():
        await committees.start_evaluation(agent, row["id"])
    traveller.move_to(EVALUATION + timedelta(hours=6))
    rated = await rate(agent, sat[0]["expert"], project)
    assert rated["total"] == 90 and rated["reference"] == f"project:{project}"
    assert rated["tenant_id"] == "441481"  # the committee's region, not the agency's 441400
    # drawn but never seated, another project, another agency: the same refusal
    for seat in (recused, declined):
        assert await code(lambda s=seat: rate(agent, s["expert"], project)) == (
            "EXPERT_NOT_ON_COMMITTEE"
        )
    assert await code(lambda: rate(agent, sat[1]["expert"], project + 999)) == (
        "EXPERT_NOT_ON_COMMITTEE"
    )
    other = await actor("xn.agency")
    assert await code(lambda: rate(other, sat[1]["expert"], project)) == "EXPERT_NOT_ON_COMMITTEE"
    assert await code(lambda: rate(agent, sat[0]["expert"], project)) == "ALREADY_RATED"
    # 5 working days after Tuesday 13 Oct 2026: Tuesday 20 Oct is the last day
    deadline = await rule_deadline("expert_rating_period", date(2026, 10, 13), "441481")
    assert deadline.due == date(2026, 10, 20) and deadline.amount == 5
    traveller.move_to(datetime.fromisoformat("2026-10-20T23:30:00+08:00"))
    assert (await rate(agent, sat[1]["expert"], project))["total"] == 90
    traveller.move_to(datetime.fromisoformat("2026-10-21T08:00:00+08:00"))
    assert await code(lambda: rate(agent, sat[2]["expert"], project)) == "RATING_PERIOD_OVER"


async def test_ratings_stay_in_the_committees_region(world, traveller):
    row, members = await seated(world, traveller)
    traveller.move_to(EVALUATION)
    async with transaction():
        await committees.start_evaluation(world["agent"], row["id"])
    await rate(world["agent"], members[2]["expert"], row["project"])
    tree = await tenant_tree()
    with use_scope(tree.scope_for("441481")):
        assert await CreditRating.count() == 1
    with use_scope(tree.scope_for("441424")):  # Wuhua, another county of Meizhou
        assert await CreditRating.count() == 0


async def test_two_ratings_at_once_one_wins(world, traveller):
    row, members = await seated(world, traveller)
    agent = world["agent"]
    traveller.move_to(EVALUATION)
    async with transaction():
        await committees.start_evaluation(agent, row["id"])
    wins, losses = await race(lambda: rate(agent, members[3]["expert"], row["project"]), n=4)
    assert len(wins) == 1 and losses == ["ALREADY_RATED"] * 3, losses
    with use_scope((await tenant_tree()).scope_for("441481")):
        assert await CreditRating.count() == 1
