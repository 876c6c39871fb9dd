"""What the committee asks of bidders: an arithmetic correction the bidder confirms (the
corrected price ranks), an abnormally low price explained and found unjustified (the bid is
invalid, with the engine's reason), and the purchaser choosing against the ranking only with a
legal reason."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
import time_machine

from gpcloud.core import clock
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.evaluation.service import bidders, reports, reviews, scores
from gpcloud.usage import development
from tests.integration.evaluation.evaluating import (
    DOCS,
    EVALUATION_DAY,
    check_in_all,
    opened_evaluation,
)
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def code_of(call) -> str:
    with pytest.raises(DomainError) as info:
        async with transaction():
            await call()
    return info.value.code


async def step(call):
    async with transaction():
        return await call()


async def test_corrections_low_prices_and_a_choice_against_the_ranking(world, traveller):
    s = await opened_evaluation(world, traveller, ("4000000", "3900000", "2000000"))
    with clock.on_day(EVALUATION_DAY):
        await requests(s, traveller)


async def requests(s, traveller):
    eid = s.evaluation["id"]
    member = s.members[0]
    first, second, low = s.bids
    await check_in_all(s)
    for b in s.bids:
        await step(lambda b=b: reviews.qualify(s.agent, eid, b["id"], "营业执照", True))
        await step(lambda b=b: reviews.comply(member, eid, b["id"], "交货期不超过30日", True))
    # the amount in words prevails: 3,990,000 for the first bid, once its bidder confirms
    assert (
        await code_of(lambda: bidders.propose_correction(member, eid, first["id"], "4000000", []))
        == "NO_CORRECTION"
    )
    correction = await step(
        lambda: bidders.propose_correction(member, eid, first["id"], "3990000", [])
    )
    assert correction["corrected_fen"] == 399_000_000 and correction["status"] == "proposed"
    assert (
        await code_of(lambda: bidders.answer_correction(s.bidders[1].user, correction["id"], True))
        == "NOT_FOUND"
    )  # another bidder's
    # the low bid is flagged by the engine's triggers; the others are not
    explain_by = clock.now() + timedelta(hours=4)
    assert (
        await code_of(lambda: bidders.request_explanation(member, eid, second["id"], explain_by))
        == "NOT_ABNORMALLY_LOW"
    )
    inquiry = await step(lambda: bidders.request_explanation(member, eid, low["id"], explain_by))
    assert json.loads(inquiry["triggers"])
    assert (
        await code_of(lambda: bidders.decide(member, inquiry["id"], False, "未说明"))
        == "EXPLANATION_PENDING"
    )
    assert (
        await code_of(lambda: bidders.decide(member, inquiry["id"], True, "合理")) == "WRONG_STATE"
    )  # justified only on an explanation
    await step(lambda: bidders.explain(s.bidders[2].user, inquiry["id"], "库存清仓，成本可控"))
    # every member scores every bid that passed both reviews
    for user in s.members:
        for b in s.bids:
            await step(
                lambda u=user, b=b: scores.record(u, eid, b["id"], {"技术": "40", "服务": "15"})
            )
        await step(lambda u=user: scores.submit(u, eid))
    assert await code_of(lambda: reports.freeze(s.agent, eid)) == "EVALUATION_PENDING"
    await step(lambda: bidders.answer_correction(s.bidders[0].user, correction["id"], True))
    await step(lambda: bidders.decide(member, inquiry["id"], False, "说明不足以证明报价合理"))
    report = await step(lambda: reports.freeze(s.agent, eid))
    content = json.loads(report["content"])
    assert [r["bid"] for r in content["ranking"]] == [second["id"], first["id"]]
    assert content["ranking"][1]["bid_price"] == "3990000.00"
    [out] = content["invalid"]
    assert (out["bid"], out["code"]) == (low["id"], "abnormally_low_unjustified")
    assert content["corrections"][0]["corrected"] == "3990000.00"
    # signed, sent, and the purchaser picks the second with a legal reason only
    for user in s.members:
        await step(lambda u=user: reports.sign(u, eid, development.CONFIRMATION))
    await step(lambda: reports.send(s.agent, eid))
    with use_scope(s.scope):
        assert (
            await code_of(
                lambda: reports.confirm_winner(s.purchaser, eid, first["id"], "because", "x")
            )
            == "AGAINST_RANKING_REASON_REQUIRED"
        )
        assert (
            await code_of(
                lambda: reports.confirm_winner(
                    s.purchaser, eid, second["id"], "higher_ranked_withdrew"
                )
            )
            == "NO_REASON_NEEDED"
        )
        chosen = await step(
            lambda: reports.confirm_winner(
                s.purchaser, eid, first["id"], "higher_ranked_withdrew", "第一候选人书面放弃"
            )
        )
    assert chosen["winner"] == first["id"] and chosen["against_ranking"] == "higher_ranked_withdrew"
    late = await step(lambda: _late_explanation(s))
    assert late == "EXPLANATION_LATE"


async def _late_explanation(s) -> str:
    """An explanation after the deadline is refused (the request above is decided already, so
    this only checks the deadline guard on a fresh clock)."""
    inquiry = (await bidders.of_supplier(s.bidders[2].user, s.evaluation["id"]))[1][0]
    with time_machine.travel(inquiry["explain_by"] + timedelta(seconds=1), tick=False):
        try:
            await bidders.explain(s.bidders[2].user, inquiry["id"], "迟到的说明")
        except DomainError as exc:
            return exc.code
    return "accepted"


LOWEST_PRICE = replace(DOCS, criteria=[], price_weight=30)


async def test_lowest_evaluated_price_ranks_without_points(world, traveller):
    s = await opened_evaluation(world, traveller, docs=LOWEST_PRICE)
    assert s.evaluation["method"] == "lowest_price"
    with clock.on_day(EVALUATION_DAY):
        eid = s.evaluation["id"]
        await check_in_all(s)
        for b in s.bids:
            await step(lambda b=b: reviews.qualify(s.agent, eid, b["id"], "营业执照", True))
            await step(
                lambda b=b: reviews.comply(s.members[0], eid, b["id"], "交货期不超过30日", True)
            )
        assert (
            await code_of(lambda: scores.record(s.members[0], eid, s.bids[0]["id"], {"技术": "1"}))
            == "NO_CRITERIA"
        )
        for user in s.members:  # nothing to score: each submits its review
            await step(lambda u=user: scores.submit(u, eid))
        report = await step(lambda: reports.freeze(s.agent, eid))
    ranking = json.loads(report["content"])["ranking"]
    assert [r["bid"] for r in ranking] == [b["id"] for b in reversed(s.bids)]
    assert {r["total"] for r in ranking} == {None} and ranking[0]["evaluated_price"] == "3800000.00"
