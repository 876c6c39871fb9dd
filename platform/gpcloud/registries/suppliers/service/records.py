"""Reading a supplier as a whole, what it still lacks, and the format checks every writer uses."""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import ParamSpec, TypeVar

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.validation import is_email, is_phone
from gpcloud.registries.suppliers.tables import (
    QUALIFICATION_KINDS,
    QUALIFICATION_LABELS,
    SIZE_CLASSES,
    Supplier,
    SupplierQualification,
)

COLUMNS = (
    Supplier.id,
    Supplier.organisation,
    Supplier.organisation.name.as_alias("name"),
    Supplier.organisation.uscc.as_alias("uscc"),
    Supplier.organisation.region.as_alias("region"),
    Supplier.size_class,
    Supplier.address,
    Supplier.legal_representative,
    Supplier.contact_name,
    Supplier.contact_phone,
    Supplier.contact_email,
    Supplier.ca_serial,
    Supplier.ca_issuer,
    Supplier.ca_valid_until,
    Supplier.status,
    Supplier.status_reason,
    Supplier.created_at,
    Supplier.updated_at,
)
QUALIFICATION_COLUMNS = (
    SupplierQualification.id,
    SupplierQualification.supplier,
    SupplierQualification.kind,
    SupplierQualification.name,
    SupplierQualification.number,
    SupplierQualification.issuer,
    SupplierQualification.valid_until,
    SupplierQualification.created_at,
    SupplierQualification.updated_at,
)

# What the platform needs before later subsystems (bids, orders, contracts) may use a supplier.
INFORMATION = ("uscc", "size_class", "address", "contact_phone", "ca_certificate")

P = ParamSpec("P")
T = TypeVar("T")


