"""Tracing is off by default and, when on, gives a span per GraphQL operation (and, on
PostgreSQL, per SQL statement)."""

import dataclasses

from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gpcloud.core.ops import tracing
from gpcloud.settings import get_settings
from tests.support import gql, login


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
