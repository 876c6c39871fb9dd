"""Record and verify the audit chain.

Every entry's hash = sha256(previous entry's hash + the canonical form of its own fields), so
changing, inserting or deleting an entry breaks the link to the next one. Appends are
serialised province-wide (one chain) inside the caller's transaction, so an entry exists exactly
when the change it records was committed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.db import serialize_writes, transaction
from gpcloud.core.tenancy.scope import all_tenants, current_scope

GENESIS = "0" * 64


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


def digest(state: Any) -> str | None:
    """Digest of an object's state (None when there is no state: before a create, after a delete)."""
    if state is None:
        return None
    return hashlib.sha256(canonical(state).encode()).hexdigest()


def _entry_hash(prev_hash: str, fields: dict) -> str:
    body = dict(fields)
    body["created_at"] = fields["created_at"].astimezone(UTC).isoformat(timespec="microseconds")
    return hashlib.sha256((prev_hash + canonical(body)).encode()).hexdigest()


HASHED = (
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
    """Append an entry for a change made in the current transaction and scope."""
    scope = current_scope()
    tenant = tenant or scope.tenant
    if tenant is None:
        raise ValueError("audit.record needs a tenant outside a tenant scope")
    async with transaction():
        await serialize_writes("audit_chain")
        with all_tenants("audit: the chain runs across tenants", audited=False):
            last = (
                await AuditEntry.select(AuditEntry.hash)
                .order_by(AuditEntry.id, ascending=False)
                .first()
            )
            fields = {
                "tenant_id": tenant,
                "created_at": datetime.now(UTC),
                "actor_id": scope.user_id,
                "actor": actor or "",
                "action": action,
                "object_type": object_type,
                "object_id": str(object_id),
                "before_digest": digest(before),
                "after_digest": digest(after),
                "detail": canonical(detail or {}),
            }
            prev = last["hash"] if last else GENESIS
            entry = AuditEntry(**fields, prev_hash=prev, hash=_entry_hash(prev, fields))
            await entry.save()
    return {**fields, "id": entry.id, "prev_hash": prev, "hash": entry.hash}


@dataclass(frozen=True)
class Verification:
    entries: int
    head: str
    broken_at: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


async def _all_entries(batch: int = 1000) -> AsyncIterator[dict]:
    last_id = 0
    while True:
        rows = await (
            AuditEntry.select().where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        )
        if not rows:
            return
        for row in rows:
            yield row
        last_id = rows[-1]["id"]


async def verify() -> Verification:
    """Recompute the chain from the first entry; report the first entry that does not fit."""
    count, prev = 0, GENESIS
    with all_tenants("audit verify: the whole chain", audited=False):
        async for row in _all_entries():
            if row["prev_hash"] != prev:
                return Verification(
                    count, prev, row["id"], "its previous-hash does not match the entry before it"
                )
            if _entry_hash(prev, {k: row[k] for k in HASHED}) != row["hash"]:
                return Verification(count, prev, row["id"], "its contents do not match its hash")
            prev = row["hash"]
            count += 1
    return Verification(count, prev)
