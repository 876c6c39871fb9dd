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
from gpcloud.portal import legacy_ocds, ocds, service

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
    kept = await legacy_ocds.stored([r["id"] for r in rows])
    releases = [_release(r, s, kept) for r, s in zip(rows, suppliers, strict=True)]
    next_uri = _link(request, after=rows[-1]["id"]) if more else None
    extensions = [e for r in rows if r["id"] in kept for e in kept[r["id"]][1]]
    return _json(ocds.package("releases", str(request.url), releases, next_uri, extensions))


def _release(row: dict, suppliers: list[dict], kept: dict) -> dict:
    """An imported release as published; gpcloud's own from its notice."""
    return kept[row["id"]][0] if row["id"] in kept else ocds.release(row, suppliers)


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
    kept = await legacy_ocds.stored([r["id"] for n in grouped.values() for r, _ in n])
    records = []
    for ocid, notices in grouped.items():
        releases = [_release(r, s, kept) for r, s in notices]
        records.append(
            {"ocid": ocid, "releases": releases, "compiledRelease": ocds.merge(releases)}
        )
    next_uri = _link(request, after=records[-1]["ocid"]) if more and records else None
    extensions = [e for found in kept.values() for e in found[1]]
    return _json(ocds.package("records", str(request.url), records, next_uri, extensions))
