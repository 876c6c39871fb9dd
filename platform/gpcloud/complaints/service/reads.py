"""Reading filings: a supplier its own, the purchaser and agency those about their
procurements (wherever either is registered), a supervisor those of its region (the tenant
scope); decisions are public (decisions.py)."""

from __future__ import annotations

from gpcloud.complaints.service.common import SCOPE, readable, visible_to
from gpcloud.complaints.tables import Challenge, Complaint, Inquiry, Suspension
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.scope import all_tenants

TABLES = {"inquiry": Inquiry, "challenge": Challenge, "complaint": Complaint}


async def search(
    actor: CurrentUser,
    noun: str,
    project_id: int | None,
    status: str | None,
    first: int | None,
    after: str | None,
) -> Page:
    table = TABLES[noun]
    query = table.select().output(load_json=True)
    if project_id is not None:
        query = query.where(table.project == project_id)
    if status:
        query = query.where(table.status == status)
    condition = visible_to(actor, table)
    if condition is None:  # a supervisor: its region (the scope)
        return await keyset_page(query, table.id, first, after)
    with all_tenants(SCOPE):
        return await keyset_page(query.where(condition), table.id, first, after)


async def get(actor: CurrentUser, noun: str, row_id: int) -> dict:
    return await readable(actor, TABLES[noun], noun, row_id)


async def suspensions(
    actor: CurrentUser, project_id: int | None, status: str | None, first, after
) -> Page:
    """Supervisors: their region's; others: those of complaints they may read."""
    query = Suspension.select()
    if project_id is not None:
        query = query.where(Suspension.project == project_id)
    if status:
        query = query.where(Suspension.status == status)
    if actor.can(Perm.COMPLAINT_READ):
        return await keyset_page(query, Suspension.id, first, after)
    seen = Complaint.select(Complaint.id).where(visible_to(actor, Complaint))
    with all_tenants(SCOPE):
        return await keyset_page(
            query.where(Suspension.complaint.is_in(seen)), Suspension.id, first, after
        )


async def by_ids(noun: str, ids: list[int]) -> list[dict | None]:
    """Rows by id across tenants, for the API's loaders (after the caller was checked)."""
    table = TABLES[noun]
    with all_tenants(SCOPE):
        rows = await table.select().where(table.id.is_in(ids or [0])).output(load_json=True)
    found = {r["id"]: r for r in rows}
    return [found.get(i) for i in ids]
