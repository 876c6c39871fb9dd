"""Exchanges with digital_finance that run as jobs: the usage file going back, and indicators
fetched through a live adapter plugin."""

from __future__ import annotations

import asyncio

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import DomainError
from gpcloud.core.imports.runner import get_spec, run_import
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun, result_dir
from gpcloud.core.money import to_yuan
from gpcloud.core.plugins.hooks import tenant_context, tenant_hooks
from gpcloud.core.spreadsheet import write_csv, write_xlsx
from gpcloud.integrations.digital_finance.imports import COLUMNS
from gpcloud.integrations.digital_finance.service import balance_fen, usage

HEADER = [
    "code",
    "budget_unit_code",
    "fiscal_year",
    "name",
    "amount",
    "reserved",
    "paid",
    "balance",
    "status",
]


@job("budget_usage_export", Perm.BUDGET_USAGE_EXPORT)
async def export_usage(run: JobRun, fiscal_year: int) -> None:
    """budget-usage.xlsx and .csv: one row per indicator (amounts in yuan)."""
    rows = [
        [
            r["code"],
            r["budget_unit_code"],
            r["fiscal_year"],
            r["name"],
            *(to_yuan(r[k]) for k in ("amount_fen", "reserved_fen", "paid_fen")),
            to_yuan(balance_fen(r)),
            r["status"],
        ]
        for r in await usage(fiscal_year)
    ]
    await asyncio.to_thread(write_xlsx, run.result_path("budget-usage.xlsx"), HEADER, rows)
    await asyncio.to_thread(write_csv, run.result_path("budget-usage.csv"), HEADER, rows)
    run.count("indicators", len(rows))
    await run.progress(len(rows), len(rows))


@job("budget_indicators_fetch", Perm.BUDGET_FETCH)
async def fetch_indicators(run: JobRun, fiscal_year: int) -> None:
    """Indicators from the tenant's live adapter plugin, imported as a file would be
    (fetched.csv is kept with the reject report)."""
    hooks = await tenant_hooks(run.tenant)
    context = await tenant_context(run.tenant)
    answer = await asyncio.to_thread(
        hooks.call, "gpcloud_fetch_budget_indicators", tenant=context, fiscal_year=fiscal_year
    )
    if answer is None:
        raise DomainError(
            "NO_LIVE_ADAPTER",
            f"no approved plugin of {run.tenant} fetches budget indicators: use the file exchange",
        )
    names = [c.name for c in COLUMNS]
    path = run.result_path("fetched.csv")
    await asyncio.to_thread(
        write_csv, path, names, [[str(r.get(n) or "") for n in names] for r in answer.value]
    )
    summary = await run_import(
        get_spec("budget_indicators"), path, run.tenant, result_dir(run.id), run.progress
    )
    run.counts.update({"rows": summary.rows, **summary.counts})
