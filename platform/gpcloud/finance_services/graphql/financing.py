"""Contract financing through the API: applications with consent, what a consenting
institution reads, decisions, payee account changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.mutations import run_payload
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.graphql.types import Connection, connection, parse_id
from gpcloud.finance_services.graphql.financed import (
    ApplicationPayload,
    ChangePayload,
    FinancedContract,
    FinancingApplication,
    FinancingOffer,
    OfferPayload,
    PayeeAccountChange,
)
from gpcloud.finance_services.graphql.inputs import (
    FinancingDecisionInput,
    PayeeAccountInput,
    arg,
)
from gpcloud.finance_services.graphql.types import SIGNED_IN
from gpcloud.finance_services.service import (
    financing,
    payee,
)


def _offer(work):
    return run_payload(OfferPayload, "offer", FinancingOffer.of, work)


def _change(work):
    return run_payload(ChangePayload, "change", PayeeAccountChange.of, work)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=SIGNED_IN,
        description="Financing applications: a supplier's own; an institution's offered to it.",
    )
    async def financing_applications(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[FinancingApplication]:
        return connection(
            await financing.search(info.context.user, first, after), FinancingApplication.of
        )

    @strawberry.field(
        extensions=allow(Requires(Perm.FINANCING_DECIDE)),
        description="A contract its supplier consented to show your institution (read audited).",
    )
    async def financed_contract(
        self, info: Info, contract_id: Annotated[strawberry.ID, arg("The contract.")]
    ) -> FinancedContract:
        _, contract = await financing.consented(
            info.context.user, parse_id(contract_id, "contract"), "contract"
        )
        return FinancedContract.of(contract)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCING_APPLY)),
        description="Apply for financing against your signed contract; consents to each institution.",
    )
    async def apply_for_financing(
        self,
        info: Info,
        contract_id: Annotated[strawberry.ID, arg("Your signed contract.")],
        amount: Annotated[Decimal, arg("Yuan asked for.")],
        institution_ids: Annotated[list[strawberry.ID], arg("1 to 5 approved institutions.")],
        purpose: Annotated[str, arg("What the money is for.")] = "",
    ) -> ApplicationPayload:
        ids = [parse_id(i, "institution") for i in institution_ids[:10]]

        async def work():
            application, _ = await financing.apply(
                info.context.user, parse_id(contract_id, "contract"), amount, ids, purpose
            )
            return application

        return await run_payload(ApplicationPayload, "application", FinancingApplication.of, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCING_APPLY)),
        description="Withdraw your consent to an institution: its access ends.",
    )
    async def withdraw_financing_consent(self, info: Info, id: strawberry.ID) -> OfferPayload:
        return await _offer(lambda: financing.withdraw(info.context.user, parse_id(id, "offer")))

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCING_DECIDE)),
        description="Record your institution's decision on a financing offer.",
    )
    async def decide_financing(
        self, info: Info, id: strawberry.ID, input: FinancingDecisionInput
    ) -> OfferPayload:
        data = financing.Decision(
            input.approve, input.amount, input.rate, input.term_months, input.reason
        )
        return await _offer(
            lambda: financing.decide(info.context.user, parse_id(id, "offer"), data)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCING_APPLY)),
        description="Ask that the contract's payments go to the financing account.",
    )
    async def request_payee_account_change(
        self,
        info: Info,
        offer_id: Annotated[strawberry.ID, arg("The approved financing.")],
        input: PayeeAccountInput,
    ) -> ChangePayload:
        account = payee.AccountInput(input.account_name, input.bank_name, input.account_number)
        return await _change(
            lambda: payee.request(info.context.user, parse_id(offer_id, "offer"), account)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.PAYEE_CHANGE_APPROVE)),
        description="Approve a payee change as its purchaser or its institution.",
    )
    async def approve_payee_account_change(self, info: Info, id: strawberry.ID) -> ChangePayload:
        return await _change(lambda: payee.approve(info.context.user, parse_id(id, "payee change")))

    @strawberry.mutation(
        extensions=allow(Requires(Perm.PAYEE_CHANGE_APPROVE)),
        description="Reject a payee change as its purchaser or its institution.",
    )
    async def reject_payee_account_change(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> ChangePayload:
        return await _change(
            lambda: payee.reject(info.context.user, parse_id(id, "payee change"), reason)
        )
