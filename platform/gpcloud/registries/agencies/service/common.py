"""Rows, who sees what, and the format checks shared by the API and the imports."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.tenancy.scope import current_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.core.validation import is_phone, is_uscc
from gpcloud.registries.agencies.tables import ROOM_KINDS, Agency, AgencyRoom, AgencyTenant

REGION_CODE = re.compile(r"[0-9]{6}")
CA_SERIAL = re.compile(r"[0-9A-Za-z:_-]{4,64}")
MAX_TENANTS = 64
MAX_ROOMS = 100
MAX_COMPUTERS = 10_000
MAX_CAMERA_RESOLUTION = 4320  # 8K
MAX_REASON = 500

COLUMNS = (
    Agency.id,
    Agency.organisation,
    Agency.organisation.name.as_alias("name"),
    Agency.organisation.uscc.as_alias("uscc"),
    Agency.organisation.region.as_alias("region"),
    Agency.status,
    Agency.status_reason,
    Agency.contact_name,
    Agency.contact_phone,
    Agency.ca_serial,
    Agency.ca_issuer,
    Agency.ca_valid_until,
    Agency.decided_by,
    Agency.decided_at,
    Agency.created_at,
    Agency.updated_at,
)
ROOM_COLUMNS = (
    AgencyRoom.id,
    AgencyRoom.agency,
    AgencyRoom.kind,
    AgencyRoom.name,
    AgencyRoom.tenant,
    AgencyRoom.computers,
    AgencyRoom.camera_resolution,
    AgencyRoom.av_monitoring,
    AgencyRoom.recording_retained,
    AgencyRoom.created_at,
    AgencyRoom.updated_at,
)
ROOM_KIND_LABELS = {"opening": "开标室", "evaluation": "评标室"}
STATUS_LABELS = {
    "pending": "待审核",
    "approved": "已通过",
    "rejected": "未通过",
    "suspended": "已暂停",
}


async def get(agency_id: int) -> dict:
    row = await Agency.select(*COLUMNS).where(Agency.id == agency_id).first()
    if row is None:
        raise NotFound("agency", agency_id)
    return row


async def of_organisation(organisation_id: int) -> dict | None:
    return await Agency.select(*COLUMNS).where(Agency.organisation == organisation_id).first()


async def own(actor: CurrentUser) -> dict:
    """The caller's organisation's agency; an agency user without one has nothing to edit yet."""
    row = await of_organisation(actor.organisation_id)
    if row is None:
        raise DomainError(
            "NOT_FOUND", "your organisation has no agency registration; register first"
        )
    return row


async def tenant_codes(agency_id: int) -> list[str]:
    rows = await AgencyTenant.select(AgencyTenant.tenant).where(AgencyTenant.agency == agency_id)
    return sorted(r["tenant"] for r in rows)


async def rooms_of(agency_id: int) -> list[dict]:
    return (
        await AgencyRoom.select(*ROOM_COLUMNS)
        .where(AgencyRoom.agency == agency_id)
        .order_by(AgencyRoom.id)
    )


async def state(row: dict) -> dict:
    """What the audit log digests for an agency: its profile, status and tenants."""
    keys = (
        "name",
        "uscc",
        "region",
        "status",
        "status_reason",
        "contact_name",
        "contact_phone",
        "ca_serial",
        "ca_issuer",
        "ca_valid_until",
    )
    return {**{k: row[k] for k in keys}, "tenants": await tenant_codes(row["id"])}


def room_state(row: dict) -> dict:
    keys = (
        "agency",
        "kind",
        "name",
        "tenant",
        "computers",
        "camera_resolution",
        "av_monitoring",
        "recording_retained",
    )
    return {k: row[k] for k in keys}


async def full_access(actor: CurrentUser, rows: Iterable[dict]) -> set[int]:
    """Ids of the agencies whose contacts, CA and rooms the caller may read: holders of
    agency.read_details those working in their region (the province: all); an agency's own
    users their own."""
    rows = list(rows)
    full = {r["id"] for r in rows if r["organisation"] == actor.organisation_id}
    if actor.can(Perm.AGENCY_READ_DETAILS) and rows:
        visible = current_scope().visible
        if visible is None:
            return {r["id"] for r in rows}
        found = await AgencyTenant.select(AgencyTenant.agency).where(
            AgencyTenant.agency.is_in([r["id"] for r in rows])
            & AgencyTenant.tenant.is_in(sorted(visible))
        )
        full |= {r["agency"] for r in found}
    return full


def profile_problems(
    name: str | None,
    uscc: str | None,
    contact_name: str | None,
    contact_phone: str | None,
    ca_serial: str | None,
    ca_issuer: str | None,
) -> list[Problem]:
    """Formats of the profile fields given (None: not given)."""
    problems = []
    if name is not None and not 2 <= len(name) <= 128:
        problems.append(Problem("INVALID_NAME", "must be 2 to 128 characters", "name"))
    if uscc is not None and not is_uscc(uscc):
        problems.append(Problem("INVALID_USCC", "not a valid unified social credit code", "uscc"))
    if contact_name is not None and not 1 <= len(contact_name) <= 32:
        problems.append(Problem("INVALID_NAME", "must be 1 to 32 characters", "contactName"))
    if contact_phone is not None and not is_phone(contact_phone):
        problems.append(Problem("INVALID_PHONE", "not a mobile or landline number", "contactPhone"))
    if ca_serial is not None and not CA_SERIAL.fullmatch(ca_serial):
        problems.append(
            Problem("INVALID_CA_SERIAL", "4 to 64 letters, digits, ':', '_' or '-'", "caSerial")
        )
    if ca_issuer is not None and not 2 <= len(ca_issuer) <= 128:
        problems.append(Problem("INVALID_CA_ISSUER", "must be 2 to 128 characters", "caIssuer"))
    return problems


def ca_problems(serial: str, issuer: str, valid_until: date | None) -> list[Problem]:
    """A CA certificate is recorded whole or not at all."""
    given = {
        "caSerial": bool(serial),
        "caIssuer": bool(issuer),
        "caValidUntil": valid_until is not None,
    }
    if any(given.values()) and not all(given.values()):
        return [
            Problem(
                "CA_INCOMPLETE", "give the certificate's serial, issuer and expiry together", field
            )
            for field, present in given.items()
            if not present
        ]
    return []


async def tenant_problems(codes: list[str], field: str = "tenants") -> list[Problem]:
    """Tenants an agency works in: known regions that are on the platform."""
    if not codes:
        return [Problem("TENANTS_REQUIRED", "name at least one region you work in", field)]
    if len(codes) > MAX_TENANTS:
        return [Problem("TOO_MANY_TENANTS", f"at most {MAX_TENANTS} regions", field)]
    tree = await tenant_tree()
    problems = []
    for code in codes:
        node = tree.get(code) if REGION_CODE.fullmatch(code) else None
        if node is None:
            problems.append(Problem("TENANT_NOT_FOUND", f"no region {code[:16]}", field))
        elif node.status != "active":
            problems.append(
                Problem("TENANT_NOT_ACTIVE", f"{node.name} is not on the platform", field)
            )
    return problems


def room_problems(
    kind: str | None,
    name: str | None,
    computers: int | None,
    camera_resolution: int | None,
) -> list[Problem]:
    problems = []
    if kind is not None and kind not in ROOM_KINDS:
        problems.append(Problem("INVALID_KIND", f"one of {', '.join(ROOM_KINDS)}", "kind"))
    if name is not None and not 1 <= len(name) <= 64:
        problems.append(Problem("INVALID_NAME", "must be 1 to 64 characters", "name"))
    if computers is not None and not 0 <= computers <= MAX_COMPUTERS:
        problems.append(Problem("INVALID_COMPUTERS", f"0 to {MAX_COMPUTERS}", "computers"))
    if camera_resolution is not None and not 0 <= camera_resolution <= MAX_CAMERA_RESOLUTION:
        problems.append(
            Problem(
                "INVALID_CAMERA_RESOLUTION",
                f"lines, 0 (none) to {MAX_CAMERA_RESOLUTION}",
                "cameraResolution",
            )
        )
    return problems


def clean(value: str | None) -> str | None:
    return value.strip() if value is not None else None
