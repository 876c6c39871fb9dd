"""Contracts set aside by an upheld complaint (Implementing Regulation art. 71(2)(3)): while the
award is void, a contract not yet signed falls with it, and one signed but not performed is
revoked (撤销合同). One already performed (an acceptance or a payment recorded) is not undone:
art. 71(4) leaves the loss to the courts, so the remedy is refused for it (CONTRACT_PERFORMED).
Called by the complaints domain inside the decision's transaction.
"""

from __future__ import annotations

from gpcloud.contracts.tables import AcceptanceReport, Contract, Payment
from gpcloud.contracts.workflow import CONTRACT
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants

SCOPE = "contracts: a remedy ordered by the finance department of the purchaser's level"


async def live(project_id: int) -> list[dict]:
    """The project's contracts not void, oldest first."""
    with all_tenants(SCOPE):
        return (
            await Contract.select()
            .where((Contract.project == project_id) & (Contract.status != "void"))
            .order_by(Contract.id)
        )


async def performed(contract_ids: list[int]) -> set[int]:
    """Those with an acceptance report or a payment: performance has begun."""
    if not contract_ids:
        return set()
    with all_tenants(SCOPE):
        accepted = await AcceptanceReport.select(AcceptanceReport.contract).where(
            AcceptanceReport.contract.is_in(contract_ids)
        )
        paid = await Payment.select(Payment.contract).where(Payment.contract.is_in(contract_ids))
    return {r["contract"] for r in (*accepted, *paid)}


async def void_unperformed(project_id: int, detail: dict) -> list[dict]:
    """Every live contract of the project moved to `void` (compare-and-set, audited with
    `detail`); CONTRACT_PERFORMED, and nothing moved, when one of them is being performed."""
    rows = await live(project_id)
    begun = await performed([r["id"] for r in rows])
    if begun:
        raise DomainError(
            "CONTRACT_PERFORMED",
            f"contract {', '.join(str(i) for i in sorted(begun))} is being performed: it is not "
            "revoked (Implementing Regulation art. 71(4): losses are claimed from those "
            "responsible)",
            "remedy",
        )
    moved = []
    with all_tenants(SCOPE):
        for row in rows:
            moved.append(await CONTRACT.move(None, row, "void", detail=detail))
    return moved
