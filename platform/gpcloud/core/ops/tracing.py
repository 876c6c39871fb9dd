"""Tracing with OpenTelemetry: off by default (`tracing_enabled`), OTLP over HTTP when on.

The platform calls only OpenTelemetry's API, which does nothing until a tracer provider is set:
with tracing off, a span costs a function call. `setup` sets the provider once per process
(`serve`, `worker`): spans for GraphQL operations (core/ops/metrics.OperationMetrics), for each
job a worker runs (core/jobs/service.run_job: type, tenant, outcome), for each object the
scheduler runs timers of (core/scheduler/service.tick) and, on PostgreSQL, for every SQL
statement (asyncpg's instrumentation), each under the span that issued it.
"""

from __future__ import annotations

import logging

from opentelemetry import trace

from gpcloud.settings import Settings

log = logging.getLogger(__name__)
tracer = trace.get_tracer("gpcloud")
_provider = None


def setup(settings: Settings, exporter=None) -> bool:
    """Start tracing when the settings ask for it (or an exporter is given: the tests)."""
    global _provider
    if _provider is not None:
        if exporter is None:
            return True
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor

        _provider.add_span_processor(SimpleSpanProcessor(exporter))
        AsyncPGInstrumentor().instrument(tracer_provider=_provider)
        return True
    if not settings.tracing_enabled and exporter is None:
        return False
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": "gpcloud"}))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.tracing_endpoint or None  # None: OTEL_EXPORTER_OTLP_* or localhost
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    AsyncPGInstrumentor().instrument(tracer_provider=provider)
    _provider = provider
    log.info("tracing on: OTLP to %s", settings.tracing_endpoint or "the OTEL_* default")
    return True
