"""The Merkle tree as stored: leaf hashes on the entries, the hashes of complete subtrees of
STORED_SIZE leaves and more in audit_node (about one row per STORED_SIZE / 2 entries), so a
proof reads a handful of rows and at most 2 * STORED_SIZE leaf hashes, whatever the log's size."""

from __future__ import annotations

from collections.abc import Iterable

from gpcloud.core.audit import merkle
from gpcloud.core.audit.tables import AuditEntry, AuditNode
from gpcloud.core.db import any_of
from gpcloud.core.tenancy.scope import all_tenants

STORED_LEVEL = 4
STORED_SIZE = 1 << STORED_LEVEL


def node_key(level: int, index: int) -> int:
    return index << 6 | level


def stored(completed: Iterable[tuple[int, int, bytes]]) -> list[dict]:
    """The audit_node rows for subtrees a batch completed (merkle.CompactRange.append)."""
    return [
        {"node": node_key(level, index), "hash": value.hex()}
        for level, index, value in completed
        if level >= STORED_LEVEL
    ]


async def range_hashes(ranges: list[merkle.Range]) -> list[bytes]:
    """MTH of each leaf range (ranges of a proof), in two queries."""
    subtrees = {s for a, b in ranges for s in merkle.perfect_subtrees(a, b)}
    large = {(start, size) for start, size in subtrees if size >= STORED_SIZE}
    positions = sorted({p for start, size in subtrees - large for p in range(start, start + size)})
    with all_tenants(
        "audit proofs: hashes of entries of every tenant (no contents)", audited=False
    ):
        nodes = {}
        if large:
            keys = {
                node_key(size.bit_length() - 1, start // size): (start, size)
                for start, size in large
            }
            rows = await AuditNode.select().where(any_of(AuditNode.node, list(keys)))
            nodes = {keys[r["node"]]: bytes.fromhex(r["hash"]) for r in rows}
        leaves = {}
        if positions:
            rows = await AuditEntry.select(AuditEntry.seq, AuditEntry.leaf_hash).where(
                any_of(AuditEntry.seq, positions)
            )
            leaves = {r["seq"]: bytes.fromhex(r["leaf_hash"]) for r in rows}

    def subtree(s: merkle.Subtree) -> bytes:
        start, size = s
        if size >= STORED_SIZE:
            if s not in nodes:
                raise LookupError(
                    f"audit tree: no stored hash for leaves {start}..{start + size - 1}"
                )
            return nodes[s]
        return merkle.root([leaves[p] for p in range(start, start + size)])

    return merkle.hash_ranges(ranges, subtree)
