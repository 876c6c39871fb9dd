"""Suppliers through the API: Queries and Mutations (types in types.py, inputs in inputs.py)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.service import load_current_user
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Authenticated, Public, Requires, allow
from gpcloud.core.graphql.types import Connection, UserError, connection, parse_id
from gpcloud.registries.suppliers.graphql.inputs import (
    AddSupplierQualificationInput,
    RegisterSupplierInput,
    SupplierDetailsInput,
    SupplierFilter,
    UpdateSupplierQualificationInput,
)
from gpcloud.registries.suppliers.graphql.types import Supplier, SupplierQualification
from gpcloud.registries.suppliers.service import admin, own, registration
from gpcloud.registries.suppliers.service import records as r
from gpcloud.registries.suppliers.service import search as finder

OWN = Requires(Perm.SUPPLIER_UPDATE_OWN)
SUSPENDERS = Requires(Perm.SUPPLIER_SUSPEND)


@strawberry.type
class SupplierPayload:
    supplier: Supplier | None = strawberry.field(
        default=None, description="The supplier as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SupplierQualificationPayload:
    qualification: SupplierQualification | None = strawberry.field(
        default=None, description="The qualification as stored; null on errors."
    )
    supplier: Supplier | None = strawberry.field(
        default=None, description="The supplier after the change (its status may change)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def _qualification_payload(result: tuple[dict, dict]) -> SupplierQualificationPayload:
    qualification, supplier = result
    return SupplierQualificationPayload(
        qualification=SupplierQualification.of(qualification), supplier=Supplier.of(supplier)
    )


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(Authenticated()),
        description="Registered suppliers: one registry for the whole province.",
    )
    async def suppliers(
        self,
        filter: SupplierFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Supplier]:
        page = await finder.search((filter or SupplierFilter()).to_service(), first, after)
        return connection(page, Supplier.of)

    @strawberry.field(extensions=allow(Authenticated()), description="One supplier; null if none.")
    async def supplier(self, id: strawberry.ID) -> Supplier | None:
        try:
            return Supplier.of(await r.get(parse_id(id, "supplier")))
        except DomainError as exc:
            if exc.code == "NOT_FOUND":
                return None
            raise

    @strawberry.field(extensions=allow(OWN), description="The supplier you work for.")
    async def my_supplier(self, info: Info) -> Supplier | None:
        row = await own.mine(info.context.user)
        return Supplier.of(row) if row else None


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Public()),
        description="A company registers itself as a supplier and gets its first account "
        "(rate-limited per address). The rest of this request acts as the new account.",
    )
    async def register_supplier(self, info: Info, input: RegisterSupplierInput) -> SupplierPayload:
        # Format checks and the slow password hash run before the mutation's transaction.
        try:
            checked = await registration.prepare(input.to_service(), info.context.client_address)
        except DomainError as exc:
            return SupplierPayload(errors=[UserError.of(p) for p in exc.problems])

        async def work() -> SupplierPayload:
            row, user_id = await registration.create(checked)
            await info.context.sign_in(await load_current_user(user_id))
            return SupplierPayload(supplier=Supplier.of(row))

        return await run_mutation(SupplierPayload, work)

    @strawberry.mutation(
        extensions=allow(OWN),
        description="Complete or change your supplier's details; it becomes active when complete.",
    )
    async def update_my_supplier(self, info: Info, input: SupplierDetailsInput) -> SupplierPayload:
        async def work() -> SupplierPayload:
            return SupplierPayload(
                supplier=Supplier.of(await own.update_mine(info.context.user, input.to_service()))
            )

        return await run_mutation(SupplierPayload, work)

    @strawberry.mutation(
        extensions=allow(OWN), description="Add a certificate or licence of your supplier."
    )
    async def add_my_supplier_qualification(
        self, info: Info, input: AddSupplierQualificationInput
    ) -> SupplierQualificationPayload:
        async def work() -> SupplierQualificationPayload:
            new = r.QualificationInput(
                kind=input.kind.value,
                name=input.name,
                number=input.number,
                issuer=input.issuer,
                valid_until=input.valid_until,
            )
            return _qualification_payload(await own.add_qualification(info.context.user, new))

        return await run_mutation(SupplierQualificationPayload, work)

    @strawberry.mutation(
        extensions=allow(OWN), description="Correct or renew one of your supplier's certificates."
    )
    async def update_my_supplier_qualification(
        self, info: Info, id: strawberry.ID, input: UpdateSupplierQualificationInput
    ) -> SupplierQualificationPayload:
        async def work() -> SupplierQualificationPayload:
            result = await own.update_qualification(
                info.context.user, parse_id(id, "qualification"), input.to_service()
            )
            return _qualification_payload(result)

        return await run_mutation(SupplierQualificationPayload, work)

    @strawberry.mutation(
        extensions=allow(OWN), description="Remove one of your supplier's certificates."
    )
    async def remove_my_supplier_qualification(
        self, info: Info, id: strawberry.ID
    ) -> SupplierQualificationPayload:
        async def work() -> SupplierQualificationPayload:
            result = await own.remove_qualification(
                info.context.user, parse_id(id, "qualification")
            )
            return _qualification_payload(result)

        return await run_mutation(SupplierQualificationPayload, work)

    @strawberry.mutation(
        extensions=allow(SUSPENDERS),
        description="Suspend a supplier of your region (kept, not usable until reactivated).",
    )
    async def suspend_supplier(self, info: Info, id: strawberry.ID, reason: str) -> SupplierPayload:
        async def work() -> SupplierPayload:
            row = await admin.suspend(info.context.user, parse_id(id, "supplier"), reason)
            return SupplierPayload(supplier=Supplier.of(row))

        return await run_mutation(SupplierPayload, work)

    @strawberry.mutation(extensions=allow(SUSPENDERS), description="Lift a suspension.")
    async def reactivate_supplier(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> SupplierPayload:
        async def work() -> SupplierPayload:
            row = await admin.reactivate(info.context.user, parse_id(id, "supplier"), reason)
            return SupplierPayload(supplier=Supplier.of(row))

        return await run_mutation(SupplierPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.SUPPLIER_CORRECT)),
        description="Correct a supplier's registered name or credit code.",
    )
    async def correct_supplier(
        self,
        info: Info,
        id: strawberry.ID,
        reason: str,
        name: Annotated[
            str | None, strawberry.argument(description="The corrected name; null keeps it.")
        ] = None,
        uscc: Annotated[
            str | None, strawberry.argument(description="The corrected code; null keeps it.")
        ] = None,
    ) -> SupplierPayload:
        async def work() -> SupplierPayload:
            row = await admin.correct(
                info.context.user, parse_id(id, "supplier"), name, uscc, reason
            )
            return SupplierPayload(supplier=Supplier.of(row))

        return await run_mutation(SupplierPayload, work)
