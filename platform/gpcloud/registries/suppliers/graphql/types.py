"""The supplier registry's GraphQL output types."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from gpcloud.core.clock import today
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.permissions import Authenticated, allow
from gpcloud.core.tenancy.graphql import Tenant, tenant_by_code
from gpcloud.registries.suppliers.service import loaders
from gpcloud.registries.suppliers.service import records as r
from gpcloud.registries.suppliers.tables import (
    QUALIFICATION_KINDS,
    SIZE_CLASSES,
    STATUSES,
)

SupplierSizeClass = strawberry.enum(
    Enum("SupplierSizeClass", {s.upper(): s for s in SIZE_CLASSES}),
    description="Enterprise size; small and micro enterprises get SME preferences.",
)
SupplierStatus = strawberry.enum(
    Enum("SupplierStatus", {s.upper(): s for s in STATUSES}),
    description="INCOMPLETE: information is missing (see missingInformation); only ACTIVE "
    "suppliers take part in procurement.",
)
SupplierQualificationKind = strawberry.enum(
    Enum("SupplierQualificationKind", {k.upper(): k for k in QUALIFICATION_KINDS}),
    description="The kind of a supplier's qualification certificate.",
)
SupplierInformation = strawberry.enum(
    Enum("SupplierInformation", {i.upper(): i for i in r.INFORMATION}),
    description="Information the platform needs before a supplier is active.",
)


@strawberry.type(description="A certificate or licence a supplier holds (资质).")
class SupplierQualification:
    id: strawberry.ID
    kind: SupplierQualificationKind  # type: ignore[valid-type]
    name: str
    number: str
    issuer: str
    valid_until: date
    valid: bool = strawberry.field(description="Not expired today.")
    updated_at: datetime

    @classmethod
    def of(cls, row: dict) -> SupplierQualification:
        return cls(
            id=strawberry.ID(str(row["id"])),
            kind=SupplierQualificationKind(row["kind"]),
            name=row["name"],
            number=row["number"],
            issuer=row["issuer"],
            valid_until=row["valid_until"],
            valid=row["valid_until"] >= today(),
            updated_at=row["updated_at"],
        )


@strawberry.type(
    description="Personal data: visible to admins, supervisors and the supplier's own users."
)
class SupplierContact:
    name: str
    phone: str
    email: str
    legal_representative: str


@strawberry.type(description="The supplier's CA certificate for e-signatures and sealed bids.")
class SupplierCaCertificate:
    serial: str
    issuer: str
    valid_until: date | None
    valid: bool


@strawberry.type(description="A supplier (供应商): registered once, works in every region.")
class Supplier:
    id: strawberry.ID
    name: str
    uscc: str | None = strawberry.field(description="Unified social credit code.")
    size_class: SupplierSizeClass | None  # type: ignore[valid-type]
    address: str
    status: SupplierStatus  # type: ignore[valid-type]
    status_reason: str = strawberry.field(description="Why an admin suspended it.")
    missing_information: list[SupplierInformation] = strawberry.field(  # type: ignore[valid-type]
        directives=[ListSize(max=len(r.INFORMATION))]
    )
    usable: bool = strawberry.field(description="Active with nothing missing today.")
    organisation_id: strawberry.ID
    created_at: datetime
    updated_at: datetime
    row: strawberry.Private[dict]

    @classmethod
    def of(cls, row: dict) -> Supplier:
        return cls(
            id=strawberry.ID(str(row["id"])),
            name=row["name"],
            uscc=row["uscc"],
            size_class=SupplierSizeClass(row["size_class"]) if row["size_class"] else None,
            address=row["address"],
            status=SupplierStatus(row["status"]),
            status_reason=row["status_reason"],
            missing_information=[SupplierInformation(i) for i in r.missing_information(row)],
            usable=r.usable(row),
            organisation_id=strawberry.ID(str(row["organisation"])),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            row=row,
        )

    @strawberry.field(extensions=allow(Authenticated()), description="Home region.")
    async def region(self) -> Tenant | None:
        return await tenant_by_code(self.row["region"])

    @strawberry.field(
        extensions=allow(Authenticated()),
        description="Null unless you are an admin, a supervisor or one of the supplier's users.",
    )
    def contact(self, info: Info) -> SupplierContact | None:
        if not r.may_see_contact(info.context.user, self.row):
            return None
        row = self.row
        return SupplierContact(
            name=row["contact_name"],
            phone=row["contact_phone"],
            email=row["contact_email"],
            legal_representative=row["legal_representative"],
        )

    @strawberry.field(
        extensions=allow(Authenticated()),
        description="Null unless you are an admin, a supervisor or one of the supplier's users.",
    )
    def ca_certificate(self, info: Info) -> SupplierCaCertificate | None:
        if not r.may_see_contact(info.context.user, self.row) or not self.row["ca_serial"]:
            return None
        row = self.row
        return SupplierCaCertificate(
            serial=row["ca_serial"],
            issuer=row["ca_issuer"],
            valid_until=row["ca_valid_until"],
            valid=r.ca_valid(row),
        )

    @strawberry.field(extensions=allow(Authenticated()), directives=[ListSize(max=100)])
    async def qualifications(
        self, info: Info, valid_on: date | None = None
    ) -> list[SupplierQualification]:
        """All of them, or those valid on `validOn`."""
        loader = info.context.loaders.get(
            "supplier_qualifications", loaders.qualifications_by_supplier
        )
        rows = sorted(await loader.load(int(self.id)), key=lambda q: q["id"])
        return [
            SupplierQualification.of(q)
            for q in rows
            if valid_on is None or q["valid_until"] >= valid_on
        ]
