"""National lists fetched through a live adapter plugin (gpcloud_fetch_credit_list), loaded
exactly as an uploaded file (fetched.csv is kept with the reject report)."""

from __future__ import annotations

import asyncio

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import DomainError
from gpcloud.core.imports.runner import get_spec, run_import
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun, result_dir
from gpcloud.core.plugins.hooks import tenant_context, tenant_hooks
from gpcloud.core.spreadsheet import write_csv
from gpcloud.credit.imports import COLUMNS, LISTS


@job("credit_list_fetch", Perm.CREDIT_IMPORT)
async def fetch_list(run: JobRun, list_code: str) -> None:
    if LISTS.get(list_code) != list_code:
        raise DomainError("INVALID_LIST", f"one of {', '.join(sorted(set(LISTS.values())))}")
    hooks = await tenant_hooks(run.tenant)
    context = await tenant_context(run.tenant)
    answer = await asyncio.to_thread(
        hooks.call, "gpcloud_fetch_credit_list", tenant=context, list_code=list_code
    )
    if answer is None:
        raise DomainError(
            "NO_LIVE_ADAPTER",
            f"no approved plugin of {run.tenant} fetches the {list_code} list: use the file",
        )
    names = [c.name for c in COLUMNS]
    rows = [[str(({**r, "list": list_code}).get(n) or "") for n in names] for r in answer.value]
    path = run.result_path("fetched.csv")
    await asyncio.to_thread(write_csv, path, names, rows)
    summary = await run_import(
        get_spec("credit_records"), path, run.tenant, result_dir(run.id), run.progress
    )
    run.counts.update({"rows": summary.rows, **summary.counts})
    for name in summary.report:
        run.result_path(name)