def in_transaction(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """A service write is one transaction (joining the mutation's), whoever calls it."""

    @functools.wraps(fn)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        async with transaction():
            return await fn(*args, **kwargs)

    return run


CA_SERIAL = re.compile(r"[0-9A-Za-z:-]{1,64}")
NUMBER = re.compile(r"[^\s].{0,63}")


@dataclass(frozen=True)
class SupplierDetails:
    """What a supplier keeps itself. None: leave as is; "": clear."""

    size_class: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    ca_serial: str | None = None
    ca_issuer: str | None = None
    ca_valid_until: date | None = None

    def cleaned(self) -> SupplierDetails:
        def strip(value: str | None) -> str | None:
            return value.strip() if value is not None else None

        return SupplierDetails(
            size_class=strip(self.size_class),
            address=strip(self.address),
            legal_representative=strip(self.legal_representative),
            contact_name=strip(self.contact_name),
            contact_phone=strip(self.contact_phone),
            contact_email=strip(self.contact_email),
            ca_serial=strip(self.ca_serial),
            ca_issuer=strip(self.ca_issuer),
            ca_valid_until=self.ca_valid_until,
        )

    def values(self) -> dict[str, object]:
        """The fields given, as column names and values."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class QualificationInput:
    """A qualification to add, or the changes to one (None: leave as is)."""

    kind: str | None = None
    name: str | None = None
    number: str | None = None
    issuer: str | None = None
    valid_until: date | None = None


def detail_problems(details: SupplierDetails, on: date | None = None) -> list[Problem]:
    """Format checks for what a supplier keeps itself (API; the import has its own parsers)."""
    d, problems = details, []
    if d.size_class and d.size_class not in SIZE_CLASSES:
        problems.append(
            Problem("INVALID_SIZE_CLASS", f"one of {', '.join(SIZE_CLASSES)}", "sizeClass")
        )
    if d.address is not None and len(d.address) > 255:
        problems.append(Problem("INVALID_ADDRESS", "at most 255 characters", "address"))
    for value, field in (
        (d.legal_representative, "legalRepresentative"),
        (d.contact_name, "contactName"),
    ):
        if value is not None and len(value) > 32:
            problems.append(Problem("INVALID_NAME", "at most 32 characters", field))
    if d.contact_phone and not is_phone(d.contact_phone):
        problems.append(Problem("INVALID_PHONE", "not a mobile or landline number", "contactPhone"))
    if d.contact_email and not is_email(d.contact_email):
        problems.append(Problem("INVALID_EMAIL", "not an e-mail address", "contactEmail"))
    if d.ca_serial and not CA_SERIAL.fullmatch(d.ca_serial):
        problems.append(
            Problem("INVALID_CA_SERIAL", "1 to 64 letters, digits, ':' or '-'", "caSerial")
        )
    if d.ca_issuer is not None and len(d.ca_issuer) > 128:
        problems.append(Problem("INVALID_CA_ISSUER", "at most 128 characters", "caIssuer"))
    if d.ca_valid_until is not None and d.ca_valid_until < (on or today()):
        problems.append(
            Problem("CA_EXPIRED", f"the certificate expired on {d.ca_valid_until}", "caValidUntil")
        )
    return problems


def qualification_problems(q: QualificationInput, on: date | None = None) -> list[Problem]:
    problems = []
    if q.kind is not None and q.kind not in QUALIFICATION_KINDS:
        problems.append(Problem("INVALID_KIND", f"one of {', '.join(QUALIFICATION_KINDS)}", "kind"))
    if q.name is not None and len(q.name) > 128:
        problems.append(Problem("INVALID_NAME", "at most 128 characters", "name"))
    if q.number and not NUMBER.fullmatch(q.number):
        problems.append(Problem("INVALID_NUMBER", "1 to 64 characters", "number"))
    if q.issuer is not None and len(q.issuer) > 128:
        problems.append(Problem("INVALID_ISSUER", "at most 128 characters", "issuer"))
    if q.valid_until is not None and q.valid_until < (on or today()):
        problems.append(
            Problem("QUALIFICATION_EXPIRED", f"it expired on {q.valid_until}", "validUntil")
        )
    return problems


def default_name(kind: str) -> str:
    return QUALIFICATION_LABELS.get(kind, "")


def ca_valid(row: dict, on: date | None = None) -> bool:
    until = row["ca_valid_until"]
    return bool(row["ca_serial"] and row["ca_issuer"] and until and until >= (on or today()))


def merged(row: dict | None, values: dict) -> dict:
    """A supplier row as it would be after `values`, for the checks below (None: a new one)."""
    blank = {
        "uscc": None,
        "size_class": "",
        "address": "",
        "contact_phone": "",
        "ca_serial": "",
        "ca_issuer": "",
        "ca_valid_until": None,
    }
    return {**blank, **(row or {}), **values}


def missing_information(row: dict, on: date | None = None) -> list[str]:
    """What the platform still needs from this supplier (empty: complete)."""
    present = {
        "uscc": bool(row["uscc"]),
        "size_class": bool(row["size_class"]),
        "address": bool(row["address"]),
        "contact_phone": bool(row["contact_phone"]),
        "ca_certificate": ca_valid(row, on),
    }
    return [item for item in INFORMATION if not present[item]]


def status_after(current: str, row: dict, on: date | None = None) -> str:
    """incomplete <-> active follows the information; suspended and inactive are kept."""
    if current in ("suspended", "inactive"):
        return current
    return "incomplete" if missing_information(row, on) else "active"


def usable(row: dict, on: date | None = None) -> bool:
    """Whether later subsystems may use the supplier today (a certificate can expire since)."""
    return row["status"] == "active" and not missing_information(row, on)


def may_see_contact(actor: CurrentUser | None, row: dict) -> bool:
    """Contacts (phone, e-mail, people's names) and certificates are personal data: holders of
    supplier.read_contacts (admins, supervisors) and the supplier's own users."""
    if actor is None:
        return False
    return actor.can(Perm.SUPPLIER_READ_CONTACTS) or actor.organisation_id == row["organisation"]


def state(row: dict) -> dict:
    """What the audit log digests of a supplier."""
    return {k: row[k] for k in row if k not in ("created_at", "updated_at")}


def qualification_state(row: dict) -> dict:
    return {k: row[k] for k in row if k not in ("created_at", "updated_at")}


async def get(supplier_id: int) -> dict:
    row = await Supplier.select(*COLUMNS).where(Supplier.id == supplier_id).first()
    if row is None:
        raise NotFound("supplier", supplier_id)
    return row


async def of_organisation(organisation_id: int) -> dict | None:
    return await Supplier.select(*COLUMNS).where(Supplier.organisation == organisation_id).first()


async def qualifications_of(supplier_id: int) -> list[dict]:
    return await (
        SupplierQualification.select(*QUALIFICATION_COLUMNS)
        .where(SupplierQualification.supplier == supplier_id)
        .order_by(SupplierQualification.id)
    )


async def usable_supplier(organisation_id: int, on: date | None = None) -> dict:
    """For later subsystems (bids, orders, contracts): the organisation's supplier record, or
    SUPPLIER_NOT_USABLE saying what stops it."""
    row = await of_organisation(organisation_id)
    if row is None:
        raise DomainError("NOT_A_SUPPLIER", "this organisation is not a registered supplier")
    if row["status"] in ("suspended", "inactive"):
        raise DomainError("SUPPLIER_NOT_USABLE", f"the supplier is {row['status']}")
    missing = missing_information(row, on)
    if missing:
        raise DomainError(
            "SUPPLIER_NOT_USABLE", f"the supplier must first complete: {', '.join(missing)}"
        )
    return row
