"""An agency's own profile (registration, updates, tenants) and the province's decisions on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import today
from gpcloud.core.db import is_unique_violation
from gpcloud.core.errors import DomainError, Problem
from gpcloud.registries.agencies.service.common import (
    MAX_REASON,
    STATUS_LABELS,
    ca_problems,
    clean,
    get,
    of_organisation,
    own,
    profile_problems,
    state,
    tenant_problems,
)
from gpcloud.registries.agencies.tables import Agency, AgencyRoom, AgencyTenant

# (from, to) of each decision the province takes.
DECISIONS = {
    "approve": ("pending", "approved"),
    "reject": ("pending", "rejected"),
    "suspend": ("approved", "suspended"),
    "reactivate": ("suspended", "approved"),
}
REAPPROVAL = "名称或统一社会信用代码已变更，待省财政厅重新审核"


@dataclass(frozen=True)
class AgencyInput:
    """Profile fields; None means "not given" (on update: keep)."""

    name: str | None = None
    uscc: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    ca_serial: str | None = None
    ca_issuer: str | None = None
    ca_valid_until: date | None = None
    tenants: list[str] | None = None


def _normalised(values: AgencyInput) -> AgencyInput:
    return AgencyInput(
        name=clean(values.name),
        uscc=clean(values.uscc).upper() if values.uscc is not None else None,
        contact_name=clean(values.contact_name),
        contact_phone=clean(values.contact_phone),
        ca_serial=clean(values.ca_serial),
        ca_issuer=clean(values.ca_issuer),
        ca_valid_until=values.ca_valid_until,
        tenants=sorted({c.strip() for c in values.tenants}) if values.tenants is not None else None,
    )


async def _check(values: AgencyInput, current: dict, organisation_id: int) -> list[Problem]:
    """Every problem with `values` over the `current` profile (a dict of the same fields)."""
    problems = profile_problems(
        values.name,
        values.uscc,
        values.contact_name,
        values.contact_phone,
        values.ca_serial,
        values.ca_issuer,
    )
    if values.ca_valid_until is not None and values.ca_valid_until < today():
        problems.append(
            Problem(
                "CA_EXPIRED", f"the certificate expired on {values.ca_valid_until}", "caValidUntil"
            )
        )
    merged = {k: v if v is not None else current[k] for k, v in vars(values).items()}
    problems += ca_problems(merged["ca_serial"], merged["ca_issuer"], merged["ca_valid_until"])
    for field, key in (("contactName", "contact_name"), ("contactPhone", "contact_phone")):
        if not merged[key]:
            problems.append(Problem("REQUIRED", "the province and tenants need a contact", field))
    if not merged["uscc"]:
        problems.append(Problem("REQUIRED", "the unified social credit code is required", "uscc"))
    if values.tenants is not None:
        problems += await tenant_problems(values.tenants)
    if (
        values.uscc
        and not problems
        and await Organisation.exists().where(
            (Organisation.uscc == values.uscc) & (Organisation.id != organisation_id)
        )
    ):
        problems.append(Problem("DUPLICATE_USCC", "another organisation has this code", "uscc"))
    return problems


async def _organisation(actor: CurrentUser) -> dict:
    org = await Organisation.select().where(Organisation.id == actor.organisation_id).first()
    if org is None or org.get("kind") != "agency":
        raise DomainError("NOT_AN_AGENCY", "your organisation is not registered as an agency")
    return org


async def _save_organisation(org: dict, values: AgencyInput) -> None:
    changes = {
        column: value
        for column, value in ((Organisation.name, values.name), (Organisation.uscc, values.uscc))
        if value is not None and value != org[column._meta.name]
    }
    if changes:
        try:
            await Organisation.update(changes).where(Organisation.id == org["id"])
        except Exception as exc:
            if is_unique_violation(exc):
                raise DomainError(
                    "DUPLICATE_USCC", "another organisation has this code", "uscc"
                ) from None
            raise


@requires(Perm.AGENCY_REGISTER)
async def register(actor: CurrentUser, new: AgencyInput) -> dict:
    """Register the caller's organisation as an agency, pending the province's approval."""
    org = await _organisation(actor)
    if await of_organisation(org["id"]) is not None:
        raise DomainError("ALREADY_REGISTERED", "your agency is registered; update it instead")
    values = _normalised(new)
    if values.tenants is None:
        values = AgencyInput(**{**vars(values), "tenants": [org["region"]]})
    current = {
        "name": org["name"],
        "uscc": org["uscc"],
        "contact_name": "",
        "contact_phone": "",
        "ca_serial": "",
        "ca_issuer": "",
        "ca_valid_until": None,
        "tenants": [],
    }
    problems = await _check(values, current, org["id"])
    if problems:
        raise DomainError.many(problems)
    await _save_organisation(org, values)
    agency = Agency(
        organisation=org["id"],
        contact_name=values.contact_name,
        contact_phone=values.contact_phone,
        ca_serial=values.ca_serial or "",
        ca_issuer=values.ca_issuer or "",
        ca_valid_until=values.ca_valid_until,
    )
    try:
        await agency.save()
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError(
                "ALREADY_REGISTERED", "your agency is registered; update it instead"
            ) from None
        raise
    await AgencyTenant.insert(
        *(AgencyTenant(agency=agency.id, tenant=code) for code in values.tenants or [])
    )
    row = await get(agency.id)
    await audit.record(
        "agencies.register", "agency", agency.id, None, await state(row), tenant=row["region"]
    )
    return row


@requires(Perm.AGENCY_UPDATE_OWN)
async def update_mine(actor: CurrentUser, changes: AgencyInput) -> dict:
    """Change the caller's own agency. CA, contacts and tenants keep its status; a new name or
    credit code sends an approved agency back for approval; a rejected one is resubmitted."""
    before = await own(actor)
    values = _normalised(changes)
    old = await state(before)
    current = {**before, "tenants": old["tenants"]}
    problems = await _check(values, current, before["organisation"])
    identity = [
        field
        for field, key in (("name", "name"), ("uscc", "uscc"))
        if getattr(values, key) is not None and getattr(values, key) != before[key]
    ]
    if identity and before["status"] == "suspended":
        problems += [
            Problem("WRONG_STATE", "a suspended agency cannot change its name or code", f)
            for f in identity
        ]
    dropped = (
        sorted(set(current["tenants"]) - set(values.tenants)) if values.tenants is not None else []
    )
    if dropped and await AgencyRoom.exists().where(
        (AgencyRoom.agency == before["id"]) & AgencyRoom.tenant.is_in(dropped)
    ):
        problems.append(Problem("TENANT_HAS_ROOMS", "remove your rooms there first", "tenants"))
    if problems:
        raise DomainError.many(problems)
    org = await Organisation.select().where(Organisation.id == before["organisation"]).first()
    await _save_organisation(org, values)
    status, reason = before["status"], before["status_reason"]
    if status == "rejected":
        status, reason = "pending", ""
    elif status == "approved" and identity:
        status, reason = "pending", REAPPROVAL
    own_changes = {
        column: value
        for column, value in (
            (Agency.contact_name, values.contact_name),
            (Agency.contact_phone, values.contact_phone),
            (Agency.ca_serial, values.ca_serial),
            (Agency.ca_issuer, values.ca_issuer),
            (Agency.ca_valid_until, values.ca_valid_until),
        )
        if value is not None
    }
    await Agency.update(
        {
            **own_changes,
            Agency.status: status,
            Agency.status_reason: reason,
            Agency.updated_at: datetime.now(UTC),
        }
    ).where(Agency.id == before["id"])
    if values.tenants is not None:
        added = sorted(set(values.tenants) - set(current["tenants"]))
        if dropped:
            await AgencyTenant.delete().where(
                (AgencyTenant.agency == before["id"]) & AgencyTenant.tenant.is_in(dropped)
            )
        if added:
            await AgencyTenant.insert(
                *(AgencyTenant(agency=before["id"], tenant=code) for code in added)
            )
    after = await get(before["id"])
    new = await state(after)
    if new != old:
        await audit.record(
            "agencies.update", "agency", after["id"], old, new, tenant=after["region"]
        )
    return after


@requires(Perm.AGENCY_DECIDE)
async def decide(actor: CurrentUser, agency_id: int, decision: str, reason: str) -> dict:
    """The province approves or rejects a registration, suspends or reactivates an agency."""
    source, target = DECISIONS[decision]
    reason = reason.strip()
    if decision != "approve" and not reason:
        raise DomainError("REASON_REQUIRED", "say why", "reason")
    if len(reason) > MAX_REASON:
        raise DomainError("INVALID_REASON", f"at most {MAX_REASON} characters", "reason")
    before = await get(agency_id)
    wrong = DomainError(
        "WRONG_STATE",
        f"the agency is {before['status']} ({STATUS_LABELS[before['status']]}), not {source}",
    )
    if before["status"] != source:
        raise wrong
    now = datetime.now(UTC)
    # Conditional on the status read: of two concurrent decisions only one changes the row.
    done = (
        await Agency.update(
            {
                Agency.status: target,
                Agency.status_reason: reason,
                Agency.decided_by: actor.id,
                Agency.decided_at: now,
                Agency.updated_at: now,
            }
        )
        .where((Agency.id == agency_id) & (Agency.status == source))
        .returning(Agency.id)
    )
    if not done:
        raise wrong
    after = await get(agency_id)
    await audit.record(
        f"agencies.{decision}",
        "agency",
        agency_id,
        await state(before),
        await state(after),
        {"reason": reason},
        tenant=after["region"],
    )
    return after
