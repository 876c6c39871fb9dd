"""One sequencer at a time: the leader lease and its fencing token, contenders racing for it,
a paused leader unable to write after losing it, standbys taking over, and sequencers racing
writers of many tenants without losing or doubling an entry."""

import asyncio
from datetime import timedelta

import pytest

from gpcloud.core.audit import sequencer
from gpcloud.core.audit import service as audit
from gpcloud.core.audit.tables import AuditEntry, AuditTreeHead
from gpcloud.core.db import transaction
from gpcloud.core.scheduler import lease as leases
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree

TTL = timedelta(seconds=30)
TENANTS = ("441481", "441424", "441400", "440100", "440300", "440000")


async def pending() -> int:
    with all_tenants("test: count the entries waiting"):
        return await AuditEntry.count().where(AuditEntry.seq.is_null())


async def drained(seconds: float = 30) -> None:
    """Wait until the background loops have sequenced everything (a hang guard, not a timing
    assertion)."""
    for _ in range(int(seconds / 0.05)):
        if await pending() == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{await pending()} entries still unsequenced after {seconds} s")


async def test_a_lease_is_held_renewed_taken_over_and_released():
    a = await leases.acquire("test.lease", "a", TTL)
    assert (a.holder, a.token) == ("a", 1)
    assert await leases.acquire("test.lease", "b", TTL) is None
    renewed = await leases.acquire("test.lease", "a", TTL)
    assert renewed.token == 1 and renewed.expires_at >= a.expires_at
    await leases.release(renewed)
    b = await leases.acquire("test.lease", "b", TTL)
    assert (b.holder, b.token) == ("b", 2)
    again = await leases.acquire("test.lease", "a", TTL)
    assert again is None
    await leases.release(a)  # a stale release changes nothing
    assert (await leases.current("test.lease")).holder == "b"
    expired = await leases.acquire("test.other", "c", timedelta(0))
    taken = await leases.acquire("test.other", "d", TTL)
    assert (expired.token, taken.token) == (1, 2)


async def test_of_many_contenders_exactly_one_leads():
    """Three rounds; after each the winner lets go. The token moves on when the holder does."""
    previous = None
    for round_ in range(3):
        won = await asyncio.gather(
            *(leases.acquire("test.race", f"holder{i}", TTL) for i in range(12))
        )
        winners = [w for w in won if w is not None]
        assert len(winners) == 1, round_
        if previous is not None:
            same = winners[0].holder == previous.holder
            assert winners[0].token == previous.token + (0 if same else 1)
        previous = winners[0]
        await leases.release(previous)


async def test_a_fenced_write_of_a_leader_that_lost_its_lease_is_refused():
    old = await leases.acquire("test.fence", "old", timedelta(0))
    new = await leases.acquire("test.fence", "new", TTL)
    with pytest.raises(leases.LeaseLost):
        async with transaction():
            await leases.fence(old)
    async with transaction():
        await leases.fence(new)


async def test_a_paused_sequencer_writes_nothing_after_losing_the_lease():
    """The old leader wakes after a successor took over: its batch is refused, nothing of it
    is written, and the successor's batch is the log."""
    paused = await leases.acquire(sequencer.NAME, "paused", timedelta(0))
    successor = await leases.acquire(sequencer.NAME, "successor", TTL)
    assert successor.token == paused.token + 1
    with pytest.raises(leases.LeaseLost):
        await sequencer.integrate(paused)
    assert await pending() == 30
    with all_tenants("test: no head yet"):
        assert not await AuditTreeHead.exists()
    head = await sequencer.integrate(successor)
    assert head.tree_size == 30
    with all_tenants("test: the head records its leader"):
        row = await AuditTreeHead.select(AuditTreeHead.lease_token).first()
    assert row["lease_token"] == successor.token
    with pytest.raises(sequencer.SequencerBusy):
        await sequencer.sequence()  # on demand, while the successor leads
    assert (await audit.verify()).ok


async def test_a_standby_takes_over_from_a_leader_that_died():
    """A worker died holding the lease (no release): a standby loop leads once it expires."""
    dead = await leases.acquire(sequencer.NAME, "dead-worker", timedelta(seconds=1))
    stop = asyncio.Event()
    standby = asyncio.create_task(sequencer.run(stop, interval=0.05, ttl=timedelta(seconds=5)))
    try:
        await drained()
    finally:
        stop.set()
        await standby
    current = await leases.current(sequencer.NAME)
    assert current.holder != "dead-worker" and current.token == dead.token + 1
    assert current.expires_at <= current.acquired_at + timedelta(seconds=5)
    assert (await audit.verify()).ok


async def test_sequencer_loops_racing_writers_of_many_tenants_lose_and_double_nothing():
    """Three worker loops (one leads, two stand by) while writers of six tenants commit."""
    stop = asyncio.Event()
    loops = [
        asyncio.create_task(sequencer.run(stop, interval=0.02, ttl=timedelta(seconds=5)))
        for _ in range(3)
    ]

    async def writer(tenant: str) -> None:
        for n in range(10):
            with use_scope((await tenant_tree()).scope_for(tenant)):
                async with transaction():
                    await audit.record("test.race", "thing", n, None, {"n": n})
            await asyncio.sleep(0)

    try:
        await asyncio.gather(*(writer(t) for t in TENANTS))
        await drained()
    finally:
        stop.set()
        await asyncio.gather(*loops)
    result = await audit.verify()
    assert result.ok and result.entries == 30 + 60 and result.pending == 0
    with all_tenants("test: heads"):
        tokens = {r["lease_token"] for r in await AuditTreeHead.select(AuditTreeHead.lease_token)}
    assert len(tokens) == 1  # one leader signed every head
