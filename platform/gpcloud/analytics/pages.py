"""The finance department's dashboard (区域统计分析, logged in): every indicator of a region within
the caller's (a county its own, a city itself and its counties, the province all), charts each
beside an accessible table, the region's open red flags, drill-down links to the regions below,
and the same tables as XLSX and CSV.

Signed in like every other logged-in endpoint (a bearer token, as /jobs/{id}/result): the
request's scope is the caller's, narrowed to the region shown, so that the figures, the flags
and the region list come from that subtree only. A region outside the caller's is 403, not a
page of zeros. The page is never cached (Cache-Control: no-store): it holds non-public figures.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.params import FromQuery

from gpcloud.analytics.catalogue import CATALOGUE
from gpcloud.analytics.render import label, templates
from gpcloud.analytics.service import export, indicators, redflags
from gpcloud.analytics.service.indicators import Filters
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.context import authenticate
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree

PATH = "/analytics/region"
CHARTS = (
    ("spend", "month", "bar", "采购金额（元），按月"),
    ("spend", "region", "bar", "采购金额（元），按地区"),
    ("spend", "method", "doughnut", "采购金额（元），按采购方式"),
    ("spend", "category", "bar", "采购金额（元），按品目"),
    ("sme_share", "region", "bar", "中小企业份额，按地区"),
    ("single_bid_share", "method", "bar", "单一投标占比，按采购方式"),
    ("challenge_rate", "region", "bar", "质疑率，按地区"),
    ("red_flags", "region", "bar", "风险提示数，按地区"),
    ("hhi", "category", "bar", "赫芬达尔指数，按品目"),
)
GROUPS = {
    "spend": "采购规模",
    "savings": "节支",
    "sme": "中小企业",
    "policy": "节能环保",
    "competition": "竞争",
    "timeliness": "时效",
    "integrity": "廉洁风险",
    "remedies": "质疑投诉",
    "finance": "金融服务",
    "concentration": "市场集中度",
    "credit": "诚信",
    "emall": "电子卖场",
}
FLAGS_SHOWN = 50
NO_STORE = {"cache-control": "no-store", "vary": "authorization"}


async def _caller(request: Request) -> CurrentUser:
    user, _scope, error = await authenticate(request)
    if user is None:
        raise NotAuthorizedException(str(error) if error else "send a bearer token")
    if not user.can(Perm.ANALYTICS_READ):
        raise PermissionDeniedException(f"needs the permission {Perm.ANALYTICS_READ}")
    return user


def _filters(user: CurrentUser, region, year, month, dimension, value) -> Filters:
    """The query's filters; `month` as the form sends it ("" for the whole year)."""
    month = (month or "").strip()
    if month and not month.isdigit():
        raise NotFoundException("month: a number from 1 to 12")
    f = Filters(
        region or user.tenant,
        year or today().year,
        dimension or "all",
        (value or "").strip(),
        int(month) if month else None,
    )
    try:
        indicators.check_filters(f)
    except DomainError as exc:
        raise NotFoundException(str(exc)) from None
    if not user.in_region(f.region):
        raise PermissionDeniedException(f"region {f.region} is outside yours ({user.tenant})")
    return f


async def _page(user: CurrentUser, f: Filters) -> dict:
    """Everything the page shows, read in the scope of the region shown."""
    tree = await tenant_tree()
    if tree.get(f.region) is None:
        raise NotFoundException(f"no region {f.region}")
    with use_scope(tree.scope_for(f.region, user_id=user.id)):
        try:
            values = await indicators.dashboard(user, f)
            charts = []
            for n, (ind, by, kind, title) in enumerate(CHARTS):
                if f.dim not in ("all", by) and by not in ("month", "region"):
                    continue  # a dimension filter: no series by another dimension
                points = await indicators.series(user, ind, by, f)
                rows = [(label(by, p), p.value) for p in points if p.value is not None]
                charts.append({"id": f"chart{n}", "kind": kind, "title": title, "rows": rows})
            flags = await redflags.search(user, None, "open", f.year, FLAGS_SHOWN, None)
        except DomainError as exc:
            if exc.code == "FORBIDDEN":
                raise PermissionDeniedException(str(exc)) from None
            raise NotFoundException(str(exc)) from None
    below = sorted(c for c in tree.subtree(f.region) if tree.ancestors(c)[:1] == [f.region])
    mine = sorted(tree.subtree(user.tenant))
    return {
        "values": values,
        "charts": charts,
        "flags": flags.rows,
        "more_flags": flags.has_next_page,
        "below": [(c, tree.name_of(c)) for c in below],
        "places": [(c, tree.name_of(c)) for c in mine],
        "up": next((a for a in tree.ancestors(f.region)[:1] if user.in_region(a)), None),
        "region_names": {c: tree.name_of(c) for c in mine},
    }


