"""The evaluation's transitions raced: N identical requests at once, each in its own
transaction. One check-in attempt retried at once compares (and bills) once and checks in once;
one member signing N times at once signs and bills once; the purchaser confirming N times at
once confirms once. On PostgreSQL the requests interleave; on SQLite they queue."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
import time_machine

from gpcloud.core import clock
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.notifications.tables import Notification
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.evaluation.service import checkin, committees, evaluations, reports, reviews, scores
from gpcloud.usage import development
from gpcloud.usage.tables import UsageCharge
from tests.integration.concurrency.test_transitions import audited, one_wins, race
from tests.integration.evaluation.evaluating import (
    EVALUATION_DAY,
    check_in_all,
    face_of,
    opened_evaluation,
    sent_report,
)
from tests.integration.evaluation.test_evaluation import passed_reviews
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def charges(kind: str) -> int:
    with all_tenants("test: the ledger"):
        return await UsageCharge.count().where(UsageCharge.kind == kind)


def in_transaction(call):
    async def run():
        async with transaction():
            return await call()

    return run


async def test_check_in_signatures_and_confirmation_raced(world, traveller):
    s = await opened_evaluation(world, traveller)
    with clock.on_day(EVALUATION_DAY):
        await raced(s)


async def raced(s):
    eid = s.evaluation["id"]
    rows = await evaluations.members(eid)
    # one attempt sent N times at once: one comparison billed, one check-in
    first = s.members[0]
    outcomes, losses = await race(
        in_transaction(lambda: checkin.check_in(first, eid, face_of(rows[0]), "same"))
    )
    assert set(losses) <= {"CONFLICT", "WRONG_STATE"}, losses
    assert all(o.failure is None for o in outcomes)
    assert await charges("face_verification") == 1
    assert await audited("evaluation_member.check_in") == 1
    for user, row in zip(s.members[1:], rows[1:], strict=True):
        async with transaction():
            await checkin.check_in(user, eid, face_of(row), "one")
    for b in s.bids:
        async with transaction():
            await reviews.qualify(s.agent, eid, b["id"], "营业执照", True)
        async with transaction():
            await reviews.comply(first, eid, b["id"], "交货期不超过30日", True)
    for user in s.members:
        for b in s.bids:
            async with transaction():
                await scores.record(user, eid, b["id"], {"技术": "40", "服务": "15"})
        async with transaction():
            await scores.submit(user, eid)
    async with transaction():
        await reports.freeze(s.agent, eid)
    # one member signs N times at once: one signature, one charge
    wins, losses = await race(
        in_transaction(lambda: reports.sign(first, eid, development.CONFIRMATION))
    )
    one_wins(wins, losses)
    assert await charges("e_signature") == 1
    assert await audited("evaluation_member.sign") == 1
    # the others sign at once: the last signature completes the report exactly once
    others = iter(s.members[1:])
    wins, losses = await race(
        in_transaction(lambda: reports.sign(next(others), eid, development.CONFIRMATION)), n=4
    )
    assert len(wins) + len([c for c in losses if c == "CONFLICT"]) == 4, losses
    for user in s.members[1:]:  # a signer that lost a race signs again
        if (await evaluations.member_of(user, eid))["status"] != "signed":
            async with transaction():
                await reports.sign(user, eid, development.CONFIRMATION)
    assert await charges("e_signature") == 5
    assert (await reports.report_of(eid))["status"] == "signed"
    assert await audited("evaluation_report.complete_signatures") == 1
    async with transaction():
        await reports.send(s.agent, eid)
    # the purchaser confirms N times at once: one confirmation
    winner = s.bids[2]["id"]  # the lowest price: first in the ranking
    with use_scope(s.scope):
        wins, losses = await race(
            in_transaction(lambda: reports.confirm_winner(s.purchaser, eid, winner))
        )
    one_wins(wins, losses)
    assert await audited("evaluation_report.confirm_winner") == 1


async def test_the_deemed_confirmation_and_a_late_purchaser_raced(world, traveller):
    """At the end of confirm_by the scheduler deems the first candidate confirmed (Order 87 art.
    68) while the purchaser confirms late: one of them confirms, once."""
    s = await opened_evaluation(world, traveller)
    eid = s.evaluation["id"]
    with clock.on_day(EVALUATION_DAY):
        report = await sent_report(s)
    first = json.loads(report["content"])["ranking"][0]["bid"]
    traveller.move_to(clock.end_of(report["confirm_by"]))

    async def purchaser():
        with use_scope(s.scope):
            async with transaction():
                return await reports.confirm_winner(s.purchaser, eid, first)

    async def attempt(call):
        try:
            return await call()
        except DomainError as exc:
            return exc.code

    outcomes = await asyncio.gather(
        attempt(lambda: scheduler.run_once(clock.now())), attempt(purchaser), attempt(purchaser)
    )
    assert [o for o in outcomes if isinstance(o, str)] in (["WRONG_STATE"] * 2, ["WRONG_STATE"])
    assert (
        await audited("evaluation_report.confirm_winner")
        + await audited("evaluation_report.deem_confirmed")
        == 1
    )
    confirmed = await reports.report_of(eid)
    assert (confirmed["status"], confirmed["winner"]) == ("confirmed", first)


async def test_the_last_members_submitting_at_once_tell_the_chair_once(world, traveller):
    """One member's submission sent N times at once is taken once; the last two members
    submitting at once: the chair hears of the outliers exactly once (the evaluation's lock:
    without it each sees the other still scoring on PostgreSQL, and nobody tells the chair)."""
    s = await opened_evaluation(world, traveller)
    eid = s.evaluation["id"]
    seats = await evaluations.members(eid)
    with clock.on_day(EVALUATION_DAY):
        await check_in_all(s)
        await passed_reviews(s)
        async with transaction():
            await committees.choose_chair(s.agent, s.committee["id"], seats[1]["seat"])
        for i, user in enumerate(s.members):
            for b in s.bids:
                given = {"技术": "49", "服务": "19"} if (i, b) == (0, s.bids[0]) else None
                async with transaction():
                    await scores.record(user, eid, b["id"], given or {"技术": "40", "服务": "15"})
        one_wins(*await race(in_transaction(lambda: scores.submit(s.members[0], eid))))
        for user in s.members[1:-2]:
            async with transaction():
                await scores.submit(user, eid)
        await asyncio.gather(
            *(in_transaction(lambda u=u: scores.submit(u, eid))() for u in s.members[-2:])
        )
    with all_tenants("test: notifications"):
        told = await Notification.count().where(Notification.kind == "evaluation.outliers")
    assert told == 1
