"""Leader leases with fencing tokens: at most one holder acts for a name at a time, across any
number of processes and machines (the audit sequencer; the scheduler).

    lease = await acquire("audit.sequencer", holder_id(), timedelta(seconds=15))
    if lease is not None:                # we lead until lease.expires_at, unless renewed
        async with transaction():
            await fence(lease)           # LeaseLost if another holder has taken over
            ...                          # the leader's writes
        lease = await acquire(lease.name, lease.holder, ttl)   # renew: None when lost

A lease is a row (name, holder, token, expires_at). Its token grows by one each time the lease
changes hands and never otherwise. Every write a leader makes runs in a transaction that first
calls `fence(lease)`, which locks the lease row until that transaction ends and checks that the
token is still the leader's: a leader that was paused (a long GC, a frozen VM, a lost network)
past its expiry and replaced cannot write anything once it wakes, because its token is stale,
and a new holder cannot take over while a fenced transaction is running. Safety therefore rests
on the token, not on clocks; expiry only decides when a standby may take over, so clocks need to
agree to well within the ttl.

Taking over and renewing are compare-and-sets on the row as read (token, holder, expiry), so
of several contenders, the holder renewing included, exactly one wins.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.columns import BigInt, Timestamptz, Varchar
from piccolo.table import Table

from gpcloud.core.clock import now
from gpcloud.core.tenancy.tables import ProvinceShared

log = logging.getLogger(__name__)


class Lease(ProvinceShared, Table, tablename="lease"):
    """Who leads `name` and until when; `token` is the fencing token (see the module doc)."""

    name = Varchar(length=64, unique=True)
    holder = Varchar(length=128)
    token = BigInt()
    acquired_at = Timestamptz()
    expires_at = Timestamptz()


class LeaseLost(RuntimeError):
    """The lease changed hands: the former leader must stop acting (its transaction rolls back)."""


@dataclass(frozen=True)
class Held:
    """A lease as its holder knows it."""

    name: str
    holder: str
    token: int
    acquired_at: datetime
    expires_at: datetime


def holder_id() -> str:
    """Unique per process and call: host, pid and a random suffix."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


def _held(row: dict) -> Held:
    return Held(row["name"], row["holder"], row["token"], row["acquired_at"], row["expires_at"])


async def current(name: str) -> Held | None:
    """The lease as recorded (possibly expired), e.g. to show who leads."""
    row = await Lease.select().where(Lease.name == name).first()
    return _held(row) if row else None


async def acquire(name: str, holder: str, ttl: timedelta) -> Held | None:
    """Take the lease if it is free or expired, or renew it if `holder` has it; None when
    another holder has it."""
    at = now()
    row = await Lease.select().where(Lease.name == name).first()
    if row is None:
        created = (
            await Lease.insert(
                Lease(name=name, holder=holder, token=1, acquired_at=at, expires_at=at + ttl)
            )
            .on_conflict(action="DO NOTHING")
            .returning(Lease.token)
        )
        return Held(name, holder, 1, at, at + ttl) if created else None
    ours = row["holder"] == holder
    if not ours and row["expires_at"] > at:
        return None
    token = row["token"] if ours else row["token"] + 1
    acquired = row["acquired_at"] if ours else at
    won = (
        await Lease.update(
            {
                Lease.holder: holder,
                Lease.token: token,
                Lease.acquired_at: acquired,
                Lease.expires_at: at + ttl,
            }
        )
        .where(
            (Lease.name == name)
            & (Lease.token == row["token"])
            & (Lease.holder == row["holder"])
            & (Lease.expires_at == row["expires_at"])
        )
        .returning(Lease.token)
    )
    return Held(name, holder, token, acquired, at + ttl) if won else None


async def fence(lease: Held) -> None:
    """Inside the leader's transaction, before its writes: raise LeaseLost unless the lease is
    still this holder's, and keep it from changing hands until the transaction ends (a row
    lock on PostgreSQL; SQLite's transaction already holds the database's write lock)."""
    still = (
        await Lease.update({Lease.token: Lease.token})
        .where(
            (Lease.name == lease.name)
            & (Lease.token == lease.token)
            & (Lease.holder == lease.holder)
        )
        .returning(Lease.token)
    )
    if not still:
        raise LeaseLost(f"lease {lease.name} (token {lease.token}) is no longer {lease.holder}'s")


async def release(lease: Held) -> None:
    """Let a standby take over at once (a no-op when the lease has changed hands)."""
    await Lease.update({Lease.expires_at: now()}).where(
        (Lease.name == lease.name) & (Lease.token == lease.token) & (Lease.holder == lease.holder)
    )


async def lead(
    name: str,
    work: Callable[[Held], Awaitable[object]],
    stop: asyncio.Event,
    interval: float,
    ttl: timedelta,
) -> None:
    """A worker's loop until `stop` is set: every `interval` seconds take or renew the lease
    `name` and, while holding it, do `work(lease)`; stand by while another holder has it; let a
    standby take over at the end.

    Rounds are shielded from cancellation: a transaction cancelled halfway would keep its pooled
    connection checked out for good, and closing the pool would then wait forever."""
    holder, lease = holder_id(), None
    try:
        while not stop.is_set():
            lease = await asyncio.shield(_round(name, work, holder, lease, ttl))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
    finally:
        if lease is not None:
            await asyncio.shield(release(lease))


async def _round(name, work, holder: str, lease: Held | None, ttl: timedelta) -> Held | None:
    try:
        renewed = await acquire(name, holder, ttl)
        if renewed is not None and (lease is None or lease.token != renewed.token):
            log.info("%s: %s leads (token %d)", name, holder, renewed.token)
        if renewed is not None:
            await work(renewed)
        return renewed
    except LeaseLost:
        log.warning("%s: %s lost the lease", name, holder)
    except Exception:
        log.exception("%s: a round failed; trying again", name)
    return None
