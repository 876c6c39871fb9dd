"""What intentions and plans share: whose unit the caller acts for, and how their rows are read."""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import PURCHASER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.registries.purchasers import service as purchasers


async def purchaser_unit(actor: CurrentUser) -> dict:
    """The budget unit a purchaser user acts for."""
    unit = await purchasers.of_user(actor) if PURCHASER in actor.roles else None
    if unit is None:
        raise DomainError("FORBIDDEN", "only a purchaser's own users declare its procurement")
    if unit["status"] != "active":
        raise DomainError("PURCHASER_INACTIVE", f"{unit['name']} is not active")
    return unit


async def fetch(table, kind: str, row_id: int) -> dict:
    """A row of `table` (an intention or a plan) in the scope, or NotFound naming `kind`."""
    row = await table.select().where(table.id == row_id).first()
    if row is None:
        raise NotFound(kind, row_id)
    return row


async def own(actor: CurrentUser, table, kind: str, row_id: int) -> dict:
    """A row of the purchaser unit the actor acts for; another unit's is not found."""
    unit = await purchaser_unit(actor)
    row = await fetch(table, kind, row_id)
    if row["purchaser"] != unit["id"]:
        raise NotFound(kind, row_id)
    return row


async def search(
    actor: CurrentUser, table, status: str | None, first: int | None, after: str | None
) -> Page:
    """A purchaser's own unit's rows of `table`; admins and supervisors their region's."""
    query = table.select()
    if not actor.can(Perm.REGION_READ):
        unit = await purchaser_unit(actor)
        query = query.where(table.purchaser == unit["id"])
    if status:
        query = query.where(table.status == status)
    return await keyset_page(query, table.id, first, after)
