"""Purchasers (采购人库): budget units of a tenant, registered and kept by its tenant admins.

Who: holders of purchaser.manage (tenant and provincial admins) register, change and deactivate
purchasers in their region; of purchaser.read (admins, supervisors) read them; a purchaser's own
users read their unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.admin import reachable_tenant
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.batch import rows_by_key
from gpcloud.core.db import any_of, contains_ci
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.core.validation import is_phone, is_uscc
from gpcloud.registries.purchasers.tables import STATUSES, Purchaser

BUDGET_UNIT_CODE = re.compile(r"[0-9A-Za-z]{1,32}")
COLUMNS = (
    Purchaser.id,
    Purchaser.tenant_id,
    Purchaser.organisation,
    Purchaser.organisation.name.as_alias("name"),
    Purchaser.organisation.uscc.as_alias("uscc"),
    Purchaser.budget_unit_code,
    Purchaser.parent,
    Purchaser.contact_name,
    Purchaser.contact_phone,
    Purchaser.status,
    Purchaser.created_at,
    Purchaser.updated_at,
)


# Batch loader for the API: a purchaser's parent, for a page of purchasers in one query.
purchasers_by_id = rows_by_key(Purchaser, Purchaser.id, *COLUMNS)


@dataclass(frozen=True)
class PurchaserInput:
    name: str | None = None
    uscc: str | None = None
    budget_unit_code: str | None = None
    parent_id: int | None = None
    contact_name: str | None = None
    contact_phone: str | None = None


@dataclass(frozen=True)
class PurchaserFilter:
    tenant: str | None = None
    include_subtree: bool = True
    search: str | None = None
    status: str | None = None
    parent_id: int | None = None


def field_problems(
    name: str | None, uscc: str | None, code: str | None, phone: str | None, contact: str | None
) -> list[Problem]:
    """Format checks shared by the API and the import."""
    problems = []
    if name is not None and not 2 <= len(name) <= 128:
        problems.append(Problem("INVALID_NAME", "must be 2 to 128 characters", "name"))
    if uscc and not is_uscc(uscc):
        problems.append(Problem("INVALID_USCC", "not a valid unified social credit code", "uscc"))
    if code is not None and not BUDGET_UNIT_CODE.fullmatch(code):
        problems.append(Problem("INVALID_CODE", "1 to 32 letters or digits", "budgetUnitCode"))
    if phone and not is_phone(phone):
        problems.append(Problem("INVALID_PHONE", "not a mobile or landline number", "contactPhone"))
    if contact is not None and len(contact) > 32:
        problems.append(Problem("INVALID_NAME", "at most 32 characters", "contactName"))
    return problems


async def get(purchaser_id: int) -> dict:
    row = await Purchaser.select(*COLUMNS).where(Purchaser.id == purchaser_id).first()
    if row is None:
        raise NotFound("purchaser", purchaser_id)
    return row


def _state(row: dict) -> dict:
    return {
        k: row[k]
        for k in (
            "name",
            "uscc",
            "budget_unit_code",
            "parent",
            "contact_name",
            "contact_phone",
            "status",
            "tenant_id",
        )
    }


async def _check_unique(
    tenant: str, code: str | None, uscc: str | None, own: dict | None
) -> list[Problem]:
    problems = []
    if code is not None and await Purchaser.exists().where(
        (Purchaser.tenant_id == tenant)
        & (Purchaser.budget_unit_code == code)
        & (Purchaser.id != (own["id"] if own else 0))
    ):
        problems.append(
            Problem(
                "DUPLICATE_CODE", f"budget unit code {code} is registered here", "budgetUnitCode"
            )
        )
    if uscc and await Organisation.exists().where(
        (Organisation.uscc == uscc) & (Organisation.id != (own["organisation"] if own else 0))
    ):
        problems.append(Problem("DUPLICATE_USCC", "another organisation has this code", "uscc"))
    return problems


async def _check_parent(tenant: str, parent_id: int | None, own_id: int | None) -> list[Problem]:
    if parent_id is None:
        return []
    parent = (
        await Purchaser.select(Purchaser.id, Purchaser.tenant_id, Purchaser.parent)
        .where(Purchaser.id == parent_id)
        .first()
    )
    if parent is None or parent["tenant_id"] != tenant:
        return [Problem("NOT_FOUND", "no such purchaser in this tenant", "parentId")]
    seen = {own_id} if own_id else set()
    while parent is not None:
        if parent["id"] in seen:
            return [Problem("PARENT_CYCLE", "a unit cannot be below itself", "parentId")]
        seen.add(parent["id"])
        parent = (
            await Purchaser.select(Purchaser.id, Purchaser.parent)
            .where(Purchaser.id == parent["parent"])
            .first()
            if parent["parent"]
            else None
        )
    return []


@requires(Perm.PURCHASER_MANAGE)
async def create(actor: CurrentUser, tenant: str, new: PurchaserInput) -> dict:
    node = await reachable_tenant(tenant)
    name = (new.name or "").strip()
    uscc = (new.uscc or "").strip().upper() or None
    code = (new.budget_unit_code or "").strip()
    problems = field_problems(name, uscc, code, new.contact_phone, new.contact_name)
    if node.status != "active":
        problems.append(
            Problem("TENANT_NOT_ACTIVE", f"{node.name} is not on the platform", "tenant")
        )
    if not problems:
        problems = await _check_unique(tenant, code, uscc, None) + await _check_parent(
            tenant, new.parent_id, None
        )
    if problems:
        raise DomainError.many(problems)
    org = Organisation(name=name, kind="purchaser", region=tenant, uscc=uscc)
    await org.save()
    purchaser = Purchaser(
        tenant_id=tenant,
        organisation=org.id,
        budget_unit_code=code,
        parent=new.parent_id,
        contact_name=(new.contact_name or "").strip(),
        contact_phone=new.contact_phone or "",
    )
    await purchaser.save()
    row = await get(purchaser.id)
    await audit.record(
        "purchaser.create", "purchaser", purchaser.id, None, _state(row), tenant=tenant
    )
    return row


@requires(Perm.PURCHASER_MANAGE)
async def update(actor: CurrentUser, purchaser_id: int, changes: PurchaserInput) -> dict:
    before = await get(purchaser_id)
    tenant = before["tenant_id"]
    name = changes.name.strip() if changes.name is not None else None
    uscc = changes.uscc.strip().upper() if changes.uscc else None
    code = changes.budget_unit_code.strip() if changes.budget_unit_code is not None else None
    problems = field_problems(name, uscc, code, changes.contact_phone, changes.contact_name)
    if not problems:
        problems = await _check_unique(tenant, code, uscc, before)
        problems += await _check_parent(tenant, changes.parent_id, purchaser_id)
    if problems:
        raise DomainError.many(problems)
    org_values = {k: v for k, v in ((Organisation.name, name), (Organisation.uscc, uscc)) if v}
    if org_values:
        await Organisation.update(org_values).where(Organisation.id == before["organisation"])
    values = {
        column: value
        for column, value in (
            (Purchaser.budget_unit_code, code),
            (Purchaser.parent, changes.parent_id),
            (
                Purchaser.contact_name,
                changes.contact_name.strip() if changes.contact_name is not None else None,
            ),
            (Purchaser.contact_phone, changes.contact_phone),
        )
        if value is not None
    }
    await Purchaser.update({**values, Purchaser.updated_at: datetime.now(UTC)}).where(
        Purchaser.id == purchaser_id
    )
    after = await get(purchaser_id)
    await audit.record(
        "purchaser.update", "purchaser", purchaser_id, _state(before), _state(after), tenant=tenant
    )
    return after


@requires(Perm.PURCHASER_MANAGE)
async def set_status(actor: CurrentUser, purchaser_id: int, status: str, reason: str) -> dict:
    """Deactivate (or reactivate) a unit; its history stays, new procurement cannot use it."""
    if status not in STATUSES:
        raise DomainError("INVALID_STATUS", f"one of {', '.join(STATUSES)}", "status")
    if not reason.strip():
        raise DomainError("REASON_REQUIRED", "say why", "reason")
    before = await get(purchaser_id)
    if before["status"] == status:
        raise DomainError("WRONG_STATE", f"the purchaser is already {status}", "status")
    await Purchaser.update(
        {Purchaser.status: status, Purchaser.updated_at: datetime.now(UTC)}
    ).where(Purchaser.id == purchaser_id)
    after = await get(purchaser_id)
    await audit.record(
        f"purchaser.{'deactivate' if status == 'inactive' else 'reactivate'}",
        "purchaser",
        purchaser_id,
        _state(before),
        _state(after),
        {"reason": reason.strip()},
        tenant=before["tenant_id"],
    )
    return after


@requires(Perm.PURCHASER_READ)
async def search(
    actor: CurrentUser, flt: PurchaserFilter, first: int | None, after: str | None
) -> Page:
    query = Purchaser.select(*COLUMNS)
    if flt.tenant is not None:
        await reachable_tenant(flt.tenant)
        codes = (await tenant_tree()).subtree(flt.tenant) if flt.include_subtree else {flt.tenant}
        query = query.where(Purchaser.tenant_id.is_in(sorted(codes)))
    if flt.status:
        query = query.where(Purchaser.status == flt.status)
    if flt.parent_id is not None:
        query = query.where(Purchaser.parent == flt.parent_id)
    if flt.search and flt.search.strip():
        term = flt.search.strip()
        query = query.where(
            contains_ci(Purchaser.organisation.name, term)
            | (Purchaser.budget_unit_code == term)
            | (Purchaser.organisation.uscc == term.upper())
        )
    return await keyset_page(query, Purchaser.id, first, after)


async def of_user(actor: CurrentUser) -> dict | None:
    """The unit a purchaser user belongs to."""
    row = (
        await Purchaser.select(*COLUMNS)
        .where(Purchaser.organisation == actor.organisation_id)
        .first()
    )
    return row


async def by_budget_unit_codes(tenant: str, codes: list[str]) -> dict[str, dict]:
    """{budget unit code: purchaser} of one tenant, for files from digital_finance that name
    units by code."""
    rows = await Purchaser.select(*COLUMNS).where(
        (Purchaser.tenant_id == tenant) & any_of(Purchaser.budget_unit_code, codes)
    )
    return {r["budget_unit_code"]: r for r in rows}
