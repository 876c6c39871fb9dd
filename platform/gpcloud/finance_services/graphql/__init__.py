"""The finance centre through the API: institutions and their credentials, electronic bid
guarantees, contract financing with consent, payee account changes, webhook deliveries and
the region's figures (types in types.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_mutation, run_payload
from gpcloud.core.graphql.permissions import Authenticated, Public, Requires, allow
from gpcloud.core.graphql.types import Connection, connection, parse_id
from gpcloud.core.money import to_yuan
from gpcloud.finance_services.graphql.types import (
    ApiKey,
    ApiKeyPayload,
    ApiSignInPayload,
    ApplicationPayload,
    BidGuarantee,
    ChangePayload,
    DeliveryPayload,
    FinancedContract,
    FinanceFigures,
    FinancialInstitution,
    FinancingApplication,
    FinancingOffer,
    GuaranteePayload,
    GuaranteeRequirement,
    GuaranteeStatus,
    GuaranteeVerification,
    InstitutionKind,
    InstitutionPayload,
    InstitutionStatus,
    OfferPayload,
    PayeeAccountChange,
    RequirementPayload,
    WebhookDelivery,
    WebhookEndpointPayload,
    WebhookStatus,
)
from gpcloud.finance_services.service import (
    credentials,
    figures,
    financing,
    guarantees,
    institutions,
    payee,
    webhooks,
)

SIGNED_IN = allow(Authenticated())


def _arg(description: str):
    return strawberry.argument(description=description)


@strawberry.input(description="A financial institution's registration.")
class InstitutionInput:
    kind: InstitutionKind = strawberry.field(description="Bank, guarantor or insurer.")  # type: ignore[valid-type]
    licence: str = strawberry.field(description="Its licence number.")
    rate_limit: int = strawberry.field(default=120, description="API requests a minute (1..6000).")


@strawberry.input(description="What an institution issues and signs (docs/finance-services.md).")
class GuaranteeIssueInput:
    project_id: strawberry.ID = strawberry.field(description="The project, as signed.")
    number: str = strawberry.field(description="The guarantee number.")
    amount: Decimal = strawberry.field(description="The guaranteed amount, yuan.")
    valid_until: date = strawberry.field(description="The last day it is valid.")
    beneficiary: str = strawberry.field(description="The beneficiary's name, as required.")
    signature: str = strawberry.field(description="Ed25519 over the statement, 128 hex digits.")


@strawberry.input(description="A piece of evidence of a claim.")
class EvidenceInput:
    title: str = strawberry.field(description="What it is.")
    reference: str = strawberry.field(description="Its document number or file reference.")


@strawberry.input(description="An institution's decision on a financing offer.")
class FinancingDecisionInput:
    approve: bool = strawberry.field(description="True to lend, false to decline.")
    amount: Decimal | None = strawberry.field(default=None, description="Yuan lent (approving).")
    rate: str = strawberry.field(default="", description="Yearly rate in percent, e.g. 3.85.")
    term_months: int | None = strawberry.field(default=None, description="Term, 1..60 months.")
    reason: str = strawberry.field(default="", description="Reasons, kept in the audit log.")


@strawberry.input(description="The financing account payments are to go to.")
class PayeeAccountInput:
    account_name: str = strawberry.field(description="The account's name.")
    bank_name: str = strawberry.field(description="Its bank.")
    account_number: str = strawberry.field(description="Its number, 8 to 32 digits.")


def _institution(work):
    return run_payload(InstitutionPayload, "institution", FinancialInstitution.of, work)


def _guarantee(work):
    return run_payload(GuaranteePayload, "guarantee", BidGuarantee.of, work)


def _offer(work):
    return run_payload(OfferPayload, "offer", FinancingOffer.of, work)


def _change(work):
    return run_payload(ChangePayload, "change", PayeeAccountChange.of, work)


def _key(work):
    async def run():
        row, secret = await work()
        return ApiKeyPayload(key=ApiKey.of(row), secret=secret)

    return run_mutation(ApiKeyPayload, run)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=SIGNED_IN,
        description="Institutions: the approved ones; every status for finance staff.",
    )
    async def financial_institutions(
        self,
        info: Info,
        status: Annotated[
            InstitutionStatus | None, _arg("Only institutions in this state.")
        ] = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[FinancialInstitution]:
        page = await institutions.search(
            info.context.user, status.value if status else None, first, after
        )
        return connection(page, FinancialInstitution.of)

    @strawberry.field(
        extensions=allow(Requires(Perm.FINANCE_CREDENTIALS_MANAGE)),
        description="Your institution's API keys.",
        directives=[ListSize(max=100)],
    )
    async def my_api_keys(self, info: Info) -> list[ApiKey]:
        mine = await institutions.acting(info.context.user)
        return [ApiKey.of(r) for r in await credentials.keys_of(mine["id"])]

    @strawberry.field(
        extensions=SIGNED_IN,
        description="Your bid guarantees: a supplier's own, an institution's issued.",
    )
    async def bid_guarantees(
        self,
        info: Info,
        status: Annotated[GuaranteeStatus | None, _arg("Only guarantees in this state.")] = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[BidGuarantee]:
        page = await guarantees.search(
            info.context.user, status.value if status else None, first, after
        )
        return connection(page, BidGuarantee.of)

    @strawberry.field(
        extensions=allow(Requires(Perm.GUARANTEE_MANAGE)),
        description="A project's guarantees for its agency: bidders hidden until the opening.",
        directives=[ListSize(max=200)],
    )
    async def project_bid_guarantees(
        self, info: Info, project_id: Annotated[strawberry.ID, _arg("The project.")]
    ) -> list[BidGuarantee]:
        rows, reveal = await guarantees.of_project(
            info.context.user, parse_id(project_id, "project")
        )
        return [BidGuarantee.of(r, reveal) for r in rows]

    @strawberry.field(
        extensions=allow(Requires(Perm.GUARANTEE_MANAGE)),
        description="The bid security your agency's project asks for.",
    )
    async def guarantee_requirement(
        self, info: Info, project_id: Annotated[strawberry.ID, _arg("The project.")]
    ) -> GuaranteeRequirement | None:
        await guarantees.of_project(info.context.user, parse_id(project_id, "project"))
        row = await guarantees.requirement(parse_id(project_id, "project"))
        return GuaranteeRequirement.of(row) if row else None

    @strawberry.field(
        extensions=allow(Requires(Perm.GUARANTEE_MANAGE)),
        description="Verify a guarantee a bid names (signature, state, requirement).",
    )
    async def verify_bid_guarantee(
        self, info: Info, number: Annotated[str, _arg("The guarantee number the bid gives.")]
    ) -> GuaranteeVerification:
        found = await guarantees.verify(number)
        row = found["guarantee"]
        if row is not None:
            await guarantees.of_project(info.context.user, row["project"])
        return GuaranteeVerification(
            valid=found["valid"],
            problems=found["problems"],
            guarantee=BidGuarantee.of(row, reveal=False) if row else None,
        )

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
        self, info: Info, contract_id: Annotated[strawberry.ID, _arg("The contract.")]
    ) -> FinancedContract:
        _, contract = await financing.consented(
            info.context.user, parse_id(contract_id, "contract"), "contract"
        )
        return FinancedContract.of(contract)

    @strawberry.field(
        extensions=allow(Requires(Perm.FINANCE_CREDENTIALS_MANAGE)),
        description="Your institution's webhook deliveries (DEAD: the dead letters).",
    )
    async def webhook_deliveries(
        self,
        info: Info,
        status: Annotated[WebhookStatus | None, _arg("Only deliveries in this state.")] = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[WebhookDelivery]:
        page = await webhooks.search(
            info.context.user, status.value if status else None, first, after
        )
        return connection(page, WebhookDelivery.of)

    @strawberry.field(
        extensions=allow(Requires(Perm.FINANCE_READ)),
        description="Institutions, loans, amounts, SMEs served, guarantees, deposits replaced.",
    )
    async def finance_figures(
        self,
        info: Info,
        region_code: Annotated[str | None, _arg("The region; default yours.")] = None,
    ) -> FinanceFigures:
        f = await figures.figures(info.context.user, region_code)
        return FinanceFigures(
            region_code=f.region,
            institutions=f.institutions,
            loans=f.loans,
            loan_amount=to_yuan(f.loan_amount_fen),
            smes_served=f.smes_served,
            guarantees=f.guarantees,
            deposits_replaced=to_yuan(f.deposits_replaced_fen),
        )


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_INSTITUTION_REGISTER)),
        description="Register your organisation with the finance centre.",
    )
    async def register_financial_institution(
        self, info: Info, input: InstitutionInput
    ) -> InstitutionPayload:
        data = institutions.InstitutionInput(input.kind.value, input.licence, input.rate_limit)
        return await _institution(lambda: institutions.register(info.context.user, data))

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_INSTITUTION_DECIDE)),
        description="Admit an institution (or end its suspension).",
    )
    async def approve_financial_institution(
        self, info: Info, id: strawberry.ID, reason: str = ""
    ) -> InstitutionPayload:
        return await _institution(
            lambda: institutions.approve(info.context.user, parse_id(id, "institution"), reason)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_INSTITUTION_DECIDE)),
        description="Refuse an institution's registration.",
    )
    async def reject_financial_institution(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> InstitutionPayload:
        return await _institution(
            lambda: institutions.reject(info.context.user, parse_id(id, "institution"), reason)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_INSTITUTION_DECIDE)),
        description="Suspend an institution: its users and keys may not act.",
    )
    async def suspend_financial_institution(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> InstitutionPayload:
        return await _institution(
            lambda: institutions.suspend(info.context.user, parse_id(id, "institution"), reason)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_CREDENTIALS_MANAGE)),
        description="A new API key acting for you; the full key is shown once.",
    )
    async def issue_api_key(self, info: Info) -> ApiKeyPayload:
        return await _key(lambda: credentials.issue(info.context.user))

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_CREDENTIALS_MANAGE)),
        description="Replace a key: the old one works 24 hours more.",
    )
    async def rotate_api_key(self, info: Info, id: strawberry.ID) -> ApiKeyPayload:
        return await _key(lambda: credentials.rotate(info.context.user, parse_id(id, "API key")))

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_CREDENTIALS_MANAGE)),
        description="End a key at once.",
    )
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> ApiKeyPayload:
        async def run():
            row = await credentials.revoke(info.context.user, parse_id(id, "API key"))
            return ApiKeyPayload(key=ApiKey.of(row))

        return await run_mutation(ApiKeyPayload, run)

    @strawberry.mutation(
        extensions=allow(Public()),
        description="Exchange an API key for an access token (rate limited per institution).",
    )
    async def sign_in_with_api_key(
        self, info: Info, api_key: Annotated[str, _arg("gpk_<keyId>.<secret>.")]
    ) -> ApiSignInPayload:
        async def run():
            session = await credentials.sign_in(api_key)
            await info.context.sign_in(session.user)
            return ApiSignInPayload(token=session.token, expires_at=session.expires_at)

        return await run_mutation(ApiSignInPayload, run)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_CREDENTIALS_MANAGE)),
        description="Send your webhooks to this URL with a fresh secret (shown once).",
    )
    async def set_webhook_endpoint(
        self, info: Info, url: Annotated[str, _arg("An http(s) URL.")]
    ) -> WebhookEndpointPayload:
        async def run():
            row, secret = await institutions.set_webhook(info.context.user, url)
            return WebhookEndpointPayload(institution=FinancialInstitution.of(row), secret=secret)

        return await run_mutation(WebhookEndpointPayload, run)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCE_CREDENTIALS_MANAGE)),
        description="Give a dead webhook delivery a fresh round of attempts.",
    )
    async def redeliver_webhook(self, info: Info, id: strawberry.ID) -> DeliveryPayload:
        return await run_payload(
            DeliveryPayload,
            "delivery",
            WebhookDelivery.of,
            lambda: webhooks.redeliver(info.context.user, parse_id(id, "delivery")),
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.GUARANTEE_MANAGE)),
        description="State the bid security of your agency's project.",
    )
    async def set_guarantee_requirement(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, _arg("The project.")],
        amount: Annotated[Decimal, _arg("Yuan, at most 2% of the budget.")],
        valid_until: Annotated[date, _arg("Bids stay valid until this day.")],
        beneficiary: Annotated[str, _arg("purchaser or agency.")] = "purchaser",
    ) -> RequirementPayload:
        return await run_payload(
            RequirementPayload,
            "requirement",
            GuaranteeRequirement.of,
            lambda: guarantees.require(
                info.context.user, parse_id(project_id, "project"), amount, valid_until, beneficiary
            ),
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.GUARANTEE_APPLY)),
        description="Ask an institution for a project's bid guarantee.",
    )
    async def apply_for_bid_guarantee(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, _arg("The project.")],
        institution_id: Annotated[strawberry.ID, _arg("The institution chosen.")],
    ) -> GuaranteePayload:
        return await _guarantee(
            lambda: guarantees.apply(
                info.context.user,
                parse_id(project_id, "project"),
                parse_id(institution_id, "institution"),
            )
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.GUARANTEE_ISSUE)),
        description="Issue a guarantee asked of your institution, signed.",
    )
    async def issue_bid_guarantee(
        self, info: Info, id: strawberry.ID, input: GuaranteeIssueInput
    ) -> GuaranteePayload:
        data = guarantees.Issuance(
            parse_id(input.project_id, "project"),
            input.number,
            input.amount,
            input.valid_until,
            input.beneficiary,
            input.signature,
        )
        return await _guarantee(
            lambda: guarantees.issue(info.context.user, parse_id(id, "guarantee"), data)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.GUARANTEE_ISSUE)),
        description="Refuse a guarantee asked of your institution.",
    )
    async def refuse_bid_guarantee(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> GuaranteePayload:
        return await _guarantee(
            lambda: guarantees.refuse(info.context.user, parse_id(id, "guarantee"), reason)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.GUARANTEE_MANAGE)),
        description="Release a guarantee after the award (else the scheduler does by the 5th wd).",
    )
    async def release_bid_guarantee(self, info: Info, id: strawberry.ID) -> GuaranteePayload:
        return await _guarantee(
            lambda: guarantees.release(info.context.user, parse_id(id, "guarantee"))
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.GUARANTEE_MANAGE)),
        description="Claim on a defined default, with evidence.",
    )
    async def claim_bid_guarantee(
        self,
        info: Info,
        id: strawberry.ID,
        reason: Annotated[str, _arg("withdrawal_after_deadline or refusal_to_sign.")],
        evidence: Annotated[list[EvidenceInput], _arg("At least one piece of evidence.")],
    ) -> GuaranteePayload:
        items = [{"title": e.title, "reference": e.reference} for e in evidence[:20]]
        return await _guarantee(
            lambda: guarantees.claim(info.context.user, parse_id(id, "guarantee"), reason, items)
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.GUARANTEE_ISSUE)),
        description="Record that your institution paid a claim.",
    )
    async def pay_guarantee_claim(self, info: Info, id: strawberry.ID) -> GuaranteePayload:
        return await _guarantee(
            lambda: guarantees.pay(info.context.user, parse_id(id, "guarantee"))
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.FINANCING_APPLY)),
        description="Apply for financing against your signed contract; consents to each institution.",
    )
    async def apply_for_financing(
        self,
        info: Info,
        contract_id: Annotated[strawberry.ID, _arg("Your signed contract.")],
        amount: Annotated[Decimal, _arg("Yuan asked for.")],
        institution_ids: Annotated[list[strawberry.ID], _arg("1 to 5 approved institutions.")],
        purpose: Annotated[str, _arg("What the money is for.")] = "",
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
        offer_id: Annotated[strawberry.ID, _arg("The approved financing.")],
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
