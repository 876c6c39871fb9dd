"""Analytics jobs: the full rebuild (repair) and the indicator export."""

from __future__ import annotations

import asyncio

from gpcloud.analytics.service import export, rollup
from gpcloud.analytics.service.indicators import Filters, check_filters
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun
from gpcloud.core.tenancy.scope import all_tenants


@job("analytics.rebuild", Perm.ANALYTICS_REBUILD)
async def rebuild(run: JobRun) -> None:
    """Recompute every process's fact, the rollups and the red flags from the source tables."""
    with all_tenants("analytics: rebuild the read model of every tenant"):
        run.counts["processes"] = await rollup.rebuild(run.progress)


@job("analytics.export", Perm.ANALYTICS_READ)
async def export_indicators(
    run: JobRun, year: int, dim: str = "all", value: str = "", month: int | None = None
) -> None:
    """The region's indicator tables for a year (the same filters as the API), XLSX and CSV."""
    f = Filters(run.tenant, year, dim, value, month)
    check_filters(f)
    sheets = await export.tables(f)
    xlsx = run.result_path(f"indicators-{run.tenant}-{year}.xlsx")
    await asyncio.to_thread(export.write_xlsx, xlsx, sheets)
    csv = run.result_path(f"indicators-{run.tenant}-{year}.csv")
    await asyncio.to_thread(export.write_long_csv, csv, sheets)
    run.counts["tables"] = len(sheets)