def _query(f: Filters, **more) -> str:
    params = {"region": f.region, "year": f.year}
    if f.month:
        params["month"] = f.month
    if f.dim != "all":
        params |= {"dimension": f.dim, "value": f.value}
    return urlencode({**params, **more})


@get(PATH, include_in_schema=False)
async def region_dashboard(
    request: Request,
    region: FromQuery[str | None] = None,
    year: FromQuery[int | None] = None,
    month: FromQuery[str | None] = None,
    dimension: FromQuery[str | None] = None,
    value: FromQuery[str | None] = None,
) -> Response:
    user = await _caller(request)
    f = _filters(user, region, year, month, dimension, value)
    page = await _page(user, f)
    tree = await tenant_tree()
    data = {
        c["id"]: {
            "kind": c["kind"],
            "labels": [r[0] for r in c["rows"]],
            "values": [float(r[1]) for r in c["rows"]],
        }
        for c in page["charts"]
    }
    sections = []
    for group, title in GROUPS.items():
        rows = [v for v in page["values"] if v.indicator.group == group]
        if rows:
            sections.append((title, rows))
    html = templates.get_template("region.html").render(
        f=f,
        region_name=tree.name_of(f.region),
        user=user,
        years=range(today().year, today().year - 5, -1),
        sections=sections,
        data=json.dumps(data, ensure_ascii=False).replace("</", "<\\/"),
        query=lambda **more: _query(f, **more),
        catalogue_size=len(CATALOGUE),
        **page,
    )
    return Response(html, media_type="text/html; charset=utf-8", headers=NO_STORE)


async def _export(request: Request, region, year, month, dimension, value, kind: str):
    user = await _caller(request)
    f = _filters(user, region, year, month, dimension, value)
    tree = await tenant_tree()
    if tree.get(f.region) is None:
        raise NotFoundException(f"no region {f.region}")
    user.require(Perm.ANALYTICS_READ, region=f.region)
    with use_scope(tree.scope_for(f.region, user_id=user.id)):
        sheets = await export.tables(f)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"analytics-{f.region}-{f.year}.{kind}"
        if kind == "xlsx":
            export.write_xlsx(path, sheets)
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            export.write_long_csv(path, sheets)
            media = "text/csv; charset=utf-8"
        body = path.read_bytes()
    return Response(
        body,
        media_type=media,
        headers={**NO_STORE, "content-disposition": f'attachment; filename="{path.name}"'},
    )


@get(f"{PATH}/export.xlsx", include_in_schema=False)
async def region_export_xlsx(
    request: Request,
    region: FromQuery[str | None] = None,
    year: FromQuery[int | None] = None,
    month: FromQuery[str | None] = None,
    dimension: FromQuery[str | None] = None,
    value: FromQuery[str | None] = None,
) -> Response:
    """The page's indicator tables as an XLSX workbook (native charts), same filters."""
    return await _export(request, region, year, month, dimension, value, "xlsx")


@get(f"{PATH}/export.csv", include_in_schema=False)
async def region_export_csv(
    request: Request,
    region: FromQuery[str | None] = None,
    year: FromQuery[int | None] = None,
    month: FromQuery[str | None] = None,
    dimension: FromQuery[str | None] = None,
    value: FromQuery[str | None] = None,
) -> Response:
    """The same tables as one long CSV."""
    return await _export(request, region, year, month, dimension, value, "csv")


ROUTES = [region_dashboard, region_export_xlsx, region_export_csv]
