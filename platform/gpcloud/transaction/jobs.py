"""The transaction domain's job handlers: the XLSX export of the region's projects for its
finance department (transaction/supervision.py)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun
from gpcloud.core.spreadsheet import write_xlsx
from gpcloud.transaction import supervision


def _filter(payload: dict) -> supervision.ProjectFilter:
    due = payload.get("due_before")
    return supervision.ProjectFilter(
        stage=payload.get("stage"),
        purchaser_id=payload.get("purchaser_id"),
        agency_id=payload.get("agency_id"),
        due_before=datetime.fromisoformat(due) if due else None,
        tenant=payload.get("tenant"),
    )


@job("supervised_projects_export", Perm.SUPERVISION_OVERVIEW)
async def export_projects(run: JobRun, **payload) -> None:
    """supervised-projects.xlsx: the region's projects with stage, next deadline and failure."""
    rows = await supervision.export_rows(_filter(payload))
    path = run.result_path("supervised-projects.xlsx")
    await asyncio.to_thread(write_xlsx, path, supervision.HEADER, rows, "projects")
    run.count("projects", len(rows))
    await run.progress(len(rows), len(rows))
