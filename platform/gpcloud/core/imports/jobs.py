"""The import job: one run of a registry import in the job's tenant scope."""

from __future__ import annotations

from pathlib import Path

from gpcloud.core import i18n
from gpcloud.core.errors import DomainError
from gpcloud.core.i18n import DEFAULT
from gpcloud.core.imports.reader import ImportFileError
from gpcloud.core.imports.runner import get_spec, run_import
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun, result_dir
from gpcloud.core.notifications.events import import_finished
from gpcloud.core.tenancy.scope import current_scope


@job("import")
async def import_file(run: JobRun, registry: str, path: str, language: str = DEFAULT) -> None:
    """Import a registry file; rejected rows go to rejects.xlsx / rejects.csv."""
    token = i18n.language.set(language)  # the report's language: the one it was started in
    try:
        await _import(run, registry, path)
    finally:
        i18n.language.reset(token)


async def _import(run: JobRun, registry: str, path: str) -> None:
    spec = get_spec(registry)

    async def progress(done: int, total: int) -> None:
        await run.progress(done, total)

    try:
        summary = await run_import(
            spec, Path(path), run.tenant, result_dir(run.id), progress, job_key=f"job-{run.id}"
        )
    except ImportFileError as exc:
        raise DomainError(exc.code, str(exc)) from None
    run.counts.update({"rows": summary.rows, **summary.counts})
    for name in summary.report:
        run.result_path(name)
    await run.progress(summary.rows, summary.rows)
    await import_finished(run.id, current_scope().user_id, spec.title, summary.rows, summary.counts)
