"""Reading filings: a supplier its own, the purchaser and agency those about their
procurements (wherever either is registered), a supervisor those of its region (the tenant
scope); decisions are public (decisions.py)."""

from __future__ import annotations

from contextlib import nullcontext

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
    condition = visible_to(actor, table)
    # A scoped table adds the tenant filter when the query is made: a party's query is made
    # with the filter lifted, a supervisor's within its region.
    with all_tenants(SCOPE) if condition is not None else nullcontext():
        query = table.select().output(load_json=True)
        if condition is not None:
            query = query.where(condition)
        if project_id is not None:
            query = query.where(table.project == project_id)
        if status:
            query = query.where(table.status == status)
        return await keyset_page(query, table.id, first, after)


async def get(actor: CurrentUser, noun: str, row_id: int) -> dict:
    return await readable(actor, TABLES[noun], noun, row_id)


async def suspensions(
    actor: CurrentUser, project_id: int | None, status: str | None, first, after
) -> Page:
    """Supervisors: their region's; others: those of complaints they may read."""
    supervisor = actor.can(Perm.COMPLAINT_READ)
    with nullcontext() if supervisor else all_tenants(SCOPE):
        query = Suspension.select()
        if not supervisor:
            seen = Complaint.select(Complaint.id).where(visible_to(actor, Complaint))
            query = query.where(Suspension.complaint.is_in(seen))
        if project_id is not None:
            query = query.where(Suspension.project == project_id)
        if status:
            query = query.where(Suspension.status == status)
        return await keyset_page(query, Suspension.id, first, after)
