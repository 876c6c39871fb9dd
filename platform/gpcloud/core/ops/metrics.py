"""Prometheus metrics at `/metrics` (README: Operations; docs/deployment.md lists them).

Counters and histograms are updated as requests and GraphQL operations run. Gauges of the
deployment's state (job queue, scheduler, notification deliveries, audit sequencer, database
pool) are read when scraped, at most once per `REFRESH` seconds per process, so a scraper
cannot turn /metrics into load on the database.

Every label is bounded by the code, never by what a client sends: routes are path templates,
GraphQL operations are named by their first root field when the schema has it ("unknown"
otherwise; an operation name is the client's to choose), tenants are region codes of users.
With several processes per machine (`serve --workers N`) set PROMETHEUS_MULTIPROC_DIR to an
empty folder shared by them, and /metrics aggregates them all (prometheus-client's
multiprocess mode).
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import AsyncIterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from strawberry.extensions import SchemaExtension

from gpcloud.core import clock
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.db import is_sqlite
from gpcloud.core.errors import DomainError
from gpcloud.core.jobs.tables import Job
from gpcloud.core.notifications.tables import NotificationDelivery
from gpcloud.core.ops.health import queue_state
from gpcloud.core.ops.logs import request_line
from gpcloud.core.ops.tracing import tracer
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.piccolo_conf import DB
from graphql import GraphQLError, OperationDefinitionNode

REFRESH = 10.0  # seconds between two reads of the deployment's state by one process
SCOPE = "metrics: counts over every tenant"
LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
STATE = "mostrecent"  # gauges of shared state: any process's latest reading is the value

HTTP_REQUESTS = Counter(
    "gpcloud_http_requests",
    "HTTP requests by route template, method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "gpcloud_http_request_duration_seconds",
    "Time to the end of the response, by route.",
    ["route"],
    buckets=LATENCY,
)
OPERATIONS = Counter(
    "gpcloud_graphql_operations",
    "GraphQL operations by type, first root field and outcome "
    "(ok; error: a refusal or a domain error with a code; internal: masked).",
    ["type", "field", "outcome"],
)
OPERATION_LATENCY = Histogram(
    "gpcloud_graphql_operation_duration_seconds",
    "GraphQL operation time by type and first root field.",
    ["type", "field"],
    buckets=LATENCY,
)
ERROR_CODES = Counter(
    "gpcloud_graphql_errors", "GraphQL errors by stable code (docs/errors.md).", ["code"]
)
RESPONSE_CACHE = Counter(
    "gpcloud_graphql_response_cache",
    "Anonymous portal reads answered from the response cache (hit) or kept in it (miss).",
    ["outcome"],
)
TENANT_REQUESTS = Counter(
    "gpcloud_tenant_requests",
    "GraphQL operations by the caller's tenant (anonymous: none).",
    ["tenant"],
)
DB_POOL = Gauge(
    "gpcloud_db_pool_connections",
    "PostgreSQL pool of this process: size, idle, max.",
    ["state"],
    multiprocess_mode="liveall",
)
QUEUE_DEPTH = Gauge(
    "gpcloud_job_queue_depth", "Jobs in the queue (waiting or running).", multiprocess_mode=STATE
)
QUEUE_LAG = Gauge(
    "gpcloud_job_queue_lag_seconds",
    "How long the oldest waiting job has waited.",
    multiprocess_mode=STATE,
)
JOBS = Gauge(
    "gpcloud_jobs", "Job records by status (queued, running).", ["status"], multiprocess_mode=STATE
)
SCHEDULER_LAG = Gauge(
    "gpcloud_scheduler_lag_seconds",
    "How long the oldest due object has waited for the scheduler.",
    multiprocess_mode=STATE,
)
SCHEDULER_BACKLOG = Gauge(
    "gpcloud_scheduler_backlog", "Objects due and not yet run.", multiprocess_mode=STATE
)
SCHEDULER_LEADER = Gauge(
    "gpcloud_scheduler_leader", "1 while a scheduler holds the lease.", multiprocess_mode=STATE
)
DELIVERIES = Gauge(
    "gpcloud_notification_deliveries",
    "Notification deliveries not yet sent: "
    "pending, retrying (pending after a failure), sending, dead.",
    ["status"],
    multiprocess_mode=STATE,
)
AUDIT_BACKLOG = Gauge(
    "gpcloud_audit_unsequenced",
    "Audit entries not yet in the signed tree.",
    multiprocess_mode=STATE,
)
AUDIT_LAG = Gauge(
    "gpcloud_audit_sequencer_lag_seconds",
    "Age of the oldest audit entry not yet in the signed tree.",
    multiprocess_mode=STATE,
)

_refreshed_at = 0.0
_children: dict[tuple, object] = {}


def labelled(metric, *values: str):
    """`metric.labels(*values)`, remembered: prometheus_client checks and looks up the labels
    on every call, a cost paid several times per request. Bounded as its own children are."""
    key = (metric, values)
    try:
        return _children[key]
    except KeyError:
        child = _children[key] = metric.labels(*values)
        return child


def _route(scope) -> str:
    return scope.get("path_template") or "unmatched"


def http_metrics(app):
    """ASGI middleware: count and time every routed request (404s of no route are not)."""

    async def middleware(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def sending(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            http_done(_route(scope), scope["method"], status, time.perf_counter() - started)

    return middleware


def http_done(route: str, method: str, status: int, took: float) -> None:
    """Count and time a request (the direct read path answers before the middleware)."""
    labelled(HTTP_REQUESTS, route, method, str(status)).inc()
    labelled(HTTP_LATENCY, route).observe(took)
    if route != "/graphql":  # GraphQL operations have a line of their own
        request_line(
            "%s %s %s",
            method,
            route,
            status,
            route=route,
            method=method,
            status=status,
            duration_ms=round(took * 1000, 1),
        )


class OperationMetrics(SchemaExtension):
    """Counts and times each GraphQL operation, and its errors by code."""

    async def on_operation(self) -> AsyncIterator[None]:
        started = time.perf_counter()
        with tracer.start_as_current_span("graphql") as span:  # a no-op unless tracing is on
            yield
            context = self.execution_context
            kind, field = operation_of(
                context.schema._schema, context.graphql_document, context.operation_name
            )
            span.update_name(f"graphql {kind} {field}")
            span.set_attribute("graphql.operation.type", kind)
            span.set_attribute("graphql.field", field)
        result = context.result
        errors = list(getattr(result, "errors", None) or context.pre_execution_errors or [])
        codes = [(e.extensions or {}).get("code") or _code(e) for e in errors]
        user = getattr(context.context, "user", None)
        operation_done(kind, field, context.operation_name, user, codes, started)


def operation_done(
    kind: str, field: str, operation_name: str | None, user, codes: list[str], started: float
) -> None:
    """An operation's counters, latency and request line (also for core/graphql/direct.py)."""
    outcome = "internal" if "INTERNAL" in codes else "error" if codes else "ok"
    took = time.perf_counter() - started
    labelled(OPERATIONS, kind, field, outcome).inc()
    labelled(OPERATION_LATENCY, kind, field).observe(took)
    for code in codes:
        labelled(ERROR_CODES, code).inc()
    tenant = user.tenant if user is not None else None
    labelled(TENANT_REQUESTS, tenant or "none").inc()
    request_line(
        "graphql %s %s %s",
        kind,
        field,
        outcome,
        operation_type=kind,
        field=field,
        operation_name=(operation_name or "")[:64],
        tenant=tenant,
        user_id=user.id if user is not None else None,
        duration_ms=round(took * 1000, 1),
        outcome=outcome,
        codes=sorted(set(codes)),
    )


