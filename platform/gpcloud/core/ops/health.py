"""Liveness and readiness for the load balancer (`/health/live`, `/health/ready`).

Live: the process answers (no I/O), so a balancer or orchestrator restarts only a wedged process.
Ready: this process can serve requests now. The database, Redis and the migrations are required:
without any of them every request would fail, so the process answers 503 and leaves the
rotation. The scheduler's leader and the job queue's lag are deployment-wide: taking every app
process out of rotation because no worker runs would turn a late deadline into an outage, so
they are reported and mark the answer `degraded` (still 200) past their thresholds.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import Finder

from gpcloud.core import clock
from gpcloud.core.db import is_sqlite
from gpcloud.core.jobs.service import queue_name
from gpcloud.core.redis import get_redis
from gpcloud.core.scheduler import service as scheduler
from gpcloud.piccolo_conf import DB

CHECK_TIMEOUT = 2.0  # seconds per check: a balancer's probe must answer quickly
IN_PROGRESS = "arq:in-progress:"  # arq's key prefix for a job a worker has taken
# Thresholds past which a deployment-wide check makes the answer `degraded`.
SCHEDULER_LAG_SECONDS = 300.0
QUEUE_LAG_SECONDS = 300.0


@dataclass
class Check:
    name: str
    ok: bool
    required: bool
    detail: dict = field(default_factory=dict)


@cache
def migrations_on_disk() -> dict[str, frozenset[str]]:
    """Migration ids per piccolo app, read from the files this process ships (never change)."""
    found = {}
    for app in Finder().get_app_configs():
        ids = set()
        folder = Path(app.migrations_folder_path)
        for path in folder.glob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.startswith("ID = "):
                    ids.add(line.split("=", 1)[1].strip().strip("'\""))
                    break
        found[app.app_name] = frozenset(ids)
    return found


async def pending_migrations() -> list[str]:
    """`app:id` of every shipped migration the database has not run."""
    ran = await Migration.select(Migration.app_name, Migration.name)
    done = {(r["app_name"], r["name"]) for r in ran}
    return sorted(
        f"{app}:{mid}"
        for app, ids in migrations_on_disk().items()
        for mid in ids
        if (app, mid) not in done
    )


async def queue_state() -> tuple[int, float]:
    """Jobs in the arq queue (waiting or running) and how long the oldest waiting one has
    waited, in seconds (0 when none waits)."""
    redis = get_redis()
    queue = queue_name()
    depth = await redis.zcard(queue)
    oldest = await redis.zrange(queue, 0, 49, withscores=True)
    lag = 0.0
    if oldest:
        running = await asyncio.gather(*(redis.exists(IN_PROGRESS + j.decode()) for j, _ in oldest))
        waiting = [score for (_, score), busy in zip(oldest, running, strict=True) if not busy]
        if waiting:
            lag = max(0.0, clock.now().timestamp() - min(waiting) / 1000)
    return depth, lag


async def _database() -> Check:
    await DB.run_ddl("SELECT 1")
    return Check("database", True, True, {"engine": "sqlite" if is_sqlite() else "postgresql"})


async def _redis() -> Check:
    return Check("redis", bool(await get_redis().ping()), True)


async def _migrations() -> Check:
    pending = await pending_migrations()
    return Check("migrations", not pending, True, {"pending": pending[:20], "count": len(pending)})


async def _scheduler() -> Check:
    state = await scheduler.health()
    lag = state.lag_seconds
    return Check(
        "scheduler",
        state.leader is not None and lag <= SCHEDULER_LAG_SECONDS,
        False,
        {"leader": state.leader, "backlog": state.backlog, "lag_seconds": round(lag, 3)},
    )


async def _queue() -> Check:
    depth, lag = await queue_state()
    return Check(
        "queue", lag <= QUEUE_LAG_SECONDS, False, {"depth": depth, "lag_seconds": round(lag, 3)}
    )


CHECKS = (_database, _redis, _migrations, _scheduler, _queue)


async def _run(check, name: str) -> Check:
    try:
        return await asyncio.wait_for(check(), CHECK_TIMEOUT)
    except Exception as exc:  # a probe reports failures, it never raises them
        required = name in ("database", "redis", "migrations")
        reason = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
        return Check(name, False, required, {"error": reason})


async def readiness() -> tuple[bool, dict]:
    """(ready, body): ready unless a required check failed; `status` is ok, degraded or fail."""
    names = [c.__name__.lstrip("_") for c in CHECKS]
    results = await asyncio.gather(*(_run(c, n) for c, n in zip(CHECKS, names, strict=True)))
    ready = all(r.ok for r in results if r.required)
    status = "fail" if not ready else "ok" if all(r.ok for r in results) else "degraded"
    return ready, {
        "status": status,
        "process": os.getpid(),
        "checks": {r.name: {k: v for k, v in asdict(r).items() if k != "name"} for r in results},
    }
