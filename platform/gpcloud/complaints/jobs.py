"""The complaints domain's job handlers: the XLSX exports of the region's challenges,
complaints and suspensions (service/views.py)."""

from __future__ import annotations

import asyncio
from datetime import date

from gpcloud.complaints.service import views
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun
from gpcloud.core.spreadsheet import write_xlsx


def _filter(payload: dict) -> views.FilingFilter:
    days = {k: date.fromisoformat(payload[k]) for k in ("filed_from", "filed_to") if payload.get(k)}
    return views.FilingFilter(
        status=payload.get("status"),
        project_id=payload.get("project_id"),
        overdue=payload.get("overdue"),
        **days,
    )


async def _export(run: JobRun, noun: str, payload: dict) -> None:
    rows = await views.export_rows(noun, _filter(payload))
    path = run.result_path(f"{noun}s.xlsx")
    await asyncio.to_thread(write_xlsx, path, views.HEADERS[noun], rows, f"{noun}s")
    run.count(f"{noun}s", len(rows))
    await run.progress(len(rows), len(rows))


@job("challenges_export", Perm.COMPLAINT_READ)
async def export_challenges(run: JobRun, **payload) -> None:
    """challenges.xlsx: every challenge of the region the filter selects."""
    await _export(run, "challenge", payload)


@job("complaints_export", Perm.COMPLAINT_READ)
async def export_complaints(run: JobRun, **payload) -> None:
    """complaints.xlsx: every complaint of the region the filter selects."""
    await _export(run, "complaint", payload)


@job("suspensions_export", Perm.COMPLAINT_READ)
async def export_suspensions(run: JobRun, **payload) -> None:
    """suspensions.xlsx: every suspension of the region, of one project or in one state."""
    rows = await views.suspension_rows(payload.get("project_id"), payload.get("status"))
    path = run.result_path("suspensions.xlsx")
    await asyncio.to_thread(write_xlsx, path, views.HEADERS["suspension"], rows, "suspensions")
    run.count("suspensions", len(rows))
    await run.progress(len(rows), len(rows))
