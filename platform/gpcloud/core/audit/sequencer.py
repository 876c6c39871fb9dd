"""The sequencer: the one writer that gives committed audit entries their place in the log.

As trillian's log signer does, it takes the oldest entries not yet in the tree, in one
transaction numbers them after the last signed head, appends their leaf hashes to the tree
(whose right edge is saved with each head), stores the subtrees they complete, and signs the new
head. Exactly one sequencer acts at a time: it holds the `audit.sequencer` lease and fences each
batch with it (core/scheduler/lease.py), so one paused past its lease writes nothing once a
successor has taken over; unique positions and tree sizes would refuse a second writer too.

Every worker runs `run` (worker.py; in the embedded default the worker inside `serve`): one leads,
the others stand by for the lease. `sequence` does the same work on demand
(`gpcloud audit sequence`, the tests).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

from gpcloud.core import clock
from gpcloud.core.audit import heads, merkle
from gpcloud.core.audit.service import leaf
from gpcloud.core.audit.tables import AuditEntry, AuditNode, AuditTreeHead
from gpcloud.core.audit.tree import stored
from gpcloud.core.db import bulk_insert, is_sqlite, transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.scheduler import lease as leases
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.piccolo_conf import DB
from gpcloud.settings import get_settings

log = logging.getLogger(__name__)

NAME = "audit.sequencer"
TTL = timedelta(seconds=15)
BATCH = 1000


class SequencerBusy(DomainError):
    def __init__(self, holder: str):
        super().__init__(
            "AUDIT_SEQUENCER_BUSY",
            f"the audit sequencer is running in {holder}; it adds new entries within seconds",
        )


async def sequence(
    lease: leases.Held | None = None, batch: int = BATCH, ttl: timedelta = TTL
) -> list[heads.Head]:
    """Sequence every committed entry not yet in the tree; one signed head per batch. Without
    a lease, takes the sequencer's lease for the run (SequencerBusy when another has it)."""
    own = lease is None
    if lease is None:
        lease = await leases.acquire(NAME, leases.holder_id(), ttl)
        if lease is None:
            current = await leases.current(NAME)
            raise SequencerBusy(current.holder if current else "another process")
    signed = []
    try:
        while (head := await integrate(lease, batch)) is not None:
            signed.append(head)
            lease = await leases.acquire(NAME, lease.holder, ttl)  # renew between batches
            if lease is None:
                raise leases.LeaseLost(f"{NAME}: lost the lease between batches")
    finally:
        if own and lease is not None:
            await leases.release(lease)
    return signed


async def integrate(lease: leases.Held, batch: int = BATCH) -> heads.Head | None:
    """One batch: number up to `batch` entries, store the tree's new nodes, sign the head."""
    with all_tenants("audit sequencer: one log for the whole province", audited=False):
        async with transaction():
            await leases.fence(lease)
            pending = await (
                AuditEntry.select()
                .where(AuditEntry.seq.is_null())
                .order_by(AuditEntry.id)
                .limit(batch)
            )
            if not pending:
                return None
            last = await (
                AuditTreeHead.select(AuditTreeHead.tree_size, AuditTreeHead.frontier)
                .order_by(AuditTreeHead.tree_size, ascending=False)
                .first()
            )
            tree = (
                merkle.CompactRange(
                    last["tree_size"], [bytes.fromhex(h) for h in json.loads(last["frontier"])]
                )
                if last
                else merkle.CompactRange()
            )
            assigned, nodes = [], []
            for row in pending:
                value = merkle.leaf_hash(leaf(row, tree.size))
                assigned.append((row["id"], tree.size, value.hex()))
                nodes += stored(tree.append(value))
            await _assign(assigned)
            if nodes:
                await bulk_insert(AuditNode, nodes, returning=False)
            head = heads.sign(tree.size, tree.root().hex(), clock.now())
            await AuditTreeHead.insert(
                AuditTreeHead(
                    tree_size=head.tree_size,
                    root_hash=head.root_hash,
                    signed_at=head.signed_at,
                    signature=head.signature,
                    key_id=head.key_id,
                    frontier=json.dumps([h.hex() for h in tree.frontier]),
                    lease_token=lease.token,
                )
            )
    return head


async def _assign(assigned: list[tuple[int, int, str]]) -> None:
    """Set (id, seq, leaf_hash) on entries still unsequenced, in one statement; anything less
    than all of them means a second writer, and the batch rolls back."""
    connection = DB.current_transaction.get().connection
    if is_sqlite():
        cursor = await connection.executemany(
            "UPDATE audit_entry SET seq = ?, leaf_hash = ? WHERE id = ? AND seq IS NULL",
            [(seq, value, entry) for entry, seq, value in assigned],
        )
        count = cursor.rowcount
    else:
        rows = await connection.fetch(
            "UPDATE audit_entry AS e SET seq = v.seq, leaf_hash = v.leaf_hash "
            "FROM unnest($1::integer[], $2::bigint[], $3::varchar[]) AS v(id, seq, leaf_hash) "
            "WHERE e.id = v.id AND e.seq IS NULL RETURNING e.id",
            *map(list, zip(*assigned, strict=True)),
        )
        count = len(rows)
    if count != len(assigned):
        raise RuntimeError(f"audit sequencer: {len(assigned) - count} entries sequenced twice")


async def run(stop: asyncio.Event, interval: float | None = None, ttl: timedelta = TTL) -> None:
    """The worker's loop: sequence every `interval` seconds while holding the lease."""
    interval = interval or get_settings().audit_sequence_interval_ms / 1000
    await leases.lead(NAME, lambda lease: sequence(lease, ttl=ttl), stop, interval, ttl)
