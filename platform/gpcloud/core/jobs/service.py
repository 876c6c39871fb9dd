"""Enqueue jobs after the transaction that records them commits; run them in their tenant scope.

Jobs are idempotent by contract: arq may deliver one twice (worker crash, re-enqueue at
startup), so the runner skips a record that already finished and handlers must tolerate a
re-run of a half-done attempt.
"""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from opentelemetry import trace

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import after_commit, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.jobs.registry import get_job_type
from gpcloud.core.jobs.tables import Job
from gpcloud.core.jobs.workflow import JOB
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.redis import redis_url
from gpcloud.core.tenancy.scope import all_tenants, current_scope, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.settings import get_settings

log = logging.getLogger(__name__)
# OpenTelemetry's API: a no-op until core/ops/tracing sets a provider (tracing_enabled).
tracer = trace.get_tracer("gpcloud")

RUNNER = "run_job"


def queue_name() -> str:
    return f"{get_settings().redis_namespace}:jobs"


def arq_job_id(job: dict) -> str:
    """Unique per record: SQLite may reuse the id of a deleted last row, the creation time not."""
    stamp = int(job["created_at"].timestamp() * 1_000_000)
    return f"{get_settings().redis_namespace}:job:{job['id']}:{stamp}"


def redis_settings() -> RedisSettings:
    return RedisSettings.from_dsn(redis_url())


_pool: ArqRedis | None = None


async def arq_pool() -> ArqRedis:
    global _pool
    if _pool is None:
        _pool = await create_pool(redis_settings(), default_queue_name=queue_name())
    return _pool


async def close_arq_pool() -> None:
    global _pool
    if _pool is not None:
        await _pool.aclose()
    _pool = None


async def _send(job: dict) -> None:
    # _job_id makes a second send of the same record a no-op while the first is queued or kept.
    await (await arq_pool()).enqueue_job(RUNNER, job["id"], _job_id=arq_job_id(job))


async def enqueue(job_type: str, payload: dict[str, Any], tenant: str | None = None) -> dict:
    """Record a job for `tenant` (default: the scope's) and queue it once the record commits."""
    if get_job_type(job_type) is None:
        raise DomainError("UNKNOWN_JOB_TYPE", f"no job type {job_type}")
    scope = current_scope()
    async with transaction():
        job = Job(
            tenant_id=tenant or scope.tenant,
            type=job_type,
            payload=payload,
            created_by=scope.user_id,
        )
        await job.save()
        row = await Job.select().where(Job.id == job.id).output(load_json=True).first()
        after_commit(lambda: _send(row))
        return row


async def record_inline(job_type: str, payload: dict[str, Any]) -> dict:
    """A Job record for work this process runs itself (CLI commands): never queued."""
    scope = current_scope()
    job = Job(
        tenant_id=scope.tenant,
        type=job_type,
        payload=payload,
        created_by=scope.user_id,
        status="running",
        started_at=datetime.now(UTC),
        attempts=1,
    )
    await job.save()
    return await Job.select().where(Job.id == job.id).output(load_json=True).first()


async def finish_inline(
    job_id: int, status: str, counts: dict, result: str | None, error: BaseException | None = None
) -> None:
    extra = (
        {"error_code": getattr(error, "code", "INTERNAL"), "error_message": str(error)}
        if error
        else {}
    )
    job = await Job.select().where(Job.id == job_id).first()
    await _finish(job, status, counts=counts, result_file=result, **extra)


async def requeue_unfinished() -> int:
    """Queue again every job still marked queued (e.g. Redis was down when it was recorded)."""
    with all_tenants("worker start: requeue jobs of every tenant"):
        rows = await Job.select(Job.id, Job.created_at).where(Job.status == "queued")
    for row in rows:
        await _send(row)
    return len(rows)


def result_dir(job_id: int) -> Path:
    return get_settings().var / "jobs" / str(job_id)


class JobRun:
    """What a handler gets: its record's id and tenant, progress and count reporting, a result file."""

    def __init__(self, job: dict):
        self.id: int = job["id"]
        self.tenant: str = job["tenant_id"]
        self.counts: dict[str, int] = {}
        self.result_file: str | None = None

    async def progress(self, done: int, total: int | None = None) -> None:
        values: dict = {Job.progress_done: done, Job.counts: self.counts}
        if total is not None:
            values[Job.progress_total] = total
        await Job.update(values).where(Job.id == self.id)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def result_path(self, filename: str) -> Path:
        """Where to write a result file; the first one named is the job's main result."""
        folder = result_dir(self.id)
        folder.mkdir(parents=True, exist_ok=True)
        self.result_file = self.result_file or filename
        return folder / filename


