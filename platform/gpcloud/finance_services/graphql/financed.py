"""The financing types: applications, offers (consent and decision), payee account changes,
and a financed contract as its institution sees it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.money import to_yuan, to_yuan_or_none
from gpcloud.finance_services.graphql.types import (
    SIGNED_IN,
    OfferStatus,
    PayeeChangeStatus,
    payload,
)
from gpcloud.finance_services.service import financing, institutions, payee


@strawberry.type(description="A payee account change (收款账户变更) of a financed contract.")
class PayeeAccountChange:
    id: strawberry.ID
    contract_id: strawberry.ID = strawberry.field(description="The contract whose payee changes.")
    offer_id: strawberry.ID = strawberry.field(description="The financing it serves.")
    institution_id: strawberry.ID = strawberry.field(description="The financing institution.")
    account_name: str = strawberry.field(description="The financing account's name.")
    bank_name: str = strawberry.field(description="Its bank.")
    account_number: str = strawberry.field(description="Its number.")
    status: PayeeChangeStatus = strawberry.field(description="Where the approvals stand.")  # type: ignore[valid-type]
    approved_at: datetime | None = strawberry.field(description="When both had approved.")
    _row: strawberry.Private[dict]

    @strawberry.field(
        extensions=SIGNED_IN, description="Yuan paid to the financing account since the change."
    )
    async def repaid(self) -> Decimal:
        return to_yuan(await payee.repaid(self._row))

    @classmethod
    def of(cls, row: dict) -> PayeeAccountChange:
        return cls(
            id=strawberry.ID(str(row["id"])),
            contract_id=strawberry.ID(str(row["contract"])),
            offer_id=strawberry.ID(str(row["offer"])),
            institution_id=strawberry.ID(str(row["institution"])),
            account_name=row["account_name"],
            bank_name=row["bank_name"],
            account_number=row["account_number"],
            status=PayeeChangeStatus(row["status"]),
            approved_at=row["approved_at"],
            _row=row,
        )


@strawberry.type(
    description="One chosen institution of a financing application: consent and decision."
)
class FinancingOffer:
    id: strawberry.ID
    institution_id: strawberry.ID = strawberry.field(description="The institution consented to.")
    status: OfferStatus = strawberry.field(description="Consent and decision.")  # type: ignore[valid-type]
    amount: Decimal | None = strawberry.field(description="The amount lent, yuan.")
    rate: str = strawberry.field(description="Yearly rate, percent.")
    term_months: int | None = strawberry.field(description="The loan's term in months.")

    @strawberry.field(
        extensions=SIGNED_IN,
        description="Its payee account changes.",
        directives=[ListSize(max=10)],
    )
    async def payee_account_changes(self, info: Info) -> list[PayeeAccountChange]:
        loader = info.context.loaders.get("payee_changes_of_offer", payee.of_offers)
        return [PayeeAccountChange.of(r) for r in await loader.load(int(self.id))]

    @classmethod
    def of(cls, row: dict) -> FinancingOffer:
        return cls(
            id=strawberry.ID(str(row["id"])),
            institution_id=strawberry.ID(str(row["institution"])),
            status=OfferStatus(row["status"]),
            amount=to_yuan_or_none(row["amount_fen"]),
            rate=row["rate"],
            term_months=row["term_months"],
        )


@strawberry.type(description="A contract financing application (政采贷).")
class FinancingApplication:
    id: strawberry.ID
    contract_id: strawberry.ID = strawberry.field(description="The signed contract financed.")
    supplier_organisation_id: strawberry.ID = strawberry.field(description="The applicant.")
    amount: Decimal = strawberry.field(description="The amount asked for, yuan.")
    purpose: str = strawberry.field(description="What the money is for.")

    @strawberry.field(
        extensions=SIGNED_IN,
        description="The institutions chosen, each with its decision.",
        directives=[ListSize(max=5)],
    )
    async def offers(self, info: Info) -> list[FinancingOffer]:
        loader = info.context.loaders.get("financing_offers", financing.offers_of)
        rows = await loader.load(int(self.id))
        mine = info.context.user
        if mine is not None and mine.can(Perm.FINANCING_DECIDE):
            from_institution = await _institution_id(mine)
            rows = [r for r in rows if r["institution"] == from_institution]
        return [FinancingOffer.of(r) for r in rows]

    @classmethod
    def of(cls, row: dict) -> FinancingApplication:
        return cls(
            id=strawberry.ID(str(row["id"])),
            contract_id=strawberry.ID(str(row["contract"])),
            supplier_organisation_id=strawberry.ID(str(row["supplier_organisation"])),
            amount=to_yuan(row["amount_fen"]),
            purpose=row["purpose"],
        )


async def _institution_id(user) -> int | None:
    row = await institutions.of_organisation(user.organisation_id)
    return row["id"] if row else None


@strawberry.type(description="An acceptance of a financed contract, as its institution sees it.")
class FinancedAcceptance:
    kind: str = strawberry.field(description="stage, period or final.")
    passed: bool = strawberry.field(description="Whether it passed.")
    accepted_on: date = strawberry.field(description="When it took place.")


@strawberry.type(description="A payment of a financed contract, as its institution sees it.")
class FinancedPayment:
    amount: Decimal = strawberry.field(description="Yuan.")
    final: bool = strawberry.field(description="The final payment.")
    status: str = strawberry.field(description="requested, exported, pushed or rejected.")


@strawberry.type(
    description="A contract a supplier consented to show an institution: that "
    "contract, its acceptance and payments only; every read is audited."
)
class FinancedContract:
    id: strawberry.ID
    title: str = strawberry.field(description="The contract's title.")
    amount: Decimal = strawberry.field(description="Its amount, yuan.")
    status: str = strawberry.field(description="Its state.")
    signed_on: date | None = strawberry.field(description="When both parties had signed.")
    supplier_name: str = strawberry.field(description="The supplier.")

    @strawberry.field(
        extensions=SIGNED_IN,
        description="Its acceptance reports (read audited).",
        directives=[ListSize(max=50)],
    )
    async def acceptances(self, info: Info) -> list[FinancedAcceptance]:
        rows = await financing.acceptances(info.context.user, int(self.id))
        return [
            FinancedAcceptance(kind=r["kind"], passed=r["passed"], accepted_on=r["accepted_on"])
            for r in rows
        ]

    @strawberry.field(
        extensions=SIGNED_IN,
        description="Its payments (read audited).",
        directives=[ListSize(max=50)],
    )
    async def payments(self, info: Info) -> list[FinancedPayment]:
        rows = await financing.payments(info.context.user, int(self.id))
        return [
            FinancedPayment(amount=to_yuan(r["amount_fen"]), final=r["final"], status=r["status"])
            for r in rows
        ]

    @classmethod
    def of(cls, row: dict) -> FinancedContract:
        return cls(
            id=strawberry.ID(str(row["id"])),
            title=row["title"],
            amount=to_yuan(row["amount_fen"]),
            status=row["status"],
            signed_on=row["signed_on"],
            supplier_name=row["supplier_name"],
        )


OfferPayload = payload("FinancingOfferPayload", "offer", FinancingOffer, "The offer.")
ApplicationPayload = payload(
    "FinancingApplicationPayload", "application", FinancingApplication, "The application."
)
ChangePayload = payload("PayeeAccountChangePayload", "change", PayeeAccountChange, "The change.")
