"""What a domain makes public, handed to the read models (the portal) in the same transaction.

The read models sit above every domain: they read what domains publish and are never called
back. So a domain does not import the portal; it calls `publish` here, and the receivers named
in the domain registry (gpcloud.domains.PUBLICATION_RECEIVERS) write their rows. Publishing
the same source twice is one notice (the receivers are idempotent by `source`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from gpcloud import domains
from gpcloud.core.db import after_commit, in_transaction
from gpcloud.core.redis import get_redis, key

VERSION = "portal-version"


@dataclass(frozen=True)
class Supplier:
    organisation_id: int
    name: str
    amount_fen: int | None = None


@dataclass(frozen=True)
class Publication:
    kind: str
    source: str
    tenant: str
    title: str
    body: str
    published_on: date
    method: str = ""
    category_code: str = ""
    object_type: str = ""
    purchaser_id: int | None = None
    purchaser_name: str = ""
    agency_id: int | None = None
    agency_name: str = ""
    amount_fen: int | None = None
    intention_id: int | None = None
    plan_id: int | None = None
    suppliers: tuple[Supplier, ...] = ()
    details: dict = field(default_factory=dict)


async def publish(item: Publication) -> None:
    """Every receiver writes its rows for `item`, in the caller's transaction."""
    for path in domains.PUBLICATION_RECEIVERS:
        await domains.resolve(path)(item)


async def version() -> int:
    """A counter of changes to what the portal shows (the response cache keys on it)."""
    kept = await get_redis().get(key(VERSION))
    return int(kept) if kept is not None else 0


async def _bump() -> None:
    await get_redis().incr(key(VERSION))


async def notices_changed() -> None:
    """What the portal shows has changed (a notice written, a migrated year opened): once the
    transaction has committed, every process forgets the answers it kept
    (core/graphql/response_cache.py)."""
    if in_transaction():
        after_commit(_bump)
    else:
        await _bump()