async def _finish(job: dict, status: str, **values: Any) -> None:
    """`job` as read by this worker: succeeded or failed, unless it changed since."""
    changes = {getattr(Job, name): value for name, value in values.items()}
    action = "succeed" if status == "succeeded" else "fail"
    async with transaction():
        await JOB.move(None, job, action, {Job.finished_at: datetime.now(UTC), **changes})


async def run_job(ctx: dict, job_id: int) -> str:
    """The one arq function: load the record, re-enter its tenant's scope, call the handler."""
    with all_tenants("worker: read the job record to learn its tenant"):
        job = await Job.select().where(Job.id == job_id).output(load_json=True).first()
        if job is None:
            log.warning("job %s: no record, dropped", job_id)
            return "missing"
        if job["status"] in ("succeeded", "failed"):
            return f"already {job['status']}"
        tenant = (await tenant_tree(fresh=True)).get(job["tenant_id"])
        if tenant is None or tenant.status != "active":
            await _finish(
                job,
                "failed",
                error_code="TENANT_UNAVAILABLE",
                error_message=f"tenant {job['tenant_id']} no longer exists or is not active",
            )
            return "failed"
        job_type = get_job_type(job["type"])
        if job_type is None:
            await _finish(job, "failed", error_code="UNKNOWN_JOB_TYPE", error_message=job["type"])
            return "failed"
    scope = (await tenant_tree()).scope_for(job["tenant_id"], user_id=job["created_by"])
    with use_scope(scope):
        try:
            async with transaction():
                started = await JOB.move(
                    None,
                    job,
                    "start",
                    {Job.started_at: datetime.now(UTC), Job.attempts: Job.attempts + 1},
                )
        except DomainError:  # another worker started it meanwhile
            return "taken"
        job.update(status=started["status"], revision=started["revision"])
        shutil.rmtree(result_dir(job_id), ignore_errors=True)  # a retry starts clean
        run = JobRun(job)
        with tracer.start_as_current_span(f"job {job['type']}") as span:  # a no-op unless on
            span.set_attribute("gpcloud.job.id", job_id)
            span.set_attribute("gpcloud.job.type", job["type"])
            span.set_attribute("gpcloud.tenant", job["tenant_id"])
            outcome = await _handle(job, job_type, run)
            span.set_attribute("gpcloud.job.outcome", outcome)
        return outcome


async def _handle(job: dict, job_type, run: JobRun) -> str:
    """Call the handler and record how it ended: succeeded or failed."""
    job_id = job["id"]
    try:
        await job_type.handler(run, **job["payload"])
    except DomainError as exc:
        await _finish(job, "failed", error_code=exc.code, error_message=str(exc), counts=run.counts)
        return "failed"
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job["type"])
        await _finish(
            job,
            "failed",
            error_code="INTERNAL",
            error_message=f"{type(exc).__name__}: the job failed; the log has details",
            counts=run.counts,
        )
        return "failed"
    await _finish(job, "succeeded", counts=run.counts, result_file=run.result_file)
    return "succeeded"


# Reading


def _readable(query, actor: CurrentUser):
    """Holders of job.read_all (admins) read their region's jobs; everyone else only the jobs
    they started."""
    if actor.can(Perm.JOB_READ_ALL):
        return query
    return query.where(Job.created_by == actor.id)


async def get_job(actor: CurrentUser, job_id: int) -> dict:
    row = (
        await _readable(Job.select(), actor).where(Job.id == job_id).output(load_json=True).first()
    )
    if row is None:
        raise NotFound("job", job_id)
    return row


async def list_jobs(
    actor: CurrentUser,
    job_type: str | None,
    status: str | None,
    first: int | None,
    after: str | None,
) -> Page:
    query = _readable(Job.select(), actor).output(load_json=True)
    if job_type:
        query = query.where(Job.type == job_type)
    if status:
        query = query.where(Job.status == status)
    return await keyset_page(query, Job.id, first, after)


def result_files(job: dict) -> list[str]:
    """Names of the files a finished job left, main result first."""
    folder = result_dir(job["id"])
    if job["status"] != "succeeded" or not folder.is_dir():
        return []
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    main = job["result_file"]
    return ([main] if main in names else []) + [n for n in names if n != main]


async def result_file(actor: CurrentUser, job_id: int, name: str | None = None) -> Path:
    job = await get_job(actor, job_id)
    files = result_files(job)
    name = name or (files[0] if files else None)
    if name not in files:
        raise DomainError("NO_RESULT", f"job {job_id} has no result file {name or ''}".strip())
    path = result_dir(job_id) / name
    if not path.is_file():
        raise DomainError("NO_RESULT", f"the result of job {job_id} is no longer kept")
    return path
