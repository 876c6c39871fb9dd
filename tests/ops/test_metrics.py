"""Prometheus metrics: what the operations team graphs and alerts on, behind a setting."""

import dataclasses
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from gpcloud.core.jobs.service import queue_name
from gpcloud.core.ops import metrics as prometheus
from gpcloud.core.redis import get_redis
from gpcloud.settings import get_settings
from tests.support import gql, login


def _samples(text: str) -> dict[tuple, float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def _scrape(client, **headers) -> dict[tuple, float]:
    await prometheus.refresh(force=True)
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return _samples(response.text)


def _value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_operations_outcomes_codes_tenants_and_routes_are_counted(client, demo):
    before = await _scrape(client)
    token = await login(client, "xn.admin")
    await gql(client, "{ me { user { username } } }", token=token)
    await gql(client, "{ rootTenant { name } }")
    await gql(client, "{ notAField }")
    await gql(
        client,
        'mutation { login(username: "xn.admin", password: "wrong") { token errors { code } } }',
    )
    after = await _scrape(client)

    def grew(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("gpcloud_graphql_operations_total", type="query", field="me", outcome="ok") == 1
    assert (
        grew("gpcloud_graphql_operations_total", type="query", field="rootTenant", outcome="ok")
        == 1
    )
    # A field the schema lacks is never a label: a client cannot grow the series.
    assert (
        grew("gpcloud_graphql_operations_total", type="query", field="unknown", outcome="error")
        == 1
    )
    assert not any("notAField" in str(key) for key in after)
    assert (
        grew("gpcloud_graphql_operations_total", type="mutation", field="login", outcome="ok") >= 2
    )
    assert grew("gpcloud_graphql_operation_duration_seconds_count", type="query", field="me") == 1
    assert grew("gpcloud_tenant_requests_total", tenant="441481") >= 1
    assert grew("gpcloud_tenant_requests_total", tenant="none") >= 3
    assert grew("gpcloud_http_requests_total", route="/graphql", method="POST", status="200") >= 5
    assert grew("gpcloud_http_request_duration_seconds_count", route="/graphql") >= 5


async def test_refused_documents_are_counted_by_code(client):
    before = await _scrape(client)
    deep = "{ rootTenant " + "{ children " * 14 + "{ name }" + " }" * 15
    result = await gql(client, deep)
    assert result["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"
    after = await _scrape(client)
    grew = _value(after, "gpcloud_graphql_errors_total", code="QUERY_TOO_DEEP") - _value(
        before, "gpcloud_graphql_errors_total", code="QUERY_TOO_DEEP"
    )
    assert grew == 1


async def test_deployment_state_gauges(client):
    redis, queue = get_redis(), queue_name()
    from gpcloud.core import clock

    # Other tests of this worker may have left jobs queued: count from what is there.
    queued = _value(await _scrape(client), "gpcloud_job_queue_depth")
    waited = clock.now() - timedelta(seconds=90)
    await redis.zadd(queue, {"metrics-test:waiting": waited.timestamp() * 1000})
    try:
        samples = await _scrape(client)
    finally:
        await redis.zrem(queue, "metrics-test:waiting")
    assert _value(samples, "gpcloud_job_queue_depth") == queued + 1
    lag = _value(samples, "gpcloud_job_queue_lag_seconds")
    assert lag > 89 and (queued or lag < 200)
    assert _value(samples, "gpcloud_scheduler_leader") == 0
    for name in (
        "gpcloud_scheduler_backlog",
        "gpcloud_scheduler_lag_seconds",
        "gpcloud_audit_unsequenced",
        "gpcloud_audit_sequencer_lag_seconds",
    ):
        assert (name, ()) in samples
    assert ("gpcloud_notification_deliveries", (("status", "dead"),)) in samples
    if get_settings().is_postgres:
        assert (
            _value(samples, "gpcloud_db_pool_connections", state="max")
            == get_settings().db_pool_max
        )


async def test_the_setting_protects_metrics(client, monkeypatch):
    settings = get_settings()
    with_token = dataclasses.replace(settings, metrics_token="s3cret-metrics-token")
    monkeypatch.setattr("gpcloud.core.ops.http.get_settings", lambda: with_token)
    assert (await client.get("/metrics")).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert (await client.get("/metrics", headers=wrong)).status_code == 401
    await _scrape(client, Authorization="Bearer s3cret-metrics-token")
    off = dataclasses.replace(settings, metrics_enabled=False)
    monkeypatch.setattr("gpcloud.core.ops.http.get_settings", lambda: off)
    assert (await client.get("/metrics")).status_code == 404
