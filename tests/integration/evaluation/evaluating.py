"""The evaluation tests' setting: the sealed-bid tender of setting.py with documents (two
criteria, a qualification and a compliance item), three bidders unsealed at the opening, and a
committee of five drawn experts that confirmed and started: `opened_evaluation` returns the
evaluation and who acts on it. Every instant is one the test chose (time-machine)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from gpcloud.core import clock
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import transaction
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.credit.service import records
from gpcloud.evaluation.service import (
    checkin,
    committees,
    common,
    evaluations,
    reports,
    reviews,
    scores,
    seats,
)
from gpcloud.transaction import documents, opening
from gpcloud.transaction import service as projects
from gpcloud.usage import development
from tests.integration.credit.support import blacklisting
from tests.integration.evaluation.setting import AFTER, committee, drawn, experts
from tests.integration.procurement import actor
from tests.integration.transaction.bidding import (
    DEADLINE,
    PUBLISHED_AT,
    Bidder,
    bidder,
    demo_bidder,
    tender,
)
from tests.integration.transaction.bidding import submit as submit_bid

DOCS = documents.DocumentsInput(
    summary="首版",
    requirements=[{"item": "教学一体机", "quantity": 40}],
    qualification=[{"item": "营业执照"}],
    compliance=[{"item": "交货期不超过30日"}],
    criteria=[{"name": "技术", "weight": 50}, {"name": "服务", "weight": 20}],
    price_weight=30,
)
STARTED = datetime.fromisoformat("2026-10-13T09:00:00+08:00")
EVALUATION_DAY = date(2026, 10, 13)  # today() for the steps from the evaluation on


@dataclass
class Setting:
    evaluation: dict
    committee: dict
    agent: CurrentUser
    purchaser: CurrentUser
    members: list[CurrentUser]  # the confirmed experts' accounts, in seat order
    bidders: list[Bidder]
    bids: list[dict]  # evaluation bids in bidder order
    scope: object  # the project's region (Xingning), where the purchaser acts


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def opened_evaluation(
    world: dict,
    traveller,
    prices: tuple[str, ...] = ("4000000", "3900000", "3800000"),
    registered: str | None = None,
    docs: documents.DocumentsInput = DOCS,
    blacklisted: int | None = None,
) -> Setting:
    """`registered`: the demo supplier account whose company (in the supplier registry, so it
    can be awarded) bids second, instead of a made-up bidder. `blacklisted`: the bidder (its
    index) on the serious-violation list when the evaluation starts."""
    project = await tender(world, traveller)
    traveller.move_to(PUBLISHED_AT + timedelta(hours=1))
    with use_scope(world["scope"]):
        await documents.publish(world["agent"], project, docs)
    found = [await bidder(i + 1) for i in range(len(prices))]
    if registered is not None:
        found[1] = await demo_bidder(registered)
    traveller.move_to(DEADLINE - timedelta(hours=1))
    sealed = [await submit_bid(b, project, price) for b, price in zip(found, prices, strict=True)]
    traveller.move_to(AFTER)
    await scheduler.run_once(clock.now())
    pool = dict(await experts(9))
    row = await committee(world, project)
    await drawn(world, row)
    invited = [m for m in await common.members(row["id"]) if m["status"] == "invited"]
    for m in invited:
        async with transaction():
            await seats.confirm(pool[m["expert"]], m["id"])
    for b, (bid, _, key) in zip(found, sealed, strict=True):
        assert (await opening.unseal(b.user, bid["id"], b64(key))).failure is None
    with all_tenants("test"):
        hall = await projects.get(project)
    traveller.move_to(hall["opening_ends_at"] + timedelta(seconds=1))
    await scheduler.run_once(clock.now())
    traveller.move_to(STARTED)
    if blacklisted is not None:
        with use_scope(world["scope"]):
            await records.record(
                await actor("xn.supervisor"), blacklisting(found[blacklisted].organisation)
            )
    async with transaction():
        started = await committees.start_evaluation(world["agent"], row["id"])
    async with transaction():
        evaluation = await evaluations.open_evaluation(world["agent"], row["id"])
    bids = await evaluations.bids(evaluation["id"])
    by_org = {b["supplier_organisation"]: b for b in bids}
    return Setting(
        evaluation=evaluation,
        committee=started,
        agent=world["agent"],
        purchaser=world["purchaser"],
        members=[pool[m["expert"]] for m in invited],
        bidders=found,
        bids=[by_org[b.organisation] for b in found],
        scope=world["scope"],
    )


def face_of(member_row: dict) -> bytes:
    return development.face_sample(f"expert:{member_row['expert']}")


async def check_in_all(s: Setting) -> None:
    for user, m in zip(s.members, await evaluations.members(s.evaluation["id"]), strict=True):
        async with transaction():
            done = await checkin.check_in(user, s.evaluation["id"], face_of(m), "first")
        assert done.failure is None, done.failure


async def sent_report(s: Setting) -> dict:
    """The rest of the evaluation in one go, every member scoring alike: check-in, both
    reviews passed, scores, the report frozen, signed and sent to the purchaser; the report."""
    eid = s.evaluation["id"]
    await check_in_all(s)
    for b in s.bids:
        async with transaction():
            await reviews.qualify(s.agent, eid, b["id"], "营业执照", True)
        async with transaction():
            await reviews.comply(s.members[0], eid, b["id"], "交货期不超过30日", True)
    for user in s.members:
        for b in s.bids:
            async with transaction():
                await scores.record(user, eid, b["id"], {"技术": "40", "服务": "15"})
        async with transaction():
            await scores.submit(user, eid)
    async with transaction():
        await reports.freeze(s.agent, eid)
    for user in s.members:
        async with transaction():
            await reports.sign(user, eid, development.CONFIRMATION)
    async with transaction():
        return await reports.send(s.agent, eid)


async def confirmed_winner(s: Setting) -> dict:
    """As sent_report, and the purchaser confirms the first; the winning evaluation bid (the
    lowest price ranks first)."""
    report = await sent_report(s)
    eid = s.evaluation["id"]
    first = json.loads(report["content"])["ranking"][0]["bid"]
    with use_scope(s.scope):
        async with transaction():
            await reports.confirm_winner(s.purchaser, eid, first)
    return next(b for b in s.bids if b["id"] == first)
