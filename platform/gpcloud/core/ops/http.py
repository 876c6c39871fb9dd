"""HTTP endpoints for operations: health probes and Prometheus metrics."""

from __future__ import annotations

from litestar import Response, get

from gpcloud.core.ops.health import readiness


@get("/health/live", sync_to_thread=False)
def live() -> dict[str, str]:
    """The process answers: restart it only when this fails."""
    return {"status": "ok"}


@get("/health/ready")
async def ready() -> Response[dict]:
    """Whether this process can serve: 503 takes it out of the balancer's rotation."""
    ok, body = await readiness()
    return Response(body, status_code=200 if ok else 503)


ROUTES = [live, ready]
