"""Reading the registry: who finds which agencies, and with which details.

Anyone signed in finds approved agencies (purchasers choose among them) and its own
organisation's; holders of agency.read_details (admins, supervisors) also every agency working
in their region (the province's: every agency). Contacts, CA and rooms only for the agencies
`full_access` grants.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import contains_ci
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.scope import current_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.agencies.service.common import (
    COLUMNS,
    full_access,
    get,
    of_organisation,
)
from gpcloud.registries.agencies.tables import Agency, AgencyTenant

MAX_SEARCH = 128


@dataclass(frozen=True)
class AgencyFilter:
    search: str | None = None
    status: str | None = None
    works_in: str | None = None
    include_subtree: bool = False


def _visible_condition(actor: CurrentUser):
    """Which agencies the caller may find at all (None: every agency): approved ones, its own
    organisation's, and for holders of agency.read_details those working in their region."""
    condition = (Agency.status == "approved") | (Agency.organisation == actor.organisation_id)
    if actor.can(Perm.AGENCY_READ_DETAILS):
        visible = current_scope().visible
        if visible is None:
            return None
        working_here = AgencyTenant.select(AgencyTenant.agency).where(
            AgencyTenant.tenant.is_in(sorted(visible))
        )
        condition = condition | Agency.id.is_in(working_here)
    return condition


async def _with_access(actor: CurrentUser, rows: list[dict]) -> list[dict]:
    full = await full_access(actor, rows)
    return [{**row, "full": row["id"] in full} for row in rows]


async def search(
    actor: CurrentUser, flt: AgencyFilter, first: int | None, after: str | None
) -> Page:
    query = Agency.select(*COLUMNS)
    condition = _visible_condition(actor)
    if condition is not None:
        query = query.where(condition)
    if flt.status:
        query = query.where(Agency.status == flt.status)
    if flt.works_in:
        codes = (
            (await tenant_tree()).subtree(flt.works_in) if flt.include_subtree else {flt.works_in}
        )
        query = query.where(
            Agency.id.is_in(
                AgencyTenant.select(AgencyTenant.agency).where(
                    AgencyTenant.tenant.is_in(sorted(codes))
                )
            )
        )
    if flt.search and flt.search.strip():
        term = flt.search.strip()
        if len(term) > MAX_SEARCH:
            raise DomainError("INVALID_SEARCH", f"at most {MAX_SEARCH} characters", "search")
        query = query.where(
            contains_ci(Agency.organisation.name, term) | (Agency.organisation.uscc == term.upper())
        )
    page = await keyset_page(query, Agency.id, first, after)
    return Page(await _with_access(actor, page.rows), page.has_next_page, page.end_cursor)


async def visible(actor: CurrentUser, agency_id: int) -> dict:
    """One agency as the caller may see it; NOT_FOUND when they may not see it at all."""
    query = Agency.select(Agency.id).where(Agency.id == agency_id)
    condition = _visible_condition(actor)
    if condition is not None:
        query = query.where(condition)
    if not await query.first():
        raise NotFound("agency", agency_id)
    return (await _with_access(actor, [await get(agency_id)]))[0]


@requires(Perm.AGENCY_UPDATE_OWN)
async def mine(actor: CurrentUser) -> dict | None:
    row = await of_organisation(actor.organisation_id)
    return {**row, "full": True} if row else None
