"""What every filing service shares: who its parties are, who may see it, and telling them."""

from __future__ import annotations

from datetime import date

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import AGENCY, PURCHASER, SUPERVISOR, SUPPLIER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.errors import NotFound
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.tenancy.scope import all_tenants

SCOPE = "complaints: a filing's parties act on it wherever they are registered"


def respondent_organisations(row: dict) -> tuple[int, int]:
    return row["purchaser_organisation"], row["agency_organisation"]


def is_supplier(actor: CurrentUser, row: dict) -> bool:
    return SUPPLIER in actor.roles and row["supplier_organisation"] == actor.organisation_id


def is_respondent(actor: CurrentUser, row: dict) -> bool:
    return bool({PURCHASER, AGENCY} & set(actor.roles)) and (
        actor.organisation_id in respondent_organisations(row)
    )


def visible_to(actor: CurrentUser, table):
    """The condition on `table`'s rows the actor sees: a supplier its own filings, the purchaser
    and agency those about their procurements; a supervisor (COMPLAINT_READ) its region's (the
    tenant scope, applied by the caller) -> None."""
    if actor.can(Perm.COMPLAINT_READ):
        return None
    condition = table.id == 0
    if SUPPLIER in actor.roles:
        condition = condition | (table.supplier_organisation == actor.organisation_id)
    if {PURCHASER, AGENCY} & set(actor.roles):
        condition = (
            condition
            | (table.purchaser_organisation == actor.organisation_id)
            | (table.agency_organisation == actor.organisation_id)
        )
    return condition


async def readable(actor: CurrentUser, table, noun: str, row_id: int) -> dict:
    """The row for its parties wherever they are, for supervisors within their region."""
    with all_tenants(SCOPE):
        row = await table.select().where(table.id == row_id).output(load_json=True).first()
    if row is None:
        raise NotFound(noun, row_id)
    if is_supplier(actor, row) or is_respondent(actor, row):
        return row
    if actor.can(Perm.COMPLAINT_READ):
        scoped = await table.select(table.id).where(table.id == row_id).first()
        if scoped is not None:
            return row
    raise NotFound(noun, row_id)


async def tell(
    kind: str,
    row: dict,
    project: dict,
    params: dict,
    *,
    supplier: bool = True,
    respondents: bool = True,
    department: str | None = None,
    others: tuple[int, ...] = (),
    due: date | None = None,
    key: str | None = None,
) -> None:
    """Notify the filing's supplier, its respondents (purchaser and agency), the department of
    `department`'s region and the `others` (suppliers concerned), each by organisation."""
    about = (kind.split(".")[0], row["id"])
    common = {"title": project["title"], "project_id": project["id"], **params}
    organisations: list[tuple[int, tuple[str, ...]]] = []
    if supplier:
        organisations.append((row["supplier_organisation"], (SUPPLIER,)))
    if respondents:
        organisations += [(o, (PURCHASER, AGENCY)) for o in respondent_organisations(row)]
    organisations += [(o, (SUPPLIER,)) for o in others if o != row["supplier_organisation"]]
    for organisation, roles in organisations:
        await notify(
            kind,
            Recipients(organisation=organisation, roles=roles),
            common,
            about=about,
            due=due,
            key=f"{key}:{organisation}" if key else None,
        )
    if department is not None:
        await notify(
            kind,
            Recipients(tenant=department, roles=(SUPERVISOR,)),
            common,
            about=about,
            due=due,
            key=f"{key}:department" if key else None,
        )
