"""The finance centre's GraphQL inputs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from gpcloud.finance_services.graphql.types import InstitutionKind


def arg(description: str):
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
