"""Inclusion and consistency proofs from the stored tree, and who may read which entry.

Auditors (accounts holding audit.read) read the entries of their region; every user reads the
entries of their own actions, in whichever tenant the object belongs (a supplier proving that
its bid receipt is in the log). Consistency proofs are public: they reveal only
hashes, and anyone holding two published heads may check that the log only grew between them.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpcloud.core.audit import heads, merkle, tree
from gpcloud.core.audit.service import leaf
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.scope import all_tenants


@dataclass(frozen=True)
class InclusionProof:
    entry: dict
    leaf: str  # the exact bytes hashed (UTF-8 JSON)
    path: list[str]
    head: heads.Head

    @property
    def leaf_index(self) -> int:
        return self.entry["seq"]


@dataclass(frozen=True)
class ConsistencyProof:
    first: heads.Head
    second: heads.Head
    path: list[str]


async def readable_entry(actor: CurrentUser, entry_id: int) -> dict:
    row = None
    if actor.can(Perm.AUDIT_READ):
        row = await AuditEntry.select().where(AuditEntry.id == entry_id).first()
    if row is None:
        with all_tenants("audit: users read and prove the entries of their own actions"):
            row = (
                await AuditEntry.select()
                .where((AuditEntry.id == entry_id) & (AuditEntry.actor_id == actor.id))
                .first()
            )
    if row is None:
        raise NotFound("audit entry", entry_id)
    return row


async def own_entries(actor: CurrentUser, first: int | None, after: str | None) -> Page:
    """The entries of the caller's own actions, oldest first."""
    with all_tenants("audit: users read the entries of their own actions"):
        query = AuditEntry.select().where(AuditEntry.actor_id == actor.id)
        return await keyset_page(query, AuditEntry.id, first, after)


async def _head(tree_size: int | None, field: str) -> heads.Head:
    head = await (heads.latest() if tree_size is None else heads.of_size(tree_size))
    if head is None:
        raise DomainError(
            "AUDIT_NO_SUCH_HEAD",
            "no tree head has been signed yet"
            if tree_size is None
            else f"no tree head was signed at size {tree_size}",
            field,
        )
    return head


async def _hashes(ranges: list[merkle.Range]) -> list[str]:
    try:
        return [h.hex() for h in await tree.range_hashes(ranges)]
    except LookupError as exc:
        raise DomainError(
            "AUDIT_LOG_DAMAGED", f"{exc}; gpcloud audit verify names the damage"
        ) from None


async def inclusion(actor: CurrentUser, entry_id: int, tree_size: int | None) -> InclusionProof:
    """That entry `entry_id` is in the tree of the head of `tree_size` (default: the latest)."""
    row = await readable_entry(actor, entry_id)
    if row["seq"] is None:
        raise DomainError(
            "AUDIT_ENTRY_PENDING",
            f"audit entry {entry_id} is not in the signed log yet: the sequencer adds it within "
            "seconds",
            "entryId",
        )
    head = await _head(tree_size, "treeSize")
    if head.tree_size <= row["seq"]:
        raise DomainError(
            "AUDIT_ENTRY_NOT_IN_HEAD",
            f"audit entry {entry_id} is at position {row['seq']}, after the head of size "
            f"{head.tree_size}: ask for a later head",
            "treeSize",
        )
    path = await _hashes(merkle.inclusion_ranges(row["seq"], head.tree_size))
    return InclusionProof(row, leaf(row).decode(), path, head)


async def consistency(first: int, second: int) -> ConsistencyProof:
    """That the head of `second` entries extends the head of `first` entries (append-only)."""
    if not 0 < first <= second:
        raise DomainError(
            "INVALID_TREE_SIZES", "the first size is at least 1 and at most the second", "first"
        )
    older, newer = await _head(first, "first"), await _head(second, "second")
    return ConsistencyProof(older, newer, await _hashes(merkle.consistency_ranges(first, second)))