def _code(error) -> str:
    original = getattr(error, "original_error", None)
    if isinstance(original, DomainError):
        return original.code
    # graphql-core wraps its own refusals (a variable's value) in another GraphQLError: the
    # caller's mistake, as the response's masking judges it (schema._is_internal), not ours.
    return "GRAPHQL_ERROR" if original is None or isinstance(original, GraphQLError) else "INTERNAL"


def operation_of(schema, document, operation_name: str | None) -> tuple[str, str]:
    """The operation's type and first root field, when the schema has that field."""
    if document is None:
        return "unknown", "unknown"
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        ):
            kind = definition.operation.value
            root = schema.get_root_type(definition.operation)
            for selection in definition.selection_set.selections:
                name = getattr(getattr(selection, "name", None), "value", None)
                if name and root is not None and name in root.fields:
                    return kind, name
            return kind, "unknown"
    return "unknown", "unknown"


async def refresh(force: bool = False) -> None:
    """Read the deployment's state into the gauges (at most every REFRESH seconds)."""
    global _refreshed_at
    if not force and time.monotonic() - _refreshed_at < REFRESH:
        return
    _refreshed_at = time.monotonic()
    if not is_sqlite() and DB.pool is not None:
        DB_POOL.labels("size").set(DB.pool.get_size())
        DB_POOL.labels("idle").set(DB.pool.get_idle_size())
        DB_POOL.labels("max").set(DB.pool.get_max_size())
    depth, lag = await queue_state()
    QUEUE_DEPTH.set(depth)
    QUEUE_LAG.set(lag)
    state = await scheduler.health()
    SCHEDULER_LAG.set(state.lag_seconds)
    SCHEDULER_BACKLOG.set(state.backlog)
    SCHEDULER_LEADER.set(1 if state.leader else 0)
    D, A = NotificationDelivery, AuditEntry
    with all_tenants(SCOPE, audited=False):
        for status in ("queued", "running"):
            JOBS.labels(status).set(await Job.count().where(Job.status == status))
        for status in ("pending", "sending", "dead"):
            DELIVERIES.labels(status).set(await D.count().where(D.status == status))
        DELIVERIES.labels("retrying").set(
            await D.count().where((D.status == "pending") & (D.attempts > 0))
        )
        AUDIT_BACKLOG.set(await A.count().where(A.seq.is_null()))
        oldest = await A.select(A.created_at).where(A.seq.is_null()).order_by(A.id).first()
    AUDIT_LAG.set((clock.now() - oldest["created_at"]).total_seconds() if oldest else 0.0)


def allowed(authorization: str, token: str) -> bool:
    """No token configured: open (bind /metrics to a private network). Else the bearer token."""
    if not token:
        return True
    return hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode())


async def render() -> tuple[bytes, str]:
    await refresh()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
