"""The public serious-violation list on the portal (public by law): a page in the portal's
frame at /credit/serious-violations, over the same service as the `seriousViolations` field."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery

from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.credit.service import records
from gpcloud.portal import pages

PAGE_SIZE = 50


@get("/credit/serious-violations", include_in_schema=False)
async def serious_violations(after: FromQuery[str | None] = None) -> Response:
    try:
        found = await records.serious_violations(PAGE_SIZE, after)
    except DomainError as exc:
        raise NotFoundException(str(exc)) from None
    tree = await tenant_tree()
    province = tree.root
    regions = [(province, tree.nodes[province].name)] + [
        (c, tree.nodes[c].name) for c in sorted(tree.children.get(province, []))
    ]
    html = pages.templates.get_template("serious_violations.html").render(
        site=pages.SITE,
        regions=regions,
        region=None,
        heading="政府采购严重违法失信行为记录名单",
        entries=found.rows,
        next="/credit/serious-violations?" + urlencode({"after": found.end_cursor})
        if found.has_next_page
        else None,
    )
    return Response(content=html, media_type="text/html; charset=utf-8")


ROUTES = [serious_violations]
