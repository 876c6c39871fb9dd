"""The usage file returned to digital_finance: every indicator of the job's region and year
with what plans reserved and payments paid."""

from __future__ import annotations

import asyncio

from gpcloud.core.imports.reader import write_csv, write_xlsx
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun
from gpcloud.integrations.digital_finance.money import to_yuan
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


@job("budget_usage_export")
async def export_usage(run: JobRun, fiscal_year: int) -> None:
    """budget-usage.xlsx and .csv: one row per indicator (amounts in yuan)."""
    rows = [
        [
            r["code"],
            r["budget_unit_code"],
            str(r["fiscal_year"]),
            r["name"],
            *(str(to_yuan(r[k])) for k in ("amount_fen", "reserved_fen", "paid_fen")),
            str(to_yuan(balance_fen(r))),
            r["status"],
        ]
        for r in await usage(run.tenant, fiscal_year)
    ]
    await asyncio.to_thread(write_xlsx, run.result_path("budget-usage.xlsx"), HEADER, rows)
    await asyncio.to_thread(write_csv, run.result_path("budget-usage.csv"), HEADER, rows)
    run.count("indicators", len(rows))
    await run.progress(len(rows), len(rows))
