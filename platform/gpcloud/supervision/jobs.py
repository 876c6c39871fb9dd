"""Supervision's job handlers: the XLSX export of the region's publication overrides."""

from __future__ import annotations

import asyncio
from datetime import date

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun
from gpcloud.core.spreadsheet import write_xlsx
from gpcloud.supervision import views_warnings


def _filter(payload: dict) -> views_warnings.OverrideFilter:
    days = {
        k: date.fromisoformat(payload[k])
        for k in ("requested_from", "requested_to")
        if payload.get(k)
    }
    return views_warnings.OverrideFilter(
        status=payload.get("status"),
        rule=payload.get("rule"),
        kind=payload.get("kind"),
        plan_id=payload.get("plan_id"),
        **days,
    )


@job("publication_overrides_export", Perm.SUPERVISION_OVERVIEW)
async def export_overrides(run: JobRun, **payload) -> None:
    """publication-overrides.xlsx: every override of the region the filter selects."""
    rows = await views_warnings.export_rows(_filter(payload))
    path = run.result_path("publication-overrides.xlsx")
    await asyncio.to_thread(write_xlsx, path, views_warnings.HEADER, rows, "overrides")
    run.count("overrides", len(rows))
    await run.progress(len(rows), len(rows))
