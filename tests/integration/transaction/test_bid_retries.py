"""Bid submission is safe to retry: the same bid again (same ciphertext, or the same client
idempotency key) returns the original receipt, never a second bid and never an error, also once
the deadline has passed; N copies sent at once make one bid and get one receipt."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import time_machine

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import bids
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE, MS, bidder, seal, tender

N = 8


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def send(b, project: int, sealed, key: str | None = None, lot: str = "1"):
    return await bids.submit(
        b.user,
        project,
        lot,
        sealed.ciphertext,
        sealed.wrapped_key,
        sealed.signature,
        "保证金-1",
        idempotency_key=key,
    )


async def stored(project: int) -> list[dict]:
    with all_tenants("test"):
        return await bids.of_project(project)


async def audited(project: int) -> int:
    with all_tenants("test: the audit log"):
        rows = await AuditEntry.select(AuditEntry.object_id).where(
            AuditEntry.action == "bid.submit"
        )
    ids = {b["id"] for b in await stored(project)}
    return sum(1 for r in rows if int(r["object_id"]) in ids)


async def test_the_same_ciphertext_again_returns_the_original_receipt(world, traveller):
    project = await tender(world, traveller)
    b = await bidder(1)
    sealed, _ = seal(b, project, "4000000")
    traveller.move_to(DEADLINE - timedelta(minutes=10))
    row, receipt = await send(b, project, sealed)
    assert not receipt.replayed
    traveller.move_to(DEADLINE - timedelta(minutes=9))
    again_row, again = await send(b, project, sealed)
    assert again.replayed and again_row["id"] == row["id"]
    assert (again.content, again.signature) == (receipt.content, receipt.signature)
    [only] = await stored(project)
    assert only["status"] == "submitted" and only["replaced_by"] is None
    assert await audited(project) == 1
    # A new sealing of the same form is a new bid: it replaces the first (a different digest).
    resealed, _ = seal(b, project, "4000000")
    _, replacing = await send(b, project, resealed)
    assert not replacing.replayed and replacing.content["replaces"] == row["id"]
    assert len(await stored(project)) == 2


async def test_a_retry_after_the_deadline_gets_its_receipt_not_late(world, traveller):
    """The client timed out before the deadline and retries after it: its bid counts."""
    project = await tender(world, traveller)
    b = await bidder(1)
    sealed, _ = seal(b, project, "4000000")
    traveller.move_to(DEADLINE - MS)
    row, receipt = await send(b, project, sealed, key="client-key-0001")
    traveller.move_to(DEADLINE + timedelta(seconds=5))
    again_row, again = await send(b, project, sealed, key="client-key-0001")
    assert again.replayed and again.content == receipt.content and again_row["id"] == row["id"]
    _, by_digest = await send(b, project, sealed)
    assert by_digest.replayed and by_digest.content == receipt.content
    # A bid never received before is late, as ever.
    other, _ = seal(b, project, "3900000")
    with pytest.raises(DomainError) as late:
        await send(b, project, other)
    assert late.value.code == "BID_LATE"
    assert len(await stored(project)) == 1


async def test_an_idempotency_key_names_one_bid(world, traveller):
    project = await tender(world, traveller)
    b, other_bidder = await bidder(1), await bidder(2)
    traveller.move_to(DEADLINE - timedelta(hours=1))
    first, _ = seal(b, project, "4000000")
    second, _ = seal(b, project, "3800000")
    row, receipt = await send(b, project, first, key="order-2026-0001")
    with pytest.raises(DomainError) as reused:
        await send(b, project, second, key="order-2026-0001")
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"
    # The same bid with its key again, resent without the key: the original each time.
    assert (await send(b, project, first, key="order-2026-0001"))[1].content == receipt.content
    # Another bidder's key space is its own.
    theirs, _ = seal(other_bidder, project, "4100000")
    _, their_receipt = await send(other_bidder, project, theirs, key="order-2026-0001")
    assert not their_receipt.replayed
    for bad in ("short", "x" * 65, "空格 key 123"):
        with pytest.raises(DomainError) as invalid:
            await send(b, project, second, key=bad)
        assert invalid.value.code == "INVALID_IDEMPOTENCY_KEY"
    assert len(await stored(project)) == 2


@pytest.mark.parametrize("keyed", [False, True])
async def test_copies_sent_at_once_make_one_bid_with_one_receipt(world, traveller, keyed):
    """N copies of one bid at once (each its own task, transaction and connection): one bid,
    one audit entry, every copy answered with the same signed receipt, none an error."""
    project = await tender(world, traveller)
    b = await bidder(1)
    earlier, _ = seal(b, project, "4200000")
    sealed, _ = seal(b, project, "4000000")
    traveller.move_to(DEADLINE - timedelta(seconds=30))
    first_row, _ = await send(b, project, earlier)
    key = "race-key-0001" if keyed else None
    outcomes = await asyncio.gather(*(send(b, project, sealed, key) for _ in range(N)))
    receipts = {(r.content["bid"], r.signature) for _, r in outcomes}
    assert len(receipts) == 1, receipts
    assert sum(not r.replayed for _, r in outcomes) == 1
    rows = await stored(project)
    assert len(rows) == 2 and await audited(project) == 2
    standing = [r for r in rows if r["status"] == "submitted"]
    assert [r["id"] for r in standing] == [outcomes[0][1].content["bid"]]
    assert next(r for r in rows if r["id"] == first_row["id"])["replaced_by"] == standing[0]["id"]
