"""The direct read path (core/graphql/direct.py) answers before Litestar's layers, so it keeps
their duties itself: the request's time limit, the request metrics, the security headers, the
body limit (a large body is left to Litestar, which refuses it). Its bytes against strawberry's:
tests/graphql/test_compiled_differential.py."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from prometheus_client import REGISTRY

from gpcloud import app as app_module
from gpcloud.core.graphql import compiled
from gpcloud.settings import get_settings

READ = "{ notices(first: 2) { edges { node { id title } } } }"


@pytest.fixture
def made(monkeypatch, deployment):
    """A client of an app built with some settings changed."""
    clients = []

    def make(**changes) -> httpx.AsyncClient:
        settings = dataclasses.replace(get_settings(), **changes)
        monkeypatch.setattr(app_module, "get_settings", lambda: settings)
        app = app_module.create_app(run_worker=False, compiled_reads=True)
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50003))
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://gpcloud.test"))
        return clients[-1]

    yield make


def counted(status: str) -> float:
    labels = {"route": "/graphql", "method": "POST", "status": status}
    return REGISTRY.get_sample_value("gpcloud_http_requests_total", labels) or 0.0


async def test_a_direct_read_is_counted_and_has_the_security_headers(made):
    http = made()
    direct, before = compiled.STATS.direct, counted("200")
    response = await http.post("/graphql", json={"query": READ})
    assert response.status_code == 200, response.text
    assert compiled.STATS.direct == direct + 1
    assert counted("200") == before + 1
    assert response.headers["x-content-type-options"] == "nosniff"
    assert (
        response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [(None, "请求用时超过 0 秒"), ("en", "the request took longer than 0 s")],
)
async def test_a_direct_read_out_of_time_is_answered_503(made, language, message):
    """With no time at all, the read is cancelled at its first wait for the database."""
    http = made(request_timeout_ms=0)
    headers = {"accept-language": language} if language else {}
    before = counted("503")
    response = await http.post("/graphql", json={"query": READ}, headers=headers)
    assert response.status_code == 503, response.text
    (error,) = response.json()["errors"]
    assert error == {"message": message, "extensions": {"code": "REQUEST_TIMEOUT"}}
    assert response.headers["x-frame-options"] == "DENY"
    assert counted("503") == before + 1


async def test_a_body_over_the_limit_is_left_to_litestar(made):
    http = made(max_body_bytes=200)
    direct = compiled.STATS.direct
    padded = {"query": READ + " " * 300}
    response = await http.post("/graphql", json=padded)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert compiled.STATS.direct == direct
    response = await http.post("/graphql", json={"query": READ})
    assert response.status_code == 200 and compiled.STATS.direct == direct + 1
