"""The legacy migration job: one batch (year and kind) of the old portal's records."""

from __future__ import annotations

from gpcloud.core import i18n
from gpcloud.core.i18n import DEFAULT
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun, result_dir
from gpcloud.portal import legacy


@job("legacy_migration")
async def migrate_batch(run: JobRun, batch: int, language: str = DEFAULT) -> None:
    """Resumes where a crashed run stopped; rejects.csv lists bad records with their line."""
    token = i18n.language.set(language)  # the report's language: the one it was started in
    try:
        done = await legacy.run(batch, result_dir(run.id), run.progress)
    finally:
        i18n.language.reset(token)
    for name in ("created", "skipped", "rejected"):
        run.count(name, done[name])
    if done["rejected"]:
        run.result_path("rejects.csv")
