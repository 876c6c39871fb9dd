"""Payment requests to digital_finance: pushed through the tenant's approved live adapter plugin
when it has one, otherwise written to the transition mode's file (payments.xlsx / .csv)."""

from __future__ import annotations

import asyncio

from gpcloud.contracts import performance
from gpcloud.contracts.tables import Payment
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun
from gpcloud.core.money import to_yuan
from gpcloud.core.plugins.hooks import (
    TenantContext,
    TenantHooks,
    collect,
    tenant_context,
    tenant_hooks,
)
from gpcloud.core.spreadsheet import write_csv, write_xlsx

HEADER = [
    "reference",
    "indicator_code",
    "budget_unit_code",
    "contract_id",
    "contract_title",
    "payee",
    "payee_uscc",
    "amount",
    "final",
    "payee_bank",
    "payee_account",
]


async def _requested() -> list[dict]:
    return (
        await Payment.select(
            *Payment.all_columns(),
            Payment.indicator.code.as_alias("indicator_code"),
            Payment.indicator.purchaser.budget_unit_code.as_alias("budget_unit_code"),
            Payment.contract.title.as_alias("contract_title"),
            Payment.contract.supplier_name.as_alias("payee"),
            Payment.contract.supplier_organisation.uscc.as_alias("payee_uscc"),
        )
        .where(Payment.status == "requested")
        .order_by(Payment.id)
    )


async def _payee_account(row: dict) -> dict | None:
    """The account the contract's payments go to instead of the supplier's own (an approved
    payee account change of the finance centre, through gpcloud_payee_account), or None."""
    answers = await collect(
        row["tenant_id"],
        "gpcloud_payee_account",
        tenant=row["tenant_id"],
        contract_id=row["contract"],
    )
    return next((a.value for a in answers if a.value), None)


def _request(row: dict, account: dict | None = None) -> dict:
    payee = {"name": row["payee"], "uscc": row["payee_uscc"] or ""}
    if account:
        payee.update(
            name=account["account_name"],
            bank=account["bank_name"],
            account=account["account_number"],
            reason=account["reference"],
        )
    return {
        "reference": f"payment:{row['id']}",
        "indicator_code": row["indicator_code"],
        "budget_unit_code": row["budget_unit_code"],
        "contract_reference": f"contract:{row['contract']}",
        "amount": str(to_yuan(row["amount_fen"])),
        "payee": payee,
    }


@job("payment_exchange", Perm.PAYMENT_EXCHANGE)
async def exchange(run: JobRun) -> None:
    """Every requested payment of the job's region, once: live where a plugin answers, else
    into the file."""
    filed = []
    plugins: dict[str, tuple[TenantHooks, TenantContext | None]] = {}  # per tenant, for the job
    for row in await _requested():
        tenant = row["tenant_id"]
        request = _request(row, await _payee_account(row))
        if tenant not in plugins:
            hooks = await tenant_hooks(tenant)
            plugins[tenant] = (hooks, await tenant_context(tenant) if hooks.active else None)
        hooks, context = plugins[tenant]
        answer = None
        if hooks.active:
            pushed = await asyncio.to_thread(
                hooks.call, "gpcloud_push_payment", tenant=context, payment=request
            )
            answer = pushed.value if pushed else None
        if answer is not None:
            status = "pushed" if answer.get("accepted") else "rejected"
            await performance.mark_sent(
                row, status, str(answer.get("reference", "")), str(answer.get("message", ""))
            )
            run.count(status)
            continue
        filed.append(
            [
                request["reference"],
                request["indicator_code"],
                request["budget_unit_code"],
                row["contract"],
                row["contract_title"],
                request["payee"]["name"],
                request["payee"]["uscc"],
                to_yuan(row["amount_fen"]),
                "yes" if row["final"] else "no",
                request["payee"].get("bank", ""),
                request["payee"].get("account", ""),
            ]
        )
        await performance.mark_sent(row, "exported")
        run.count("exported")
    if filed:
        await asyncio.to_thread(write_xlsx, run.result_path("payments.xlsx"), HEADER, filed)
        await asyncio.to_thread(write_csv, run.result_path("payments.csv"), HEADER, filed)
    await run.progress(sum(run.counts.values()), sum(run.counts.values()))
