"""HTTP endpoints for operations: health probes and Prometheus metrics."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.exceptions import NotAuthorizedException, NotFoundException

from gpcloud.core.ops import metrics as prometheus
from gpcloud.core.ops.health import readiness
from gpcloud.settings import get_settings


@get("/health/live", sync_to_thread=False)
def live() -> dict[str, str]:
    """The process answers: restart it only when this fails."""
    return {"status": "ok"}


@get("/health/ready")
async def ready() -> Response[dict]:
    """Whether this process can serve: 503 takes it out of the balancer's rotation."""
    ok, body = await readiness()
    return Response(body, status_code=200 if ok else 503)


@get("/metrics")
async def metrics(request: Request) -> Response[bytes]:
    """Prometheus exposition; see core/ops/metrics.py for what is measured."""
    settings = get_settings()
    if not settings.metrics_enabled:
        raise NotFoundException()
    if not prometheus.allowed(request.headers.get("authorization", ""), settings.metrics_token):
        raise NotAuthorizedException("send the metrics bearer token (metrics_token)")
    body, content_type = await prometheus.render()
    return Response(body, media_type=content_type)


ROUTES = [live, ready, metrics]
