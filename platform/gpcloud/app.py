"""The Litestar application: GraphQL at /graphql, job result downloads, health."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.background_tasks import BackgroundTasks
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.params import FromPath
from litestar.response import File
from strawberry.litestar import make_graphql_controller

from gpcloud.analytics.http import ROUTES as analytics_pages
from gpcloud.core.audit.http import audit_heads
from gpcloud.core.bad_requests import EXCEPTION_HANDLERS, RowId, checked_graphql
from gpcloud.core.db import close_pool, open_pool
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.compiled import compiled_graphql
from gpcloud.core.graphql.context import Context, authenticate, context_getter
from gpcloud.core.graphql.direct import ROUTE, Direct, direct_reads
from gpcloud.core.graphql.ide import assets as ide_assets
from gpcloud.core.graphql.ide import offline_ide
from gpcloud.core.graphql.persisted import persisted_graphql
from gpcloud.core.graphql.projection import encode_json
from gpcloud.core.graphql.response_cache import cached_graphql
from gpcloud.core.graphql.schema import schema
from gpcloud.core.jobs import service as jobs
from gpcloud.core.ops import tracing
from gpcloud.core.ops.http import ROUTES as ops_routes
from gpcloud.core.ops.logs import configure as configure_logs
from gpcloud.core.ops.metrics import http_metrics
from gpcloud.core.redis import close_redis, get_redis
from gpcloud.core.request_limits import largest_body, request_limits
from gpcloud.core.security_headers import add_security_headers
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.piccolo_conf import DB
from gpcloud.portal.credit import ROUTES as credit_pages
from gpcloud.portal.errors import exception_handlers
from gpcloud.portal.http import ocds_records, ocds_releases
from gpcloud.portal.mall_http import mall_ocds_records, mall_ocds_releases
from gpcloud.portal.pages import ROUTES as pages
from gpcloud.settings import get_settings
from gpcloud.worker import make_worker

log = logging.getLogger("gpcloud")


def _sub_response() -> Response:
    return Response({}, background=BackgroundTasks([]))


async def _custom_context(request: Request, response: Response) -> Context:
    return await context_getter(request)


def _no_root_value(context: Any) -> None:
    return None


def _dependencies_in_line(controller: type) -> type:
    """strawberry's controller with its request dependencies resolved one after the other in
    the event loop. It provides the sub-response (headers and cookies resolvers may set) from a
    worker thread (`sync_to_thread=True`), and resolves the context, the sub-response and the
    root value at once, each in a task of an anyio task group: a thread hop and three tasks
    per request, for values that take microseconds. Chained here (response -> custom context
    -> context -> root value), each step is awaited or called in line."""
    dependencies = {
        **controller.dependencies,
        "response": Provide(_sub_response, sync_to_thread=False),
        "custom_context": Provide(_custom_context),
        "root_value": Provide(_no_root_value, sync_to_thread=False),
    }
    return type(controller.__name__, (controller,), {"dependencies": dependencies})


def _utf8_json(controller: type) -> type:
    """strawberry's controller answering UTF-8 JSON (projection.encode_json)."""
    return type(controller.__name__, (controller,), {"encode_json": staticmethod(encode_json)})


def graphql_controller(compiled_reads: bool) -> type:
    """The /graphql controller; `compiled_reads`: queries through compiled plans."""
    controller = _utf8_json(
        _dependencies_in_line(
            offline_ide(
                persisted_graphql(
                    cached_graphql(
                        checked_graphql(
                            compiled_graphql(
                                make_graphql_controller(
                                    schema,
                                    path="/graphql",
                                    context_getter=context_getter,
                                    graphql_ide="graphiql",
                                    multipart_uploads_enabled=True,
                                ),
                                compiled_reads,
                            )
                        )
                    )
                )
            )
        )
    )
    return controller


class Platform(Litestar):
    """Litestar, with anonymous compiled reads of /graphql answered before its layers where
    they can be (core/graphql/direct.py); everything else is Litestar's."""

    direct: Direct | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.direct is not None and scope["type"] == "http" and scope["path"] == ROUTE:
            scope["app"] = scope["litestar_app"] = self  # as Litestar.__call__ sets them
            scope.setdefault("state", {})
            await self.direct(scope, receive, send, super().__call__)
            return
        await super().__call__(scope, receive, send)


@get("/health")
async def health() -> dict[str, str]:
    await DB.run_ddl("SELECT 1")
    await get_redis().ping()
    return {"status": "ok"}


async def _job_file(request: Request, job_id: int, name: str | None) -> File:
    user, scope, error = await authenticate(request)
    if user is None:
        raise NotAuthorizedException(str(error) if error else "send a bearer token")
    with use_scope(scope):
        try:
            path = await jobs.result_file(user, job_id, name)
        except DomainError as exc:
            raise NotFoundException(str(exc)) from None
    return File(path=path, filename=path.name)


@get("/jobs/{job_id:int}/result")
async def job_result(request: Request, job_id: RowId) -> File:
    """The main result file of a finished job, for whoever may read the job."""
    return await _job_file(request, job_id, None)


@get("/jobs/{job_id:int}/files/{name:str}")
async def job_file(request: Request, job_id: RowId, name: FromPath[str]) -> File:
    """Any result file of a finished job (e.g. an import's rejects.csv)."""
    return await _job_file(request, job_id, name)


def create_app(run_worker: bool | None = None, compiled_reads: bool | None = None) -> Litestar:
    """`run_worker`: run the arq worker in this process (default: when Redis is embedded);
    `compiled_reads`: queries through compiled plans (default: setting graphql_compiled_reads)."""
    settings = get_settings()
    compiled = settings.graphql_compiled_reads if compiled_reads is None else compiled_reads
    in_process = settings.embedded_redis if run_worker is None else run_worker
    tracing.setup(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        owns_pool = await open_pool(settings.db_pool_min, settings.db_pool_max)
        # What exists now (modules, the schema, the tenant tree) lives as long as the process:
        # left out of the collector's full passes, whose pauses set the p95 of allocation-heavy
        # requests such as the expert draw (docs/evaluation.md).
        gc.freeze()
        worker = task = None
        if in_process:
            worker = make_worker(in_app=True)
            task = asyncio.create_task(worker.async_run())
        try:
            yield
        finally:
            if worker is not None and task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                await worker.close()  # its on_shutdown stops the worker's loops
            await jobs.close_arq_pool()
            await close_redis()
            if owns_pool:
                await close_pool()

    app = Platform(
        route_handlers=[
            graphql_controller(compiled),
            ide_assets,
            health,
            *ops_routes,
            job_result,
            job_file,
            ocds_releases,
            ocds_records,
            mall_ocds_releases,
            mall_ocds_records,
            audit_heads,
            *pages,
            *credit_pages,
            *analytics_pages,
        ],
        lifespan=[lifespan],
        exception_handlers=exception_handlers(EXCEPTION_HANDLERS),
        middleware=[http_metrics, request_limits(settings)],
        before_send=[add_security_headers],
        request_max_body_size=largest_body(settings),
        # Logging is configured once per process (core.ops.logs.configure); Litestar's default
        # replaced the root handler, losing the JSON lines and logging at DEBUG.
        logging_config=None,
    )
    if compiled:
        app.direct = direct_reads(schema, settings)
    return app


def create_served_app() -> Litestar:
    """The factory of each process of `gpcloud serve --workers N`: a spawned process starts
    with no log handler, so it configures its own before building the app."""
    configure_logs(get_settings().log_format)
    return create_app()
