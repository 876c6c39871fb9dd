"""Blocking (Regulation art. 54) and suspension (Law art. 57), asked by transaction and
contracts through gpcloud_procurement_blocks, and the scripted case of the issue: a supplier
challenges the result, the agency answers late (overdue shown), the supplier complains, the
department suspends the procurement and decides to redo the evaluation; the contract step is
blocked throughout."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gpcloud.complaints.service import complaints, decisions, suspensions
from gpcloud.contracts import performance, signing
from gpcloud.contracts import service as contracts
from gpcloud.core import clock
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.portal.tables import Notice
from gpcloud.transaction import service as projects
from tests.integration.complaints.support import (
    answer,
    call,
    challenge,
    complain,
    complaint_world,
    obtain,
    tendered,
    tick_after,
)
from tests.integration.contracts.test_contracts import draft, new_key, sign
from tests.integration.procurement import actor, filed_plan
from tests.integration.transaction.bidding import bidder
from tests.plugins.exercise import exercised


@pytest.fixture
async def world(demo):
    return await complaint_world()


async def _keys(world) -> dict:
    keys = {}
    for who in ("purchaser", "seller"):
        private, public = new_key()
        with use_scope(world["scope"]):
            await signing.register_key(world[who], public)
        keys[who] = private
    return keys


async def _sign(world, contract, keys, who, day) -> dict:
    with use_scope(world["scope"]), clock.on_day(day):
        return await contracts.sign(world[who], contract["id"], sign(keys[who], contract), on=day)


async def _refused(work) -> str:
    with pytest.raises(DomainError) as caught:
        await work()
    return caught.value.code


async def test_the_scripted_case(world):
    keys = await _keys(world)
    with clock.on_day(date(2026, 10, 19)):
        contract = await draft(world)
    row = await challenge(world, date(2026, 10, 20))  # the result; answer due 29 Oct
    with exercised("gpcloud_procurement_blocks") as ran:
        code = await _refused(lambda: _sign(world, contract, keys, "purchaser", date(2026, 10, 21)))
    assert code == "CHALLENGE_PENDING"
    assert ("gpcloud_procurement_blocks", "builtin:complaints") in ran

    await tick_after(date(2026, 10, 29))  # the answer period ends unanswered: overdue
    assert (
        await _refused(lambda: _sign(world, contract, keys, "purchaser", date(2026, 10, 30)))
        == "CHALLENGE_PENDING"
    )
    late = await answer(world, row["id"], date(2026, 11, 2))
    assert late["answered_late"] is True

    filed = await complain(world, row["id"], date(2026, 11, 2))
    dept, agent = world["department"], world["agent"]
    await call(dept, date(2026, 11, 2), lambda: complaints.accept(dept, filed["id"]))
    suspension = await call(
        dept,
        date(2026, 11, 2),
        lambda: suspensions.suspend(dept, filed["id"], 30, "投诉处理期间暂停采购活动"),
    )
    assert suspension["ends_on"] == date(2026, 12, 1)
    assert (
        await _refused(lambda: _sign(world, contract, keys, "purchaser", date(2026, 11, 3)))
        == "PROCUREMENT_SUSPENDED"
    )

    await call(dept, date(2026, 11, 3), lambda: complaints.serve(dept, filed["id"]))
    await call(
        agent, date(2026, 11, 6), lambda: complaints.respond(agent, filed["id"], "评审无误。")
    )
    decision = await call(
        dept,
        date(2026, 11, 20),
        lambda: decisions.decide(
            dept,
            filed["id"],
            decisions.DecisionInput(
                "upheld",
                "技术分计算错误",
                "兴财采决〔2026〕1号",
                remedy="redo_step",
                step="evaluation",
            ),
        ),
    )
    assert (decision["remedy"], decision["step"]) == ("redo_step", "evaluation")
    assert (await suspensions.get(suspension["id"]))["status"] == "lifted"
    with all_tenants("test"):
        notice = await Notice.select().where(Notice.kind == "decision").first()
    assert notice["source"] == f"complaint_decision:{decision['id']}"
    assert "重新开展采购活动的相关环节" in notice["body"]


async def test_a_signed_contract_is_not_performed_while_challenged(world):
    keys = await _keys(world)
    with clock.on_day(date(2026, 10, 19)):
        contract = await draft(world)
    await _sign(world, contract, keys, "purchaser", date(2026, 10, 19))
    await _sign(world, contract, keys, "seller", date(2026, 10, 19))
    row = await challenge(world, date(2026, 10, 20))
    report = performance.AcceptanceInput("stage", "首批验收", "设备到货", True, date(2026, 10, 21))
    purchaser = world["purchaser"]
    code = await _refused(
        lambda: call(
            purchaser,
            date(2026, 10, 21),
            lambda: performance.accept(purchaser, contract["id"], report),
        )
    )
    assert code == "CHALLENGE_PENDING"
    await answer(world, row["id"], date(2026, 10, 22))
    accepted = await call(
        purchaser,
        date(2026, 10, 22),
        lambda: performance.accept(purchaser, contract["id"], report),
    )
    assert accepted["status"] == "published"


async def test_a_challenge_that_cannot_affect_the_result_blocks_nothing(world):
    keys = await _keys(world)
    with clock.on_day(date(2026, 10, 19)):
        contract = await draft(world)
    from gpcloud.complaints.service import challenges
    from tests.integration.complaints.support import ITEMS

    rival = world["rival"]
    data = challenges.ChallengeInput(world["project"], "result", ITEMS, affects_result=False)
    await call(rival, date(2026, 10, 20), lambda: challenges.file(rival, data))
    signed = await _sign(world, contract, keys, "purchaser", date(2026, 10, 21))
    assert signed["status"] == "draft"  # the first signature is taken


async def test_a_suspension_stops_every_transaction_step(demo):
    world = await filed_plan()
    project = await tendered(world)
    rival = (await bidder(1)).user
    await obtain(rival, project)
    world = {
        **world,
        "project": project,
        "rival": rival,
        "department": await actor("xn.supervisor"),
    }
    row = await challenge(world, date(2026, 10, 9), "step", "tender_announcement")
    await answer(world, row["id"], date(2026, 10, 10))
    filed = await complain(world, row["id"], date(2026, 10, 12))
    dept, agent = world["department"], world["agent"]
    suspension = await call(
        dept, date(2026, 10, 12), lambda: suspensions.suspend(dept, filed["id"], 10, "调查")
    )
    award = projects.AwardInput(world["supplier"]["uscc"], Decimal("4380000"))

    def result(day):
        return call(
            agent,
            day,
            lambda: projects.publish_result(agent, project, "中标公告", "正文", [award], on=day),
        )

    assert await _refused(lambda: result(date(2026, 10, 16))) == "PROCUREMENT_SUSPENDED"
    failed = lambda: call(  # noqa: E731
        agent, date(2026, 10, 16), lambda: projects.declare_failed(agent, project, "无")
    )
    assert await _refused(failed) == "PROCUREMENT_SUSPENDED"
    await tick_after(date(2026, 10, 21))  # its last day
    assert (await suspensions.get(suspension["id"]))["status"] == "expired"
    published = await result(date(2026, 10, 22))
    assert published["status"] == "awarded"
