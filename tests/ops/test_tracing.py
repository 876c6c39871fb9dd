"""Tracing is off by default and, when on, gives a span per GraphQL operation (and, on
PostgreSQL, per SQL statement)."""

import dataclasses
from datetime import UTC, datetime, timedelta

from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gpcloud.core.jobs import service as jobs
from gpcloud.core.ops import tracing
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.tables import MallGroupBuy
from gpcloud.settings import get_settings
from tests.support import drain_jobs, gql, login
from tests.tenancy.rows import make_row


def test_off_by_default():
    assert get_settings().tracing_enabled is False
    if tracing._provider is None:
        assert tracing.setup(get_settings()) is False
        assert not trace.get_current_span().get_span_context().is_valid


async def test_spans_for_operations_and_sql(client, demo):
    exporter = InMemorySpanExporter()
    settings = dataclasses.replace(get_settings(), tracing_enabled=True)
    assert tracing.setup(settings, exporter=exporter)
    try:
        await _one_operation(client, exporter)
    finally:  # the rest of this process's tests run untraced
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

        exporter.shutdown()
        AsyncPGInstrumentor().uninstrument()


async def _one_operation(client, exporter):
    token = await login(client, "xn.admin")
    exporter.clear()
    await gql(client, "{ me { user { username } } }", token=token)
    spans = exporter.get_finished_spans()
    (operation,) = [s for s in spans if s.name.startswith("graphql")]
    assert operation.name == "graphql query me"
    assert operation.attributes["graphql.field"] == "me"
    if get_settings().is_postgres:
        sql = [
            s
            for s in spans
            if s.parent is not None and s.parent.span_id == operation.context.span_id
        ]
        assert sql, [s.name for s in spans]


async def test_spans_for_jobs_and_timers(demo):
    exporter = InMemorySpanExporter()
    settings = dataclasses.replace(get_settings(), tracing_enabled=True)
    assert tracing.setup(settings, exporter=exporter)
    try:
        exporter.clear()
        with use_scope((await tenant_tree()).scope_for("440000")):
            job = await jobs.enqueue("suppliers.expire_certificates", {}, "440000")
        await drain_jobs()
        (span,) = [s for s in exporter.get_finished_spans() if s.name.startswith("job ")]
        assert span.name == "job suppliers.expire_certificates"
        assert span.attributes["gpcloud.job.id"] == job["id"]
        assert span.attributes["gpcloud.job.outcome"] == "succeeded"
        assert span.attributes["gpcloud.tenant"] == "440000"
        # A timer falls due: the scheduler's span names the object and what it ran.
        group = await make_row(MallGroupBuy, "441400")
        with all_tenants("test"):
            closes = datetime(2026, 12, 1, tzinfo=UTC)
            await MallGroupBuy.update({MallGroupBuy.next_check: closes}).where(
                MallGroupBuy.id == group
            )
        exporter.clear()
        await scheduler.run_once(closes + timedelta(seconds=1))
        (timer,) = [s for s in exporter.get_finished_spans() if s.name.startswith("scheduler ")]
        assert timer.name == "scheduler mall_group_buy"
        assert timer.attributes["gpcloud.object.id"] == group
        assert list(timer.attributes["gpcloud.timers"]) == ["close"]
    finally:
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

        exporter.shutdown()
        AsyncPGInstrumentor().uninstrument()
