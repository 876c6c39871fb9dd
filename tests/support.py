"""Helpers shared by the tests: data reset, GraphQL calls, logins."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from gpcloud.core import i18n
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.calendar import service as calendar
from gpcloud.core.calendar.tables import CalendarDay, CalendarYear
from gpcloud.core.db import is_sqlite, transaction
from gpcloud.core.plugins import hooks as plugin_hooks
from gpcloud.core.redis import get_redis
from gpcloud.core.tenancy.files import apply_tenant_files
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import invalidate_tree
from gpcloud.core.tenancy.tables import Tenant
from gpcloud.demo import DEMO_PASSWORD
from gpcloud.piccolo_conf import DB, all_tables
from gpcloud.settings import get_settings
from gpcloud.worker import drain

_snapshot: dict[str, list[dict]] = {}


async def reset_data() -> None:
    """Empty every table, restore the shipped tenants (and their audit entries), forget
    throttle counters and cached plugin hook callers.

    The first call applies tenants/ for real; later calls restore that result in bulk."""
    names = [t._meta.tablename for t in all_tables() if t not in (CalendarDay, CalendarYear)]
    if is_sqlite():
        async with transaction():
            await DB.run_ddl("PRAGMA defer_foreign_keys = ON")
            for name in names:
                await DB.run_ddl(f'DELETE FROM "{name}"')
    else:
        # DELETE with foreign-key triggers off is several times faster than TRUNCATE on small
        # tables (needs a superuser, as the CI's postgres is).
        async with transaction():
            await DB.run_ddl("SET LOCAL session_replication_role = replica")
            for name in names:
                await DB.run_ddl(f'DELETE FROM "{name}"')
    await _restore_calendar()
    invalidate_tree()
    settings = get_settings()
    redis = get_redis()
    # Throttle counters, and the job queue with arq's records of its jobs: on SQLite the ids of
    # emptied tables start again, and a walk under a frozen clock would make the same arq job id
    # as the test before (whose kept result makes arq refuse the new job).
    ns = settings.redis_namespace
    patterns = (f"{ns}:login-fail:*", f"{ns}:jobs", f"arq:*:{ns}:*")
    keys = [k for p in patterns async for k in redis.scan_iter(p)]
    if keys:
        await redis.delete(*keys)
    await plugin_hooks.bump_epoch()
    with all_tenants("test harness: restore the shipped tenants"):
        if not _snapshot:
            await apply_tenant_files(settings.tenants_dir)
            _snapshot["tenant"] = await Tenant.select()
            _snapshot["audit"] = await AuditEntry.select().order_by(AuditEntry.id)
            return
        async with transaction():
            levels = {"province": 0, "city": 1, "county": 2}
            rows = sorted(_snapshot["tenant"], key=lambda r: levels[r["level"]])
            await Tenant.insert(*(Tenant(**row) for row in rows))
            await AuditEntry.insert(
                *(
                    AuditEntry(**{k: v for k, v in row.items() if k != "id"})
                    for row in _snapshot["audit"]
                )
            )
    invalidate_tree()


async def _restore_calendar() -> None:
    """The calendar as migrate seeded it: kept between tests (reloading it costs more than a
    test), except years a test imported or changed."""
    with all_tenants("test harness: the calendar"):
        changed = [
            r["year"]
            for r in await CalendarYear.select(CalendarYear.year).where(
                CalendarYear.source != calendar.package_source()
            )
        ]
        for year in changed:
            await calendar.delete_year(year)
    await calendar.seed_calendar()


async def gql(
    client, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


LOGIN = """
mutation($username: String!, $password: String!) {
  login(username: $username, password: $password) {
    token expiresAt
    me { firstLoginPending mustChangePassword missingProfileFields user { id username } }
    errors { field code message }
  }
}
"""


async def login(client, username: str, password: str = DEMO_PASSWORD) -> str:
    result = await gql(client, LOGIN, {"username": username, "password": password})
    payload = result["data"]["login"]
    assert payload["errors"] == [], payload["errors"]
    return payload["token"]


def data(result: dict) -> dict:
    """The data of a query that must succeed (a top-level error fails the test here, naming it)."""
    assert "errors" not in result, result["errors"]
    return result["data"]


def error_codes(result: dict) -> list[str]:
    """Codes of top-level GraphQL errors."""
    return [e.get("extensions", {}).get("code") for e in result.get("errors") or []]


drain_jobs = drain  # runs a real arq worker until the queue is empty (burst mode)

ROOT_TENANTS = Path(__file__).resolve().parents[1] / "tenants"


def closed_loop_module():
    """docs/closed_loop.py (the walk of one procurement through the API), imported."""
    import importlib.util
    import sys

    if "closed_loop" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "closed_loop", ROOT_TENANTS.parent / "docs" / "closed_loop.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["closed_loop"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["closed_loop"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 180) -> None:
    """Until `url` answers 200 (or the process exits, which fails the test with its output)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stdout.read()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def serve_fresh(var: Path, *args: str, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """`gpcloud serve` as the README runs it on a fresh machine (its own var/, no GPCLOUD_*
    settings of the test session), answering; (process, base URL)."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GPCLOUD_")}
    environment |= {
        "GPCLOUD_VAR": str(var),
        "GPCLOUD_ARGON2_MEMORY_KIB": "1024",
        "GPCLOUD_ARGON2_TIME_COST": "1",
        **(env or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "gpcloud", "serve", "--port", str(port), *args],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/health", proc)
    except BaseException:
        proc.kill()
        raise
    return proc, base


@contextmanager
def in_english():
    """Reports written outside a request in the code's English, for tests that read their
    words (the platform writes them in Chinese by default: tests/integration/core/
    test_reject_language.py)."""
    token = i18n.language.set(i18n.SOURCE)
    try:
        yield
    finally:
        i18n.language.reset(token)
