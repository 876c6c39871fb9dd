"""Record audit entries, and verify the whole log.

An entry is inserted in the transaction of the change it records, so it exists exactly when the
change was committed; it takes no lock, so writers of different tenants never wait on each
other. After commit the sequencer (sequencer.py) gives each entry its position and leaf hash
and signs a tree head over them; `verify` recomputes all of that from the entries' contents.

The leaf of the entry at position `seq` is the canonical JSON (sorted keys, no spaces, UTF-8)
of its LEAF_FIELDS, `created_at` as UTC ISO 8601 with microseconds; its leaf hash is
SHA-256(0x00 || leaf) (RFC 6962).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from gpcloud.core import clock
from gpcloud.core.audit import heads, merkle
from gpcloud.core.audit.tables import AuditEntry, AuditNode, AuditTreeHead
from gpcloud.core.audit.tree import stored
from gpcloud.core.db import any_of
from gpcloud.core.tenancy.scope import all_tenants, current_scope

LEAF_FIELDS = (
    "id",
    "seq",
    "tenant_id",
    "created_at",
    "actor_id",
    "actor",
    "action",
    "object_type",
    "object_id",
    "before_digest",
    "after_digest",
    "detail",
)


def canonical(value: Any) -> str:
    """Stable JSON: sorted keys, no spaces, Decimals and dates as strings."""

    def default(obj: Any) -> str:
        if isinstance(obj, Decimal):
            return str(obj)
        if isinstance(obj, date):
            return obj.isoformat()
        raise TypeError(f"not serialisable for the audit log: {type(obj).__name__}")

    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default
    )


class Canonical(str):
    """`canonical(state)` made ahead of time (an import makes its rows' text while the previous
    batch is being written): digested as it is."""


def digest(state: Any) -> str | None:
    """Digest of an object's state (None when there is no state: before a create, after a delete)."""
    if state is None:
        return None
    text = state if isinstance(state, Canonical) else canonical(state)
    return hashlib.sha256(text.encode()).hexdigest()


def leaf(row: dict, seq: int | None = None) -> bytes:
    """The bytes the log hashes for an entry, at position `seq` (default: its own)."""
    body = {name: row[name] for name in LEAF_FIELDS}
    if seq is not None:
        body["seq"] = seq
    body["created_at"] = row["created_at"].astimezone(UTC).isoformat(timespec="microseconds")
    return canonical(body).encode()


def leaf_hash(row: dict, seq: int | None = None) -> str:
    return merkle.leaf_hash(leaf(row, seq)).hex()


async def record(
    action: str,
    object_type: str,
    object_id: object,
    before: Any = None,
    after: Any = None,
    detail: dict | None = None,
    tenant: str | None = None,
    actor: str | None = None,
) -> dict:
    """Add an entry for a change made in the current transaction and scope."""
    scope = current_scope()
    tenant = tenant or scope.tenant
    if tenant is None:
        raise ValueError("audit.record needs a tenant outside a tenant scope")
    fields = {
        "tenant_id": tenant,
        "created_at": clock.now(),
        "actor_id": scope.user_id,
        "actor": actor or "",
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "before_digest": digest(before),
        "after_digest": digest(after),
        "detail": canonical(detail or {}),
    }
    with all_tenants(
        "audit: a change may belong to another tenant than the caller's", audited=False
    ):
        entry = AuditEntry(**fields)
        await entry.save()
    return {**fields, "id": entry.id, "seq": None, "leaf_hash": None}


@dataclass(frozen=True)
class Verification:
    entries: int  # sequenced entries found intact
    tree_size: int = 0  # of the last signed head checked
    root_hash: str = ""
    pending: int = 0  # committed entries the sequencer has not reached yet
    broken_at: int | None = None  # id of the first bad entry, when one can be named
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


class _Broken(Exception):
    def __init__(self, problem: str, entry: int | None = None):
        super().__init__(problem)
        self.problem, self.entry = problem, entry


async def _sequenced(batch: int = 1000) -> AsyncIterator[dict]:
    position = 0
    while True:
        rows = await (
            AuditEntry.select()
            .where(AuditEntry.seq >= position)
            .order_by(AuditEntry.seq)
            .limit(batch)
        )
        if not rows:
            return
        for row in rows:
            yield row
        position = rows[-1]["seq"] + 1


