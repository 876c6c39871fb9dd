"""Health probes for the load balancer: live answers without I/O; ready names what is wrong."""

from datetime import timedelta

import redis.asyncio as aioredis
from piccolo.apps.migrations.tables import Migration

from gpcloud.core import clock
from gpcloud.core.jobs.service import queue_name
from gpcloud.core.ops import health
from gpcloud.core.redis import get_redis
from gpcloud.core.scheduler import lease as leases
from gpcloud.core.scheduler import service as scheduler


async def test_live(client):
    response = await client.get("/health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def _ready(client):
    response = await client.get("/health/ready")
    return response.status_code, response.json()


async def test_ready_reports_every_check_and_the_scheduler_leader(client):
    status, body = await _ready(client)
    checks = body["checks"]
    assert status == 200
    assert set(checks) == {"database", "redis", "migrations", "scheduler", "queue"}
    assert checks["database"]["ok"] and checks["redis"]["ok"]
    assert checks["migrations"] == {
        "ok": True,
        "required": True,
        "detail": {"pending": [], "count": 0},
    }
    # No worker runs in this test's app: no leader, so degraded, but still in rotation.
    assert checks["scheduler"]["ok"] is False and checks["scheduler"]["required"] is False
    assert checks["scheduler"]["detail"]["leader"] is None
    assert body["status"] == "degraded"

    lease = await leases.acquire(scheduler.NAME, "ops-test-holder", timedelta(seconds=30))
    try:
        status, body = await _ready(client)
        assert status == 200 and body["status"] == "ok"
        assert body["checks"]["scheduler"]["detail"]["leader"] == "ops-test-holder"
    finally:
        await leases.release(lease)


async def test_a_pending_migration_takes_the_process_out_of_rotation(client):
    row = await Migration.select().order_by(Migration.id, ascending=False).first()
    await Migration.delete().where(Migration.id == row["id"])
    try:
        status, body = await _ready(client)
        assert status == 503 and body["status"] == "fail"
        migrations = body["checks"]["migrations"]
        assert migrations["ok"] is False
        assert migrations["detail"]["pending"] == [f"{row['app_name']}:{row['name']}"]
    finally:
        await Migration.insert(Migration(**{k: v for k, v in row.items() if k != "id"}))
    assert (await _ready(client))[1]["checks"]["migrations"]["ok"]


async def test_an_unreachable_redis_fails_readiness(client, monkeypatch):
    dead = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    monkeypatch.setattr(health, "get_redis", lambda: dead)
    try:
        status, body = await _ready(client)
    finally:
        await dead.aclose()
    assert status == 503
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["detail"]["error"] == "ConnectionError"
    assert body["checks"]["database"]["ok"] is True


async def test_queue_lag_counts_waiting_jobs_not_running_ones(client):
    redis, queue = get_redis(), queue_name()
    waited = clock.now() - timedelta(minutes=10)
    await redis.zadd(queue, {"ops-test:waiting": waited.timestamp() * 1000})
    await redis.zadd(queue, {"ops-test:running": (waited - timedelta(hours=1)).timestamp() * 1000})
    await redis.set(health.IN_PROGRESS + "ops-test:running", b"1")
    try:
        depth, lag = await health.queue_state()
        assert depth == 2 and 595 < lag < 700
        status, body = await _ready(client)
        assert status == 200 and body["status"] == "degraded"
        assert body["checks"]["queue"]["ok"] is False
    finally:
        await redis.zrem(queue, "ops-test:waiting", "ops-test:running")
        await redis.delete(health.IN_PROGRESS + "ops-test:running")
    assert await health.queue_state() == (0, 0.0)
