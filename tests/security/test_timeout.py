"""The request timeout: a genuinely slow request (four full-text searches of 100 notices with
their chains, within a logged-in user's cost budget: about 50 ms on PostgreSQL here, and the
read path keeps getting faster) under a tiny timeout setting is cancelled, answered 503
REQUEST_TIMEOUT, and its database connection goes back to the pool."""

from __future__ import annotations

import asyncio
import dataclasses

import httpx
import pytest

from gpcloud import app as app_module
from gpcloud.core.db import is_sqlite
from gpcloud.piccolo_conf import DB
from gpcloud.portal import demo as portal_demo
from gpcloud.settings import get_settings
from tests.security.support import refused_while_alive
from tests.support import data, gql, login

SEARCHES = " ".join(
    f'{alias}: notices(first: 100, filter: {{search: "{word}"}}) {{ edges {{ node {{ '
    "id title body titleHighlight bodyHighlight suppliers { name amount } "
    "chain { id title body bodyHighlight regionName } } } }"
    for alias, word in zip("abcd", ("采购", "设备", "服务", "工程"), strict=True)
)
SLOW = "{ " + SEARCHES + " }"
TIMEOUT_MS = 10


@pytest.fixture
async def impatient(monkeypatch, deployment):
    """A client of the app built with request_timeout_ms = TIMEOUT_MS."""
    settings = dataclasses.replace(get_settings(), request_timeout_ms=TIMEOUT_MS)
    monkeypatch.setattr(app_module, "get_settings", lambda: settings)
    transport = httpx.ASGITransport(
        app=app_module.create_app(run_worker=False), client=("127.0.0.1", 50001)
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://gpcloud.test") as http:
        yield http


async def _connections_back() -> None:
    """PostgreSQL: every pooled connection idle again and the database running no statement
    but ours (the server stops a cancelled statement soon after asyncpg's cancel request). A
    backend cut off between two messages of the extended protocol (Parse sent, Bind not) shows
    as active too, but waits for the client (ClientRead) and runs nothing."""
    running: list = []
    for _ in range(100):
        running = await DB.run_ddl(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'active' AND wait_event IS DISTINCT FROM 'ClientRead' "
            "AND pid <> pg_backend_pid()"
        )
        if DB.pool.get_idle_size() == DB.pool.get_size() and not running:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"still busy: {DB.pool.get_size() - DB.pool.get_idle_size()} {running}")


async def test_a_slow_request_is_cancelled_and_its_connection_returned(client, impatient, demo):
    await portal_demo.seed()
    token = await login(client, "gd.admin")
    headers = {"authorization": f"Bearer {token}"}
    response = await refused_while_alive(
        client, lambda: impatient.post("/graphql", json={"query": SLOW}, headers=headers)
    )
    assert response.status_code == 503, response.text
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "REQUEST_TIMEOUT"}
    assert f"{TIMEOUT_MS / 1000:g} 秒" in error["message"]
    assert response.headers["x-content-type-options"] == "nosniff"
    if not is_sqlite():
        await _connections_back()
    # Without the tiny timeout the same request answers (it was slow, not wrong).
    found = data(await gql(client, SLOW, token=token))
    assert len(found["a"]["edges"]) == 100