async def _heads(bound: int) -> AsyncIterator[dict]:
    """Heads up to size `bound`, the latest when verify began: a sequencer running meanwhile
    adds entries and heads, and a head read after the last entries would seem to lack them."""
    after = -1
    while True:
        rows = await (
            AuditTreeHead.select()
            .where((AuditTreeHead.tree_size > after) & (AuditTreeHead.tree_size <= bound))
            .order_by(AuditTreeHead.tree_size)
            .limit(1000)
        )
        if not rows:
            return
        for row in rows:
            yield row
        after = rows[-1]["tree_size"]


def _check_leaf(row: dict, previous: dict | None) -> None:
    """The entry's contents against its leaf hash; a leaf hash made for a neighbouring position
    means rows were moved, and says which one is out of place."""
    seq = row["seq"]
    if row["leaf_hash"] == leaf_hash(row):
        return
    if previous is not None and row["leaf_hash"] == leaf_hash(row, seq - 1):
        raise _Broken(
            f"it sits at position {seq - 1}, where entry {row['id']} was signed: it was inserted "
            "or moved there",
            previous["id"],
        )
    if row["leaf_hash"] == leaf_hash(row, seq + 1):
        raise _Broken(
            f"it was signed at position {seq + 1} but sits at {seq}: the entry signed at {seq} "
            "was deleted or moved",
            row["id"],
        )
    raise _Broken("its contents do not match its leaf hash", row["id"])


class _Walk:
    """Rebuilds the tree entry by entry and checks each signed head as its size is reached."""

    def __init__(self, public_key: str):
        self.public_key = public_key
        self.tree = merkle.CompactRange()
        self.nodes: list[dict] = []
        self.batch_first: int | None = None  # first entry since the last head
        self.size, self.root = 0, ""  # of the last head checked

    def add(self, row: dict) -> None:
        if row["seq"] != self.tree.size:
            raise _Broken(
                f"position {self.tree.size} is missing: the entry signed there was deleted",
                row["id"],
            )
        self.batch_first = self.batch_first or row["id"]
        self.nodes += stored(self.tree.append(bytes.fromhex(row["leaf_hash"])))

    def check_head(self, row: dict) -> None:
        head = heads.Head.of(row)
        size = head.tree_size
        if head.key_id != heads.key_id(self.public_key):
            raise _Broken(f"the head of size {size} was signed by key {head.key_id}, not ours")
        if not heads.signature_valid(head, self.public_key):
            raise _Broken(f"the signature of the head of size {size} does not verify")
        if self.tree.root().hex() != head.root_hash:
            raise _Broken(
                f"the entries at positions {self.size} to {size - 1} do not give the "
                f"root signed at size {size}: one of them was changed, inserted, removed or "
                "moved together with its leaf hash",
                self.batch_first,
            )
        if json.loads(row["frontier"]) != [h.hex() for h in self.tree.frontier]:
            raise _Broken(f"the sequencer's saved state at size {size} was altered")
        self.size, self.root, self.batch_first = size, head.root_hash, None

    async def check_nodes(self) -> None:
        if not self.nodes:
            return
        expected = {n["node"]: n["hash"] for n in self.nodes}
        rows = await AuditNode.select().where(any_of(AuditNode.node, list(expected)))
        found = {r["node"]: r["hash"] for r in rows}
        for key, value in expected.items():
            if found.get(key) != value:
                level, index = key & 63, key >> 6
                raise _Broken(
                    f"the stored hash of positions {index << level} to "
                    f"{((index + 1) << level) - 1} does not match them (proofs would be wrong)"
                )
        self.nodes = []


async def verify() -> Verification:
    """Recompute every leaf hash, the tree, the stored subtrees and every signed head; report
    the first thing that does not fit and, where one can be named, the entry at fault."""
    walk = _Walk(heads.public_key())
    count = 0
    with all_tenants("audit verify: the whole log", audited=False):
        pending = await AuditEntry.count().where(AuditEntry.seq.is_null())
        latest = await heads.latest()
        signed = _heads(latest.tree_size if latest else 0)
        next_head = await anext(signed, None)
        previous = None
        try:
            async for row in _sequenced():
                walk.add(row)
                _check_leaf(row, previous)
                previous = row
                count += 1
                while next_head is not None and next_head["tree_size"] == walk.tree.size:
                    walk.check_head(next_head)
                    next_head = await anext(signed, None)
                if len(walk.nodes) >= 100:
                    await walk.check_nodes()
            await walk.check_nodes()
            if next_head is not None:
                raise _Broken(
                    f"a head was signed at size {next_head['tree_size']} but the log holds "
                    f"{walk.tree.size} sequenced entries: entries at its end were deleted"
                )
        except _Broken as broken:
            return Verification(count, walk.size, walk.root, pending, broken.entry, broken.problem)
    return Verification(count, walk.size, walk.root, pending)
