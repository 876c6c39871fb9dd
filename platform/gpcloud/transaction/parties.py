"""Who sees a project from anywhere in the province: its agency (registered once for the
province: a Meizhou agency runs a Xingning project) and the suppliers that obtained its documents
or bid on it. Everybody else sees projects of their own region only (the tenant scope), as the
purchaser and the region's staff always did. Contracts solved the same for their parties
(contracts/service.py); projects follow them: read across tenants, then check the party.
"""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import AGENCY, SUPPLIER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.errors import NotFound
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction.selection_tables import PrequalificationApplication
from gpcloud.transaction.tables import Bid, DocumentObtained, Project

PARTY_SCOPE = "a project's parties act on it wherever they are registered"


async def supplier_projects(organisation_id: int) -> set[int]:
    """Projects a supplier is party to: it applied to their prequalification, obtained their
    documents or bid on them."""
    with all_tenants(PARTY_SCOPE):
        bid = await Bid.select(Bid.project).where(Bid.supplier_organisation == organisation_id)
        got = await DocumentObtained.select(DocumentObtained.project).where(
            DocumentObtained.supplier_organisation == organisation_id
        )
        applied = await PrequalificationApplication.select(
            PrequalificationApplication.prequalification.project.as_alias("project")
        ).where(PrequalificationApplication.supplier_organisation == organisation_id)
    return (
        {r["project"] for r in bid} | {r["project"] for r in got} | {r["project"] for r in applied}
    )


async def is_party(actor: CurrentUser, project: dict) -> bool:
    if AGENCY in actor.roles and project["agency_organisation"] == actor.organisation_id:
        return True
    return SUPPLIER in actor.roles and project["id"] in await supplier_projects(
        actor.organisation_id
    )


@requires(Perm.PROJECT_READ)
async def readable(actor: CurrentUser, project_id: int) -> dict:
    """The project for its parties wherever they are, for others within their scope."""
    with all_tenants(PARTY_SCOPE):
        row = await Project.select().where(Project.id == project_id).first()
    if row is None:
        raise NotFound("project", project_id)
    if await is_party(actor, row):
        return row
    if SUPPLIER in actor.roles or AGENCY in actor.roles:
        raise NotFound("project", project_id)
    scoped = await Project.select(Project.id).where(Project.id == project_id).first()
    if scoped is None:  # outside the caller's region: not there at all
        raise NotFound("project", project_id)
    return row


async def supplier_search(actor: CurrentUser, status: str | None, first, after) -> Page:
    ids = sorted(await supplier_projects(actor.organisation_id))
    with all_tenants(PARTY_SCOPE):
        query = Project.select().where(Project.id.is_in(ids or [0]))
        if status:
            query = query.where(Project.status == status)
        return await keyset_page(query, Project.id, first, after)


async def agency_search(actor: CurrentUser, status: str | None, first, after) -> Page:
    with all_tenants(PARTY_SCOPE):
        query = Project.select().where(Project.agency_organisation == actor.organisation_id)
        if status:
            query = query.where(Project.status == status)
        return await keyset_page(query, Project.id, first, after)
