"""The supplier registry's GraphQL output types."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.clock import today
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import values_enum
from gpcloud.core.graphql.permissions import Authenticated, allow
from gpcloud.core.tenancy.graphql import Tenant, tenant_by_code
from gpcloud.registries.suppliers.service import loaders
from gpcloud.registries.suppliers.service import records as r
from gpcloud.registries.suppliers.tables import (
    QUALIFICATION_KINDS,
    SIZE_CLASSES,
    STATUSES,
)

SupplierSizeClass = values_enum(
    "SupplierSizeClass",
    SIZE_CLASSES,
    "Enterprise size; small and micro enterprises get SME preferences.",
    {
        "large": "大型: a large enterprise.",
        "medium": "中型: a medium enterprise.",
        "small": "小型: a small enterprise (SME price deduction, Caiku [2022] 19).",
        "micro": "微型: a micro enterprise (SME price deduction, Caiku [2022] 19).",
    },
)
SupplierStatus = values_enum(
    "SupplierStatus",
    STATUSES,
    "INCOMPLETE: information is missing (see missingInformation); only ACTIVE suppliers take "
    "part in procurement.",
    {
        "active": "Takes part in procurement.",
        "incomplete": "Registered; information is missing (missingInformation).",
        "suspended": "Suspended by an admin (statusReason says why).",
        "inactive": "No longer active (deregistered).",
    },
)
SupplierQualificationKind = values_enum(
    "SupplierQualificationKind",
    QUALIFICATION_KINDS,
    "The kind of a supplier's qualification certificate.",
    {
        "business_license": "Business licence (营业执照).",
        "iso9001": "Quality management system certificate (ISO 9001).",
        "iso14001": "Environmental management system certificate (ISO 14001).",
        "iso45001": "Occupational health and safety certificate (ISO 45001).",
        "high_tech": "High and new technology enterprise (高新技术企业).",
        "software_enterprise": "Software enterprise (软件企业).",
        "safety_production": "Work safety licence (安全生产许可证).",
        "construction": "Construction enterprise qualification (建筑业企业资质).",
        "medical_device": "Medical device business licence (医疗器械经营许可).",
        "food_business": "Food business licence (食品经营许可证).",
        "other": "Another certificate; its name says which.",
    },
)
SupplierInformation = values_enum(
    "SupplierInformation",
    r.INFORMATION,
    "Information the platform needs before a supplier is active.",
    {
        "uscc": "The unified social credit code.",
        "size_class": "The enterprise size.",
        "address": "The registered address.",
        "contact_phone": "A contact phone number.",
        "ca_certificate": "A valid CA certificate (for e-signatures and sealed bids).",
    },
)


@strawberry.type(description="A certificate or licence a supplier holds (资质).")
class SupplierQualification:
    id: strawberry.ID
    kind: SupplierQualificationKind = strawberry.field(description="What it is.")  # type: ignore[valid-type]
    name: str = strawberry.field(description="Its name as printed.")
    number: str = strawberry.field(description="Its number.")
    issuer: str = strawberry.field(description="Who issued it.")
    valid_until: date = strawberry.field(description="The last day it is valid.")
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
    name: str = strawberry.field(description="The contact person.")
    phone: str = strawberry.field(description="The contact's phone.")
    email: str = strawberry.field(description="The contact's e-mail.")
    legal_representative: str = strawberry.field(
        description="The legal representative (法定代表人)."
    )


@strawberry.type(description="The supplier's CA certificate for e-signatures and sealed bids.")
class SupplierCaCertificate:
    serial: str = strawberry.field(description="The certificate's serial number.")
    issuer: str = strawberry.field(description="The CA that issued it.")
    valid_until: date | None = strawberry.field(description="Its last valid day.")
    valid: bool = strawberry.field(description="Not expired today.")


@strawberry.type(description="A supplier (供应商): registered once, works in every region.")
class Supplier:
    id: strawberry.ID
    name: str = strawberry.field(description="The registered name.")
    uscc: str | None = strawberry.field(description="Unified social credit code.")
    size_class: SupplierSizeClass | None = strawberry.field(description="Enterprise size.")  # type: ignore[valid-type]
    address: str = strawberry.field(description="The registered address.")
    status: SupplierStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    status_reason: str = strawberry.field(description="Why an admin suspended it.")
    missing_information: list[SupplierInformation] = strawberry.field(  # type: ignore[valid-type]
        directives=[ListSize(max=len(r.INFORMATION))],
        description="What it must still give before it is active.",
    )
    usable: bool = strawberry.field(description="Active with nothing missing today.")
    organisation_id: strawberry.ID = strawberry.field(description="Its organisation (accounts).")
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

    @strawberry.field(
        extensions=allow(Authenticated()),
        directives=[ListSize(max=100)],
        description="Its certificates and licences (资质).",
    )
    async def qualifications(
        self,
        info: Info,
        valid_on: Annotated[
            date | None, strawberry.argument(description="Only those valid on this day.")
        ] = None,
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
