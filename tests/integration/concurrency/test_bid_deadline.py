"""The bid deadline raced: three workers' schedulers and three ticks of one leader at the
deadline close bidding once (one close, one hall, one credit check per bidder); bids racing the
close are either in before it or refused as late, never lost between."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import time_machine

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.errors import DomainError
from gpcloud.core.scheduler import lease as leases
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import bids
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import (
    DEADLINE,
    bidder,
    project_row,
    seal,
    submit,
    tender,
)


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def actions(name: str) -> int:
    with all_tenants("test: the audit log"):
        return await AuditEntry.count().where(AuditEntry.action == name)


async def three_bids(world, traveller) -> int:
    project = await tender(world, traveller)
    traveller.move_to(DEADLINE - timedelta(minutes=5))
    for n in range(3):
        await submit(await bidder(n + 1), project, "4000000")
    return project


async def test_three_workers_racing_the_deadline_close_bidding_once(world, traveller):
    project = await three_bids(world, traveller)
    traveller.move_to(DEADLINE + timedelta(milliseconds=5))
    stop = asyncio.Event()
    loops = [asyncio.create_task(scheduler.run(stop, interval=0.02)) for _ in range(3)]
    for _ in range(300):
        if (await project_row(project))["status"] == "opening":
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)  # let the others tick again over the moved row
    stop.set()
    await asyncio.gather(*loops)
    assert (await project_row(project))["status"] == "opening"
    assert await actions("project.close_bidding") == 1
    assert await actions("project.open_hall") == 1


async def test_one_leader_ticking_three_times_at_once_closes_once(world, traveller):
    project = await three_bids(world, traveller)
    traveller.move_to(DEADLINE)
    lease = await leases.acquire(scheduler.NAME, "test", timedelta(seconds=30))
    results = await asyncio.gather(*(scheduler.tick(lease) for _ in range(3)))
    assert [d.action for ran in results for d in ran] == ["close_bidding"]
    assert (await project_row(project))["status"] == "opening"
    assert await actions("project.open_hall") == 1


async def test_bids_racing_the_close_are_counted_or_refused_never_lost(world, traveller):
    """Bids arriving a millisecond before the deadline while the scheduler closes: each is
    either a bid the close saw (it holds the project until it commits) or refused late."""
    project = await tender(world, traveller)
    racers = [await bidder(n + 1) for n in range(5)]
    sealed = [seal(b, project, "4000000")[0] for b in racers]
    traveller.move_to(DEADLINE - timedelta(milliseconds=1))

    async def bid(b, s):
        try:
            await bids.submit(b.user, project, "1", s.ciphertext, s.wrapped_key, s.signature)
            return "in"
        except DomainError as exc:
            return exc.code

    async def close():
        traveller.move_to(DEADLINE)
        return await scheduler.run_once()

    outcomes = await asyncio.gather(
        *(bid(b, s) for b, s in zip(racers, sealed, strict=True)), close()
    )
    codes = outcomes[:-1]
    assert set(codes) <= {"in", "BID_LATE"}
    with all_tenants("test"):
        stored = await bids.of_project(project)
    assert len(stored) == codes.count("in")
    await scheduler.run_once()
    row = await project_row(project)
    assert row["status"] in ("opening", "failed")
    assert (row["status"] == "opening") == (codes.count("in") >= 3)
    for b in stored:  # every bid in was there for the close: its credit check ran or none did
        assert b["received_at"] < DEADLINE
