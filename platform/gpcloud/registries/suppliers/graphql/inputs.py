"""The supplier registry's GraphQL inputs, and what they mean to the services."""

from __future__ import annotations

from datetime import date

import strawberry

from gpcloud.registries.suppliers.graphql.types import (
    SupplierQualificationKind,
    SupplierSizeClass,
    SupplierStatus,
)
from gpcloud.registries.suppliers.service import records as r
from gpcloud.registries.suppliers.service import registration
from gpcloud.registries.suppliers.service import search as finder


@strawberry.input(description="Fields left out stay as they are; an empty string clears one.")
class SupplierDetailsInput:
    size_class: SupplierSizeClass | None = strawberry.field(
        default=None, description="Enterprise size."
    )  # type: ignore[valid-type]
    address: str | None = strawberry.field(default=None, description="The registered address.")
    legal_representative: str | None = strawberry.field(
        default=None, description="The legal representative (法定代表人)."
    )
    contact_name: str | None = strawberry.field(default=None, description="The contact person.")
    contact_phone: str | None = strawberry.field(default=None, description="The contact's phone.")
    contact_email: str | None = strawberry.field(default=None, description="The contact's e-mail.")
    ca_serial: str | None = strawberry.field(
        default=None, description="The CA certificate's serial number."
    )
    ca_issuer: str | None = strawberry.field(default=None, description="The CA that issued it.")
    ca_valid_until: date | None = strawberry.field(default=None, description="Its last valid day.")

    def to_service(self) -> r.SupplierDetails:
        return r.SupplierDetails(
            size_class=self.size_class.value if self.size_class else None,
            address=self.address,
            legal_representative=self.legal_representative,
            contact_name=self.contact_name,
            contact_phone=self.contact_phone,
            contact_email=self.contact_email,
            ca_serial=self.ca_serial,
            ca_issuer=self.ca_issuer,
            ca_valid_until=self.ca_valid_until,
        )


@strawberry.input(description="A company registering itself as a supplier, with its first account.")
class RegisterSupplierInput:
    name: str = strawberry.field(description="The registered name, 2 to 128 characters.")
    uscc: str = strawberry.field(description="The unified social credit code (18 characters).")
    region: str = strawberry.field(description="Region code of the home region (an active tenant).")
    username: str = strawberry.field(description="The first account's login name.")
    password: str = strawberry.field(description="Its password (the password rules apply).")
    contact_name: str = strawberry.field(description="Also the account's display name.")
    contact_phone: str = strawberry.field(description="Also the account's phone.")
    contact_email: str = strawberry.field(description="Also the account's e-mail.")
    size_class: SupplierSizeClass | None = strawberry.field(
        default=None, description="Enterprise size."
    )  # type: ignore[valid-type]
    address: str | None = strawberry.field(default=None, description="The registered address.")
    legal_representative: str | None = strawberry.field(
        default=None, description="The legal representative (法定代表人)."
    )
    ca_serial: str | None = strawberry.field(
        default=None, description="The CA certificate's serial number."
    )
    ca_issuer: str | None = strawberry.field(default=None, description="The CA that issued it.")
    ca_valid_until: date | None = strawberry.field(default=None, description="Its last valid day.")

    def to_service(self) -> registration.Registration:
        return registration.Registration(
            name=self.name,
            uscc=self.uscc,
            region=self.region,
            username=self.username,
            password=self.password,
            details=r.SupplierDetails(
                size_class=self.size_class.value if self.size_class else None,
                address=self.address,
                legal_representative=self.legal_representative,
                contact_name=self.contact_name,
                contact_phone=self.contact_phone,
                contact_email=self.contact_email,
                ca_serial=self.ca_serial,
                ca_issuer=self.ca_issuer,
                ca_valid_until=self.ca_valid_until,
            ),
        )


@strawberry.input
class AddSupplierQualificationInput:
    kind: SupplierQualificationKind = strawberry.field(description="What it is.")  # type: ignore[valid-type]
    number: str = strawberry.field(description="Its number.")
    valid_until: date = strawberry.field(description="The last day it is valid.")
    name: str | None = strawberry.field(default=None, description="Default: the kind's name.")
    issuer: str | None = strawberry.field(default=None, description="Who issued it.")


@strawberry.input
class UpdateSupplierQualificationInput:
    kind: SupplierQualificationKind | None = strawberry.field(
        default=None, description="Null keeps it."
    )  # type: ignore[valid-type]
    number: str | None = strawberry.field(default=None, description="Null keeps it.")
    valid_until: date | None = strawberry.field(default=None, description="Null keeps it.")
    name: str | None = strawberry.field(default=None, description="Null keeps it.")
    issuer: str | None = strawberry.field(default=None, description="Null keeps it.")

    def to_service(self) -> r.QualificationInput:
        return r.QualificationInput(
            kind=self.kind.value if self.kind else None,
            name=self.name,
            number=self.number,
            issuer=self.issuer,
            valid_until=self.valid_until,
        )


@strawberry.input
class SupplierFilter:
    name: str | None = strawberry.field(default=None, description="Part of the name.")
    uscc: str | None = strawberry.field(default=None, description="Exact credit code.")
    size_class: SupplierSizeClass | None = strawberry.field(
        default=None, description="Only this size."
    )  # type: ignore[valid-type]
    status: SupplierStatus | None = strawberry.field(default=None, description="Only this state.")  # type: ignore[valid-type]
    region: str | None = strawberry.field(default=None, description="Home region code.")
    include_subtree: bool = strawberry.field(
        default=True, description="With region: also the regions below it."
    )
    qualification_kind: SupplierQualificationKind | None = strawberry.field(
        default=None, description="Only holders of this kind."
    )  # type: ignore[valid-type]
    qualification_valid_on: date | None = strawberry.field(
        default=None, description="With qualificationKind: valid on this date (default today)."
    )

    def to_service(self) -> finder.SupplierFilter:
        return finder.SupplierFilter(
            name=self.name,
            uscc=self.uscc,
            size_class=self.size_class.value if self.size_class else None,
            status=self.status.value if self.status else None,
            region=self.region,
            include_subtree=self.include_subtree,
            qualification_kind=self.qualification_kind.value if self.qualification_kind else None,
            qualification_valid_on=self.qualification_valid_on,
        )
