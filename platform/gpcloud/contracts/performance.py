"""Performance: acceptance reports and payment requests of a signed contract.

The payment invariants live here (the line's limit in supervision.plans.pay_line): a payment
is for a signed contract and is drawn on one of its plan's budget lines (the plan's reservation
becomes paid); payments never total more than the contract amount, nor more than the line funds
for the plan; the final payment waits for a passed final acceptance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gpcloud.contracts.service import SIGNED, get, locked
from gpcloud.contracts.tables import AcceptanceReport, Payment
from gpcloud.contracts.workflow import ACCEPTANCE, PAYMENT
from gpcloud.core import publishing
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.integrations.digital_finance import service as budget
from gpcloud.supervision import plans
from gpcloud.supervision.common import purchaser_unit
from gpcloud.transaction import blocks

KINDS = ("stage", "period", "final")


@dataclass(frozen=True)
class AcceptanceInput:
    kind: str
    title: str
    findings: str
    passed: bool
    accepted_on: date


async def _own_contract(actor: CurrentUser, contract_id: int) -> dict:
    await purchaser_unit(actor)
    contract = await get(contract_id)
    if contract["purchaser_organisation"] != actor.organisation_id:
        raise NotFound("contract", contract_id)
    if contract["status"] not in SIGNED:
        raise DomainError("NOT_SIGNED", "acceptance and payment follow a signed contract")
    await blocks.ensure_free(contract["tenant_id"], contract["project"], "performance")
    return contract


@requires(Perm.ACCEPTANCE_PUBLISH)
async def accept(actor: CurrentUser, contract_id: int, data: AcceptanceInput) -> dict:
    """Record and publish an acceptance report (staged for goods, periodic for services)."""
    if data.kind not in KINDS:
        raise DomainError("INVALID_KIND", "stage, period or final", "kind")
    if not 2 <= len(data.title.strip()) <= 200 or not data.findings.strip():
        raise DomainError(
            "INVALID_REPORT", "a title of 2 to 200 characters and the findings", "title"
        )
    if data.accepted_on > today():
        raise DomainError("FUTURE_DATE", "an acceptance that has taken place", "acceptedOn")
    async with transaction():
        contract = await _own_contract(actor, contract_id)
        if data.accepted_on < (contract["signed_on"] or data.accepted_on):
            raise DomainError("BEFORE_SIGNING", "acceptance comes after signing", "acceptedOn")
        row = AcceptanceReport(
            tenant_id=contract["tenant_id"],
            contract=contract_id,
            kind=data.kind,
            title=data.title.strip(),
            findings=data.findings.strip(),
            passed=data.passed,
            accepted_on=data.accepted_on,
            status="published",
            published_on=today(),
        )
        await row.save()
        report = await AcceptanceReport.select().where(AcceptanceReport.id == row.id).first()
        await ACCEPTANCE.created(
            report, {"contract": contract_id, "kind": data.kind, "passed": data.passed}, "publish"
        )
        await publishing.publish(
            publishing.Publication(
                kind="acceptance",
                source=f"acceptance:{row.id}",
                tenant=contract["tenant_id"],
                title=data.title.strip(),
                body=f"{data.findings.strip()}\n验收结论：{'合格' if data.passed else '不合格'}",
                published_on=today(),
                **await plans.notice_fields(await plans.get(contract["plan"])),
                amount_fen=contract["amount_fen"],
                details={
                    "contract_id": contract_id,
                    "acceptance_kind": data.kind,
                    "passed": data.passed,
                    "accepted_on": data.accepted_on,
                },
            )
        )
        return report


@requires(Perm.PAYMENT_REQUEST)
async def request_payment(
    actor: CurrentUser, contract_id: int, indicator_id: int, amount: Decimal, final: bool
) -> dict:
    fen = to_fen(amount)
    if fen == 0:
        raise DomainError("INVALID_AMOUNT", "an amount above zero", "amount")
    async with transaction():
        await _own_contract(actor, contract_id)
        contract = await locked(contract_id)  # concurrent requests total one after the other
        lines = {r["indicator"]: r for r in await plans.lines(contract["plan"])}
        if indicator_id not in lines:
            raise DomainError(
                "NOT_A_PLAN_LINE", "pay from one of the plan's budget lines", "indicatorId"
            )
        paid = await Payment.select(Payment.amount_fen, Payment.final, Payment.indicator).where(
            (Payment.contract == contract_id) & (Payment.status != "rejected")
        )
        if any(p["final"] for p in paid):
            raise DomainError("ALREADY_FINAL", "the final payment of this contract was requested")
        total = sum(p["amount_fen"] for p in paid) + fen
        if total > contract["amount_fen"]:
            raise DomainError(
                "OVER_CONTRACT",
                f"payments would total {to_yuan(total)} yuan; the contract is "
                f"{to_yuan(contract['amount_fen'])}",
                "amount",
            )
        if final and not await AcceptanceReport.exists().where(
            (AcceptanceReport.contract == contract_id)
            & (AcceptanceReport.kind == "final")
            & AcceptanceReport.passed.eq(True)
        ):
            raise DomainError(
                "NOT_ACCEPTED", "the final payment follows a passed final acceptance", "final"
            )
        row = Payment(
            tenant_id=contract["tenant_id"],
            contract=contract_id,
            indicator=indicator_id,
            amount_fen=fen,
            final=final,
            requested_by=actor.id,
        )
        await row.save()
        await plans.pay_line(contract["plan"], indicator_id, fen)
        await budget.move(indicator_id, "pay", to_yuan(fen), f"payment:{row.id}")
        payment = await get_payment(row.id)
        await PAYMENT.created(payment, {"contract": contract_id}, "request")
        return payment


async def get_payment(payment_id: int) -> dict:
    row = await Payment.select().where(Payment.id == payment_id).first()
    if row is None:
        raise NotFound("payment", payment_id)
    return row


async def mark_sent(payment: dict, status: str, reference: str = "", message: str = "") -> None:
    """For the exchange job: exported to the file, pushed live, or rejected by the live side
    (a rejection gives the amount back to the plan's reservation, once: the payment is won
    first)."""
    async with transaction():
        await PAYMENT.move(
            None,
            payment,
            status,
            {Payment.finance_reference: reference, Payment.message: message},
            {"reference": reference},
        )
        if status == "rejected":
            contract = await get(payment["contract"])
            await plans.unpay_line(contract["plan"], payment["indicator"], payment["amount_fen"])
            await budget.move(
                payment["indicator"],
                "reverse_payment",
                to_yuan(payment["amount_fen"]),
                f"payment:{payment['id']}",
            )


async def passed_final_acceptance(contract_id: int) -> bool:
    """Whether the contract has a passed final acceptance (what rating its supplier waits for)."""
    return await AcceptanceReport.exists().where(
        (AcceptanceReport.contract == contract_id)
        & (AcceptanceReport.kind == "final")
        & (AcceptanceReport.passed == True)  # noqa: E712 (a column condition)
    )
