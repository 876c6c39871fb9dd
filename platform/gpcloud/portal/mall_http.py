"""The e-mall's contracting processes as OCDS open data: release and record packages of orders,
reverse auctions, group buys and framework agreements (issue 17). The releases are mapped by
the e-mall (emall/ocds.py); packaged and compiled here by the portal's builder (portal/ocds.py).
Public and paginated like /ocds/releases; `kind` picks the process kind (each has its own
ocids), `region` a region code and its subtree."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.params import FromQuery

from gpcloud.core.bad_requests import AfterId
from gpcloud.core.errors import DomainError
from gpcloud.emall.service import open_data
from gpcloud.portal import ocds
from gpcloud.portal.http import PAGE, _json, _link, _refused


async def _page(kind: str, region: str | None, after: int, limit: int):
    try:
        return await open_data.processes(kind, region, after, limit)
    except DomainError as exc:
        raise _refused(exc) from None


@get("/ocds/mall/releases")
async def mall_ocds_releases(
    request: Request,
    kind: FromQuery[str] = "orders",
    region: FromQuery[str | None] = None,
    after: AfterId = 0,
    limit: FromQuery[int] = PAGE,
) -> Response:
    """The releases of a page of e-mall processes of one kind, each process's oldest first."""
    found, last = await _page(kind, region, after, limit)
    releases = [r for _, rs in found for r in rs]
    next_uri = _link(request, after=last) if last is not None else None
    return _json(ocds.package("releases", str(request.url), releases, next_uri))


@get("/ocds/mall/records")
async def mall_ocds_records(
    request: Request,
    kind: FromQuery[str] = "orders",
    region: FromQuery[str | None] = None,
    after: AfterId = 0,
    limit: FromQuery[int] = PAGE,
) -> Response:
    """One OCDS record per e-mall process: its releases and the compiled release."""
    found, last = await _page(kind, region, after, limit)
    records = [
        {"ocid": ocid, "releases": releases, "compiledRelease": ocds.merge(releases)}
        for ocid, releases in found
    ]
    next_uri = _link(request, after=last) if last is not None else None
    return _json(ocds.package("records", str(request.url), records, next_uri))
