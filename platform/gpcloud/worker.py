"""arq worker settings collecting every domain's jobs.

`gpcloud worker` runs a worker process (production, any number of them); in the embedded
default `gpcloud serve` runs one inside the app process instead.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from arq import create_pool, func
from arq.utils import timestamp_ms
from arq.worker import Worker

from gpcloud.analytics.service import refresh as analytics_refresh
from gpcloud.core.audit import sequencer
from gpcloud.core.db import close_pool, open_pool
from gpcloud.core.jobs.registry import load_domain_jobs
from gpcloud.core.jobs.service import (
    RUNNER,
    queue_name,
    redis_settings,
    requeue_unfinished,
    run_job,
)
from gpcloud.core.notifications import outbox
from gpcloud.core.notifications.jobs import deliver_notification
from gpcloud.core.scheduler import service as scheduler
from gpcloud.finance_services.service import payment_watch
from gpcloud.settings import get_settings

log = logging.getLogger("gpcloud.worker")


async def on_startup(ctx: dict) -> None:
    settings = get_settings()
    ctx["owns_pool"] = await open_pool(settings.db_pool_min, settings.db_pool_max)
    types = load_domain_jobs()
    count = await requeue_unfinished()
    deliveries = await outbox.requeue()
    if ctx.get("loops", True):
        # Every worker runs them; a lease lets one of them act at a time.
        ctx["stop"] = asyncio.Event()
        ctx["tasks"] = [
            asyncio.create_task(sequencer.run(ctx["stop"])),
            asyncio.create_task(scheduler.run(ctx["stop"])),
            asyncio.create_task(analytics_refresh.run(ctx["stop"])),
            asyncio.create_task(payment_watch.run(ctx["stop"])),
        ]
    log.info(
        "worker ready: %d job types; requeued %d unfinished jobs, %d deliveries",
        len(types),
        count,
        deliveries,
    )


async def on_shutdown(ctx: dict) -> None:
    if "stop" in ctx:
        ctx["stop"].set()
        await asyncio.gather(*ctx["tasks"])
    if ctx.get("owns_pool"):
        await close_pool()


class WorkerSettings:
    """arq's settings class. Redis and the queue name come from gpcloud settings at start."""

    functions = [
        func(run_job, name=RUNNER, max_tries=3),
        func(deliver_notification, name=outbox.FUNCTION, max_tries=3, timeout=600),
    ]
    on_startup = on_startup
    on_shutdown = on_shutdown
    job_timeout = 3600
    keep_result = 3600


def make_worker(in_app: bool = False, **overrides: Any) -> Worker:
    options: dict[str, Any] = {
        "functions": WorkerSettings.functions,
        "on_startup": WorkerSettings.on_startup,
        "on_shutdown": WorkerSettings.on_shutdown,
        "job_timeout": WorkerSettings.job_timeout,
        "keep_result": WorkerSettings.keep_result,
        "redis_settings": redis_settings(),
        "queue_name": queue_name(),
        "handle_signals": not in_app,
    }
    options.update(overrides)
    # A burst worker (drain) runs the queued jobs and stops: no background loops.
    options.setdefault("ctx", {"loops": not options.get("burst")})
    return Worker(**options)


class _DueJobs:
    """The Redis pool as a draining worker sees it: the queue counts only the jobs due now. A
    burst worker stops when the queue is empty, so a job deferred to later (a notification's
    next attempt after a failure) would keep it polling for ever."""

    def __init__(self, pool):
        self._pool = pool

    def __getattr__(self, name: str):
        return getattr(self._pool, name)

    async def zcard(self, name: str) -> int:
        return await self._pool.zcount(name, "-inf", timestamp_ms())


async def drain() -> None:
    """Run a real worker in this process until no queued job is due (burst mode): for the tests
    and the walks (docs/closed_loop.py)."""
    pool = _DueJobs(await create_pool(redis_settings()))
    worker = make_worker(in_app=True, burst=True, poll_delay=0.05, redis_pool=pool)
    try:
        await worker.async_run()
    finally:
        await worker.close()
