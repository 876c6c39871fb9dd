"""Open data over plain HTTP: OCDS release and record packages, public and paginated."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.exceptions import ValidationException
from litestar.params import FromQuery

from gpcloud.core.bad_requests import AfterId
from gpcloud.core.errors import DomainError
from gpcloud.portal import ocds, service

PAGE = 100


def _link(request: Request, **changes) -> str:
    params = {**dict(request.query_params), **{k: str(v) for k, v in changes.items()}}
    return f"{str(request.base_url).rstrip('/')}{request.url.path}?{urlencode(params)}"


def _json(body: dict) -> Response:
    return Response(
        content=json.dumps(body, ensure_ascii=False, default=ocds.as_json),
        media_type="application/json",
    )


def _refused(exc: DomainError) -> ValidationException:
    return ValidationException(detail=f"{exc.code}: {exc}")


@get("/ocds/releases")
async def ocds_releases(
    request: Request,
    region: FromQuery[str | None] = None,
    since: FromQuery[date | None] = None,
    until: FromQuery[date | None] = None,
    after: AfterId = 0,
    limit: FromQuery[int] = PAGE,
) -> Response:
    """Every published stage as an OCDS 1.1 release, oldest first; `links.next` pages on.
    region: a region code and its subtree; since / until: publication dates."""
    try:
        rows, suppliers, more = await service.ocds_notices(region, since, until, after, limit)
    except DomainError as exc:
        raise _refused(exc) from None
    releases = [ocds.release(r, s) for r, s in zip(rows, suppliers, strict=True)]
    next_uri = _link(request, after=rows[-1]["id"]) if more else None
    return _json(ocds.package("releases", str(request.url), releases, next_uri))


@get("/ocds/records")
async def ocds_records(
    request: Request,
    region: FromQuery[str | None] = None,
    since: FromQuery[date | None] = None,
    until: FromQuery[date | None] = None,
    after: FromQuery[str] = "",
    limit: FromQuery[int] = PAGE,
) -> Response:
    """One OCDS record per contracting process: its releases and the compiled release."""
    try:
        grouped, more = await service.ocds_processes(region, since, until, after, limit)
    except DomainError as exc:
        raise _refused(exc) from None
    records = []
    for ocid, notices in grouped.items():
        releases = [ocds.release(r, s) for r, s in notices]
        records.append(
            {"ocid": ocid, "releases": releases, "compiledRelease": ocds.merge(releases)}
        )
    next_uri = _link(request, after=records[-1]["ocid"]) if more and records else None
    return _json(ocds.package("records", str(request.url), records, next_uri))
