"""The public analytics summary page (公开统计): the public indicators of a region and year,
each chart beside an accessible table holding the same numbers. Charts are drawn by Chart.js,
vendored under static/vendor and served by the app (no CDN: government networks); the page's
own script reads the figures from a JSON block, so the policy needs no inline script."""

from __future__ import annotations

import json
from pathlib import Path

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.static_files import create_static_files_router

from gpcloud.analytics import pages
from gpcloud.analytics.render import label as _label
from gpcloud.analytics.render import templates
from gpcloud.analytics.service import indicators
from gpcloud.analytics.service.indicators import Filters
from gpcloud.core.clock import today
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.service import tenant_tree

CHARTS = (
    ("spend", "month", "bar", "采购金额（元），按月"),
    ("spend", "method", "doughnut", "采购金额（元），按采购方式"),
    ("spend", "object_type", "doughnut", "采购金额（元），按对象类型"),
    ("spend", "region", "bar", "采购金额（元），按地区"),
    ("sme_share", "region", "bar", "中小企业份额，按地区"),
    ("single_bid_share", "method", "bar", "单一投标占比，按采购方式"),
)


@get("/analytics", include_in_schema=False)
async def summary(
    region: FromQuery[str | None] = None, year: FromQuery[int | None] = None
) -> Response:
    tree = await tenant_tree()
    region = region or tree.root
    f = Filters(region, year or today().year)
    try:
        indicators.check_filters(f)
        values = await indicators.dashboard(None, f, public=True)
        charts = []
        for n, (ind, by, kind, title) in enumerate(CHARTS):
            points = await indicators.series(None, ind, by, f, public=True)
            rows = [(_label(by, p), p.value) for p in points if p.value is not None]
            charts.append({"id": f"chart{n}", "kind": kind, "title": title, "rows": rows})
    except DomainError as exc:
        raise NotFoundException(str(exc)) from None
    data = {
        c["id"]: {
            "kind": c["kind"],
            "labels": [r[0] for r in c["rows"]],
            "values": [float(r[1]) for r in c["rows"]],
        }
        for c in charts
    }
    node = tree.get(region)
    cities = [tree.get(c) for c in sorted(tree.subtree(tree.root)) if c != tree.root]
    html = templates.get_template("dashboard.html").render(
        region=region,
        region_name=node.name if node else region,
        year=f.year,
        years=range(today().year, today().year - 5, -1),
        places=[p for p in cities if p is not None],
        values=values,
        charts=charts,
        data=json.dumps(data, ensure_ascii=False).replace("</", "<\\/"),
    )
    return Response(html, media_type="text/html; charset=utf-8")


static = create_static_files_router(
    path="/analytics/static",
    directories=[Path(__file__).parent / "static"],
    include_in_schema=False,
)

ROUTES = [summary, static, *pages.ROUTES]
