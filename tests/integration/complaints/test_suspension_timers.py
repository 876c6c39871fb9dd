"""A suspension (Law art. 57) holds the suspended procurement's running timer and, when it ends
(expired, lifted, or with the decision), runs it on with the time it had left: a sealed tender
published 21 Sep 2026 with its deadline at 26 Oct 09:30, suspended on 12 Oct at 10:00 (13 days
23.5 hours left). Every instant is pinned with time-machine."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine

from gpcloud.complaints.service import complaints, decisions, suspensions
from gpcloud.core import clock
from gpcloud.core.errors import DomainError
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.transaction import documents
from tests.integration.complaints.support import DOCS, answer, call, challenge, complain, obtain
from tests.integration.concurrency.test_transitions import audited
from tests.integration.procurement import actor, filed_plan
from tests.integration.transaction.bidding import (
    PUBLISHED_AT,
    bidder,
    project_row,
    submit,
    tender,
)

DEADLINE = datetime.fromisoformat("2026-10-26T09:30:00+08:00")
SUSPENDED_AT = datetime.fromisoformat("2026-10-12T10:00:00+08:00")
LEFT = DEADLINE - SUSPENDED_AT


@pytest.fixture
def traveller():
    with time_machine.travel(PUBLISHED_AT, tick=False) as moving:
        yield moving


async def run(traveller, instant: datetime, work, who):
    """`work()` as `who` at `instant`, its day pinned."""
    traveller.move_to(instant)
    return await call(who, instant.astimezone(clock.LEGAL_TZ).date(), work)


@pytest.fixture
async def world(demo, traveller):
    """Tendering with a deadline instant; a Guangzhou supplier obtained the documents,
    challenged the tender announcement, was answered and complained; accepted."""
    world = await filed_plan()
    project = await tender(world, traveller, DEADLINE)
    agent = world["agent"]
    traveller.move_to(datetime.fromisoformat("2026-09-22T09:00:00+08:00"))
    with use_scope(world["scope"]), clock.on_day(date(2026, 9, 22)):
        await documents.publish(agent, project, DOCS)
    sealed = await bidder(1)
    rival = sealed.user
    await obtain(rival, project)
    world = {
        **world,
        "project": project,
        "rival": rival,
        "bidder": sealed,
        "department": await actor("xn.supervisor"),
    }
    traveller.move_to(datetime.fromisoformat("2026-10-09T09:00:00+08:00"))
    row = await challenge(world, date(2026, 10, 9), "step", "tender_announcement")
    await answer(world, row["id"], date(2026, 10, 10))
    filed = await complain(world, row["id"], date(2026, 10, 12))
    dept = world["department"]
    await run(traveller, SUSPENDED_AT, lambda: complaints.accept(dept, filed["id"]), dept)
    return {**world, "complaint": filed["id"]}


async def suspend(world, traveller, days: int = 10) -> dict:
    dept = world["department"]
    return await run(
        traveller,
        SUSPENDED_AT,
        lambda: suspensions.suspend(dept, world["complaint"], days, "投诉处理期间暂停"),
        dept,
    )


async def project_ran(now: datetime) -> list:
    return [d for d in await scheduler.run_once(now=now) if d.machine == "project"]


async def test_the_bid_deadline_stands_still_and_runs_on_when_the_suspension_expires(
    world, traveller
):
    suspension = await suspend(world, traveller)
    held_timer = suspension["held"]
    assert (held_timer["timer"], held_timer["remaining_seconds"]) == (
        "bidding",
        LEFT.total_seconds(),
    )
    assert datetime.fromisoformat(held_timer["was"]) == DEADLINE
    held = await project_row(world["project"])
    assert (held["status"], held["bid_deadline_at"], held["next_check"]) == (
        "tendering",
        None,
        None,
    )
    assert await audited("project.hold_bidding") == 1

    expired_at = clock.end_of(date(2026, 10, 21)) + timedelta(seconds=1)
    traveller.move_to(expired_at)
    await scheduler.run_once(now=expired_at)
    assert (await suspensions.get(suspension["id"]))["status"] == "expired"
    resumed = await project_row(world["project"])
    assert resumed["bid_deadline_at"] == expired_at + LEFT  # 4 Nov 23:30:01
    assert resumed["bid_deadline"] == date(2026, 11, 4)
    assert resumed["next_check"] == expired_at + LEFT
    assert await audited("project.resume_bidding") == 1

    traveller.move_to(DEADLINE + timedelta(seconds=1))  # the old deadline: nothing happens
    assert await project_ran(DEADLINE + timedelta(seconds=1)) == []
    assert (await project_row(world["project"]))["status"] == "tendering"
    after = expired_at + LEFT + timedelta(seconds=1)
    traveller.move_to(after)
    ran = await project_ran(after)
    assert ran[0].action == "close_bidding" and ran[0].due_at == expired_at + LEFT


async def test_lifting_early_resumes_with_the_time_left(world, traveller):
    suspension = await suspend(world, traveller)
    day_later = datetime.fromisoformat("2026-10-13T10:00:00+08:00")
    traveller.move_to(day_later)
    assert await project_ran(day_later) == []
    with pytest.raises(DomainError) as refused, clock.on_day(date(2026, 10, 13)):
        await submit(world["bidder"], world["project"], "4000000")  # none while suspended
    assert refused.value.code == "PROCUREMENT_SUSPENDED"
    lifted_at = datetime.fromisoformat("2026-10-15T16:00:00+08:00")
    dept = world["department"]
    await run(traveller, lifted_at, lambda: suspensions.lift(dept, suspension["id"]), dept)
    resumed = await project_row(world["project"])
    assert resumed["bid_deadline_at"] == lifted_at + LEFT  # 29 Oct 15:30
    assert resumed["status"] == "tendering"
    with clock.on_day(date(2026, 10, 15)):
        row, _, _ = await submit(world["bidder"], world["project"], "4000000")
    assert row["status"] == "submitted"


async def test_a_decision_that_annuls_the_project_leaves_nothing_to_resume(world, traveller):
    await suspend(world, traveller)
    dept, agent = world["department"], world["agent"]
    cid = world["complaint"]
    await run(
        traveller,
        datetime.fromisoformat("2026-10-13T09:00:00+08:00"),
        lambda: complaints.serve(dept, cid),
        dept,
    )
    await run(
        traveller,
        datetime.fromisoformat("2026-10-14T09:00:00+08:00"),
        lambda: complaints.respond(agent, cid, "公告合规"),
        agent,
    )
    data = decisions.DecisionInput(
        "upheld",
        "公告期限不足",
        "兴财采决〔2026〕5号",
        remedy="redo_step",
        step="tender_announcement",
    )
    decision = await run(
        traveller,
        datetime.fromisoformat("2026-10-16T09:00:00+08:00"),
        lambda: decisions.decide(dept, cid, data),
        dept,
    )
    assert decision["carried_out"][0]["to"] == "annulled"
    row = await project_row(world["project"])
    assert (row["status"], row["bid_deadline_at"], row["next_check"]) == ("annulled", None, None)
    assert await audited("project.resume_bidding") == 0


async def test_nothing_is_held_once_the_deadline_passed(world, traveller):
    """A suspension ordered after the deadline instant (the scheduler not yet run) holds
    nothing: the project closes as it would have."""
    late = DEADLINE + timedelta(minutes=5)
    dept = world["department"]
    suspension = await run(
        traveller,
        late,
        lambda: suspensions.suspend(dept, world["complaint"], 5, "暂停"),
        dept,
    )
    assert suspension["held"] == {}
    assert (await project_row(world["project"]))["bid_deadline_at"] == DEADLINE


async def test_the_decryption_window_stands_still_too(world, traveller):
    """Three bids, the hall opened at the deadline (30 minutes to unseal); suspended 10 minutes
    in, the window's 20 minutes 2 seconds left run on from the lifting."""
    sealed = [world["bidder"], await bidder(2), await bidder(3)]
    traveller.move_to(datetime.fromisoformat("2026-10-20T09:00:00+08:00"))
    with clock.on_day(date(2026, 10, 20)):
        for n, b in enumerate(sealed):
            if n:
                await obtain(b.user, world["project"])
            await submit(b, world["project"], f"40{n}0000")
    opened_at = DEADLINE + timedelta(seconds=2)
    traveller.move_to(opened_at)
    await project_ran(opened_at)
    hall = await project_row(world["project"])
    assert (hall["status"], hall["opening_ends_at"]) == (
        "opening",
        opened_at + timedelta(minutes=30),
    )
    dept = world["department"]
    suspension = await run(
        traveller,
        DEADLINE + timedelta(minutes=10),
        lambda: suspensions.suspend(dept, world["complaint"], 5, "暂停开标"),
        dept,
    )
    left = timedelta(minutes=20, seconds=2)
    assert (suspension["held"]["timer"], suspension["held"]["remaining_seconds"]) == (
        "unsealing",
        left.total_seconds(),
    )
    assert (await project_row(world["project"]))["opening_ends_at"] is None
    late = opened_at + timedelta(hours=1)  # the window's old end: nothing runs
    traveller.move_to(late)
    assert await project_ran(late) == []
    lifted_at = datetime.fromisoformat("2026-10-27T10:00:00+08:00")
    await run(traveller, lifted_at, lambda: suspensions.lift(dept, suspension["id"]), dept)
    resumed = await project_row(world["project"])
    assert (resumed["status"], resumed["opening_ends_at"]) == ("opening", lifted_at + left)
    assert await audited("project.resume_unsealing") == 1


async def test_the_held_timer_shows_to_the_region_only(world, traveller, client):
    from tests.integration.complaints.test_api import supervisor_of
    from tests.support import data, gql, login

    await suspend(world, traveller)
    query = "query { suspensions { edges { node { heldTimer heldSeconds heldDueAt } } } }"
    token = await login(client, "xn.supervisor")
    [node] = [
        e["node"] for e in data(await gql(client, query, token=token))["suspensions"]["edges"]
    ]
    assert node["heldTimer"] == "bidding" and node["heldSeconds"] == LEFT.total_seconds()
    assert datetime.fromisoformat(node["heldDueAt"]) == DEADLINE
    sibling = await login(client, await supervisor_of("441424"), "x" * 12)
    assert data(await gql(client, query, token=sibling))["suspensions"]["edges"] == []
