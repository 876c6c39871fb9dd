"""E-mall orders as contracts: the contracts domain is the e-mall's second producer.

The e-mall sits below contracts (it must not import them), so the steps where an order meets
its contract live here: the supplier's confirmation concludes the contract (the order and its
confirmation are the offer and the acceptance: the contract is concluded, not signed again, and
its publication falls due `contract_publication` working days later); the final acceptance and
the final payment of that contract, through the existing acceptance and payment, move the
order on. Each is one transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from gpcloud.contracts import performance
from gpcloud.contracts.service import digest
from gpcloud.contracts.service import get as get_contract
from gpcloud.contracts.tables import Contract
from gpcloud.contracts.workflow import CONTRACT
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.money import to_yuan
from gpcloud.core.rules.service import rule_deadline
from gpcloud.emall.service import orders

MODE_NAMES = {
    "direct_purchase": "电子卖场直购",
    "reverse_auction": "电子卖场竞价",
    "designated_purchase": "定点采购",
}


def _terms(order: dict) -> str:
    return (
        f"{MODE_NAMES.get(order['mode'], '电子卖场')}订单 {order['id']}：{order['title']}，"
        f"数量 {order['quantity']}，单价 {to_yuan(order['unit_fen'])} 元，"
        f"金额 {to_yuan(order['amount_fen'])} 元。供应商确认订单即成立合同；"
        "交货后由采购人验收，验收合格后支付。"
    )


async def conclude(order: dict) -> int:
    """The contract of a just-confirmed order, concluded on the day of the confirmation."""
    on = today()
    due = await rule_deadline("contract_publication", on, order["tenant_id"])
    row = Contract(
        tenant_id=order["tenant_id"],
        plan=order["plan"],
        purchaser_organisation=order["purchaser_organisation"],
        supplier_organisation=order["supplier_organisation"],
        supplier_name=order["supplier_name"],
        title=order["title"],
        terms=_terms(order),
        amount_fen=order["amount_fen"],
        status="signed",
        signed_on=on,
        publication_due=due.due,
    )
    await row.save()
    contract = await get_contract(row.id)
    fixed = digest(contract)
    await Contract.update({Contract.digest: fixed}).where(Contract.id == row.id)
    contract = {**contract, "digest": fixed}
    await CONTRACT.created(contract, {"mall_order": order["id"], "mode": order["mode"]}, "conclude")
    return row.id


@requires(Perm.MALL_ORDER_FULFIL)
async def confirm_order(actor: CurrentUser, order_id: int) -> dict:
    """The supplier confirms: the order is confirmed and its contract concluded."""
    return await orders.confirm(actor, order_id, conclude)


@requires(Perm.ACCEPTANCE_PUBLISH)
async def accept_order(
    actor: CurrentUser,
    order_id: int,
    findings: str,
    passed: bool,
    accepted_on: date | None = None,
) -> tuple[dict, dict]:
    """The final acceptance of a delivered order (published like any acceptance report); a
    passed one moves the order to accepted. Returns (order, report)."""
    async with transaction():
        order = await orders.own(actor, order_id)
        if order["status"] != "delivered" or order["contract"] is None:
            raise DomainError("NOT_DELIVERED", "acceptance follows the supplier's delivery")
        report = await performance.accept(
            actor,
            order["contract"],
            performance.AcceptanceInput(
                "final", f"{order['title']}验收"[:200], findings, passed, accepted_on or today()
            ),
        )
        if passed:
            order = await orders.advance(actor, order, "accept", {"report": report["id"]})
        return order, report


@requires(Perm.PAYMENT_REQUEST)
async def pay_order(actor: CurrentUser, order_id: int) -> tuple[dict, dict]:
    """The final payment of an accepted order: its amount, from the plan line it drew on.
    Returns (order, payment)."""
    async with transaction():
        order = await orders.own(actor, order_id)
        if order["status"] != "accepted" or order["contract"] is None:
            raise DomainError("NOT_ACCEPTED", "payment follows a passed final acceptance")
        payment = await performance.request_payment(
            actor,
            order["contract"],
            order["indicator"],
            Decimal(to_yuan(order["amount_fen"])),
            True,
        )
        order = await orders.advance(actor, order, "pay", {"payment": payment["id"]})
        return order, payment
