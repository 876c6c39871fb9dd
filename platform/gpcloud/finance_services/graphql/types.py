"""The finance centre's GraphQL types. Money in yuan (Decimal), dates Asia/Shanghai."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import strawberry

from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum, values_enum
from gpcloud.core.graphql.permissions import Authenticated, allow
from gpcloud.core.graphql.types import UserError
from gpcloud.core.money import to_yuan, to_yuan_or_none
from gpcloud.finance_services.service.institutions import KINDS
from gpcloud.finance_services.workflow import GUARANTEE, INSTITUTION, OFFER, PAYEE_CHANGE, WEBHOOK

InstitutionKind = values_enum(
    "InstitutionKind",
    KINDS,
    "What kind of financial institution it is.",
    {
        "bank": "A bank (银行).",
        "guarantor": "A guarantee company (融资担保公司).",
        "insurer": "An insurer (保险公司).",
    },
)
InstitutionStatus = state_enum(
    "InstitutionStatus",
    INSTITUTION,
    {
        "applied": "Registered, awaiting the province.",
        "approved": "Admitted: it may act.",
        "rejected": "Not admitted.",
        "suspended": "Its keys and users may not act for now.",
    },
)
GuaranteeStatus = state_enum(
    "GuaranteeStatus",
    GUARANTEE,
    {
        "applied": "Asked of the institution.",
        "issued": "Issued and verified: in force.",
        "refused": "The institution refused it.",
        "released": "Returned after the award or signing.",
        "claimed": "Claimed on a default.",
        "paid": "The claim was paid.",
    },
)
OfferStatus = state_enum(
    "FinancingOfferStatus",
    OFFER,
    {
        "pending": "Consent given; the institution has not decided.",
        "approved": "The institution lends.",
        "declined": "The institution does not lend.",
        "withdrawn": "The supplier withdrew its consent.",
    },
)
PayeeChangeStatus = state_enum(
    "PayeeAccountChangeStatus",
    PAYEE_CHANGE,
    {
        "requested": "Awaiting both approvals.",
        "purchaser_approved": "Awaiting the institution.",
        "institution_approved": "Awaiting the purchaser.",
        "approved": "Payments go to the financing account.",
        "rejected": "Refused by a party.",
    },
)
WebhookStatus = state_enum(
    "WebhookDeliveryStatus",
    WEBHOOK,
    {
        "pending": "An attempt is queued.",
        "waiting": "Failed; the next attempt waits (backoff).",
        "delivered": "The endpoint answered 2xx.",
        "dead": "Every attempt failed: a dead letter.",
    },
)


SIGNED_IN = allow(Authenticated())


def _id(value: int | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


@strawberry.type(description="A bank, guarantee company or insurer of the finance centre.")
class FinancialInstitution:
    id: strawberry.ID
    name: str = strawberry.field(description="Its organisation's registered name.")
    kind: InstitutionKind = strawberry.field(description="Bank, guarantor or insurer.")  # type: ignore[valid-type]
    licence: str = strawberry.field(description="Its licence number.")
    status: InstitutionStatus = strawberry.field(description="Where its admission stands.")  # type: ignore[valid-type]
    decision: str = strawberry.field(description="The province's reasons, if any.")
    rate_limit: int = strawberry.field(description="API requests a minute it may make.")
    organisation_id: strawberry.ID = strawberry.field(description="Its organisation.")
    webhook_configured: bool = strawberry.field(description="Whether it receives webhooks.")

    @classmethod
    def of(cls, row: dict) -> FinancialInstitution:
        return cls(
            id=strawberry.ID(str(row["id"])),
            name=row["name"],
            kind=InstitutionKind(row["kind"]),
            licence=row["licence"],
            status=InstitutionStatus(row["status"]),
            decision=row["decision"],
            rate_limit=row["rate_limit"],
            organisation_id=strawberry.ID(str(row["organisation"])),
            webhook_configured=bool(row["webhook_url"]),
        )


@strawberry.type(
    description="A machine credential of an institution; its secret is never shown again."
)
class ApiKey:
    id: strawberry.ID
    key_id: str = strawberry.field(description="The public part: gpk_<keyId>.<secret>.")
    status: str = strawberry.field(
        description="active, rotated (valid until validUntil) or revoked."
    )
    valid_until: datetime | None = strawberry.field(description="When a rotated key stops working.")
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(description="Its last sign-in.")

    @classmethod
    def of(cls, row: dict) -> ApiKey:
        return cls(
            id=strawberry.ID(str(row["id"])),
            key_id=row["key_id"],
            status=row["status"],
            valid_until=row["valid_until"],
            created_at=row["created_at"],
            last_used_at=row["last_used_at"],
        )


@strawberry.type(description="The bid security a project asks for.")
class GuaranteeRequirement:
    project_id: strawberry.ID = strawberry.field(description="The project.")
    amount: Decimal = strawberry.field(description="The least amount, yuan.")
    valid_until: date = strawberry.field(description="Bids stay valid until this day.")
    beneficiary_name: str = strawberry.field(description="Whom the guarantee is given to.")

    @classmethod
    def of(cls, row: dict) -> GuaranteeRequirement:
        return cls(
            project_id=strawberry.ID(str(row["project"])),
            amount=to_yuan(row["amount_fen"]),
            valid_until=row["valid_until"],
            beneficiary_name=row["beneficiary_name"],
        )


@strawberry.type(description="A piece of evidence of a claim.")
class Evidence:
    title: str = strawberry.field(description="What it is.")
    reference: str = strawberry.field(description="Its document number or file reference.")


@strawberry.type(description="An electronic bid guarantee (电子投标保函).")
class BidGuarantee:
    id: strawberry.ID
    project_id: strawberry.ID = strawberry.field(description="The project it secures bids for.")
    supplier_organisation_id: strawberry.ID | None = strawberry.field(
        description="The bidder; null to the agency until the opening starts."
    )
    institution_id: strawberry.ID = strawberry.field(description="The issuing institution.")
    status: GuaranteeStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    number: str | None = strawberry.field(description="The guarantee number, once issued.")
    amount: Decimal | None = strawberry.field(description="The guaranteed amount, yuan.")
    valid_until: date | None = strawberry.field(description="The last day it is valid.")
    beneficiary_name: str = strawberry.field(description="Whom it is given to.")
    statement: str = strawberry.field(description="The canonical JSON the institution signed.")
    signature: str = strawberry.field(description="Ed25519 signature, hex.")
    release_due: date | None = strawberry.field(
        description="Released by the scheduler then at the latest."
    )
    claim_reason: str = strawberry.field(description="The default claimed on, if any.")
    claim_evidence: list[Evidence] = strawberry.field(
        description="The claim's evidence.", directives=[ListSize(max=20)]
    )

    @classmethod
    def of(cls, row: dict, reveal: bool = True) -> BidGuarantee:
        evidence = row["claim_evidence"]
        evidence = json.loads(evidence) if isinstance(evidence, str) else evidence
        return cls(
            id=strawberry.ID(str(row["id"])),
            project_id=strawberry.ID(str(row["project"])),
            supplier_organisation_id=_id(row["supplier_organisation"]) if reveal else None,
            institution_id=strawberry.ID(str(row["institution"])),
            status=GuaranteeStatus(row["status"]),
            number=row["number"],
            amount=to_yuan_or_none(row["amount_fen"]),
            valid_until=row["valid_until"],
            beneficiary_name=row["beneficiary_name"],
            statement=row["statement"],
            signature=row["signature"],
            release_due=row["release_due"],
            claim_reason=row["claim_reason"],
            claim_evidence=[
                Evidence(title=e["title"], reference=e["reference"]) for e in evidence or []
            ],
        )


@strawberry.type(description="A guarantee verified as a bid names it.")
class GuaranteeVerification:
    valid: bool = strawberry.field(description="In force, authentic and meeting the requirement.")
    problems: list[str] = strawberry.field(
        description="The stable codes of what fails.", directives=[ListSize(max=10)]
    )
    guarantee: BidGuarantee | None = strawberry.field(description="The guarantee, bidder hidden.")


@strawberry.type(description="A bid's security as checked at the opening.")
class BidSecurityCheck:
    bid_id: strawberry.ID = strawberry.field(description="The bid.")
    supplier_organisation_id: strawberry.ID = strawberry.field(description="Its bidder.")
    security: str = strawberry.field(description="The guarantee number the bid gives; empty: none.")
    valid: bool = strawberry.field(description="A guarantee in force, authentic, the bidder's.")
    problems: list[str] = strawberry.field(
        description="Stable codes of what fails.", directives=[ListSize(max=10)]
    )

    @classmethod
    def of(cls, row: dict) -> BidSecurityCheck:
        return cls(
            bid_id=strawberry.ID(str(row["bid"])),
            supplier_organisation_id=strawberry.ID(str(row["supplier_organisation"])),
            security=row["security"],
            valid=row["valid"],
            problems=row["problems"],
        )


@strawberry.type(description="One event delivered (or not) to an institution's endpoint.")
class WebhookDelivery:
    id: strawberry.ID
    event: str = strawberry.field(
        description="award_published, contract_signed, acceptance_passed or payment_made."
    )
    status: WebhookStatus = strawberry.field(description="Where the delivery stands.")  # type: ignore[valid-type]
    attempts: int = strawberry.field(description="Attempts made.")
    last_error: str = strawberry.field(description="The last attempt's failure.")
    body: str = strawberry.field(description="The JSON body sent.")
    delivered_at: datetime | None = strawberry.field(description="When the endpoint accepted it.")

    @classmethod
    def of(cls, row: dict) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(str(row["id"])),
            event=row["event"],
            status=WebhookStatus(row["status"]),
            attempts=row["attempts"],
            last_error=row["last_error"],
            body=row["body"],
            delivered_at=row["delivered_at"],
        )


@strawberry.type(description="The finance centre's figures for a region and those below it.")
class FinanceFigures:
    region_code: str
    institutions: int = strawberry.field(description="Approved institutions (province-wide).")
    loans: int = strawberry.field(description="Approved contract financings.")
    loan_amount: Decimal = strawberry.field(description="Their amount, yuan.")
    smes_served: int = strawberry.field(description="SMEs (medium, small, micro) financed.")
    guarantees: int = strawberry.field(description="Electronic bid guarantees issued.")
    deposits_replaced: Decimal = strawberry.field(description="Cash deposits they replaced, yuan.")


def payload(name: str, field: str, kind, description: str):
    """A mutation payload type: `field` (the result) and `errors`."""
    return strawberry.type(
        type(
            name,
            (),
            {
                "__annotations__": {field: kind | None, "errors": list[UserError]},
                field: strawberry.field(default=None, description=description),
                "errors": strawberry.field(default_factory=list),
            },
        ),
        description=f"What the mutation returns: the {description.lower().rstrip('.')}, or errors.",
    )


InstitutionPayload = payload(
    "FinancialInstitutionPayload", "institution", FinancialInstitution, "The institution."
)
GuaranteePayload = payload("BidGuaranteePayload", "guarantee", BidGuarantee, "The guarantee.")
RequirementPayload = payload(
    "GuaranteeRequirementPayload", "requirement", GuaranteeRequirement, "The requirement."
)
DeliveryPayload = payload("WebhookDeliveryPayload", "delivery", WebhookDelivery, "The delivery.")


@strawberry.type(description="A new API key: the full key is shown this once.")
class ApiKeyPayload:
    key: ApiKey | None = strawberry.field(default=None, description="The key's record.")
    secret: str | None = strawberry.field(
        default=None, description="gpk_<keyId>.<secret>: keep it; never shown again."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The webhook endpoint set: its HMAC secret is shown this once.")
class WebhookEndpointPayload:
    institution: FinancialInstitution | None = strawberry.field(
        default=None, description="The institution."
    )
    secret: str | None = strawberry.field(
        default=None, description="The HMAC-SHA256 key, hex: shown once."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="An access token for an API key's account.")
class ApiSignInPayload:
    token: str | None = strawberry.field(
        default=None, description="Send as 'Authorization: Bearer <token>'."
    )
    expires_at: datetime | None = strawberry.field(default=None, description="When it expires.")
    errors: list[UserError] = strawberry.field(default_factory=list)
