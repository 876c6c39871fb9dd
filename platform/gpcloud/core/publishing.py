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
