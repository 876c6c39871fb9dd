"""The public website at /: server-rendered pages over the same portal service as the API.
No JavaScript needed; usable on a phone (responsive CSS in static/portal.css)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.static_files import create_static_files_router

from gpcloud.core.bad_requests import RowId
from gpcloud.core.clock import LEGAL_TZ
from gpcloud.core.errors import DomainError
from gpcloud.core.money import format_wan, format_yuan, to_yuan_or_none
from gpcloud.core.tenancy.config import effective_config
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.portal import legacy, service
from gpcloud.portal.tables import KIND_LABELS, METHOD_LABELS

SITE = "广东政府采购智慧云平台"
HOME_ITEMS = 8
templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
templates.filters["yuan"] = format_yuan
templates.filters["wan"] = format_wan


@dataclass(frozen=True)
class View:
    id: int
    kind: str
    title: str
    body: str
    published_on: object
    region_code: str
    region: str
    purchaser_name: str
    agency_name: str
    method: str
    amount: Decimal | None


async def _views(rows: list[dict]) -> list[View]:
    tree = await tenant_tree()
    return [
        View(
            id=r["id"],
            kind=r["kind"],
            title=r["title"],
            body=r["body"],
            published_on=r["published_on"],
            region_code=r["tenant_id"],
            region=tree.name_of(r["tenant_id"]),
            purchaser_name=r["purchaser_name"],
            agency_name=r["agency_name"],
            method=r["method"],
            amount=to_yuan_or_none(r["amount_fen"]),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Place:
    """A region of the selector and the home page's tree: cities hold their counties."""

    code: str
    name: str
    children: tuple[Place, ...] = ()


def region_tree(tree, code: str) -> Place:
    return Place(
        code,
        tree.nodes[code].name,
        tuple(region_tree(tree, c) for c in sorted(tree.children.get(code, []))),
    )


async def _page(template: str, region: str | None = None, **context) -> Response:
    tree = await tenant_tree()
    province = tree.root
    html = templates.get_template(template).render(
        site=SITE,
        footer=await footer(province),
        places=region_tree(tree, province),
        kinds=KIND_LABELS,
        methods=METHOD_LABELS,
        region=region,
        highlight=service.highlight,
        **context,
    )
    return Response(content=html, media_type="text/html; charset=utf-8")


async def footer(province: str) -> dict:
    """主办单位, support phone and 备案号 from the province's config (`portal`, `contacts`)."""
    values = (await effective_config(province)).values
    portal, contacts = values.get("portal") or {}, values.get("contacts") or {}
    return {
        "host": portal.get("host", ""),
        "icp": portal.get("icp", ""),
        "office": contacts.get("office", ""),
        "phone": contacts.get("phone", ""),
    }


async def _home(region: str | None) -> Response:
    found = await service.latest_of_each(region, tuple(KIND_LABELS), HOME_ITEMS)
    latest = [(kind, await _views(rows)) for kind, rows in found.items()]
    tree = await tenant_tree()
    heading = f"{tree.nodes[region].name}政府采购" if region else "最新公告"
    return await _page(
        "home.html",
        region=region,
        latest=latest,
        heading=heading,
        migrations=await legacy.batches() if region is None else [],
    )


@get("/", include_in_schema=False)
async def home() -> Response:
    return await _home(None)


@get("/regions/{code:str}", include_in_schema=False)
async def region_page(code: FromPath[str]) -> Response:
    if (await tenant_tree()).get(code) is None:
        raise NotFoundException("no such region")
    return await _home(code)


@get("/notices", include_in_schema=False)
async def notice_list(
    q: FromQuery[str | None] = None,
    region: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
    after: FromQuery[str | None] = None,
) -> Response:
    region, kind = region or None, kind or None
    try:
        found = await service.find(
            service.NoticeFilter(region=region, kinds=(kind,) if kind else (), search=q), 20, after
        )
    except DomainError as exc:
        raise NotFoundException(str(exc)) from None
    params = {k: v for k, v in (("q", q), ("region", region), ("kind", kind)) if v}
    next_url = (
        "/notices?" + urlencode({**params, "after": found.end_cursor})
        if found.has_next_page
        else None
    )
    heading = f"检索：{q}" if q else KIND_LABELS.get(kind or "", "全部公告")
    return await _page(
        "list.html",
        region=region,
        q=q,
        kind=kind,
        terms=found.terms,
        notices=await _views(found.rows),
        next=next_url,
        heading=heading,
    )


@get("/notices/{notice_id:int}", include_in_schema=False)
async def notice_detail(notice_id: RowId) -> Response:
    try:
        row = await service.get(notice_id)
    except DomainError:
        raise NotFoundException("no such notice") from None
    (notice,) = await _views([row])
    suppliers = [
        {
            "name": s["name"],
            "amount": to_yuan_or_none(s["amount_fen"]),
        }
        for s in (await service.suppliers_of([notice_id]))[0]
    ]
    chain = await _views(await service.chain(row))
    # A result of sealed bidding carries its opening record (开标记录), public from then on.
    details = json.loads(row["details"] or "{}")
    opening = [
        {**b, "price": to_yuan_or_none(b.get("price_fen"))} for b in details.get("bids") or []
    ]
    return await _page(
        "detail.html",
        region=None,
        notice=notice,
        suppliers=suppliers,
        chain=chain,
        opening=opening,
        opening_results=OPENING_RESULTS,
        experts=service.named_experts(row),
        evaluations=service.evaluations_of(row),
        failed_lots=[lot for lot in details.get("lots") or [] if lot["status"] == "failed"],
        # A prequalification notice: what applicants must show, and until when they apply.
        requirements=[r.get("item", "") for r in details.get("requirements") or []],
        applications_due=_local_time(details.get("applications_due_at")),
    )


def _local_time(value: str | None) -> str:
    """An instant of the notice's details as Beijing time (YYYY-MM-DD HH:MM)."""
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(LEGAL_TZ).strftime("%Y-%m-%d %H:%M")


OPENING_RESULTS = {
    "opened": "已解密",
    "revoked": "视为撤销",
    "withdrawn": "视为撤回",
    "not_opened": "本包投标人不足，未开标",
}


# The pages' stylesheet: served by the app itself, the only thing their CSP lets them load.
static = create_static_files_router(
    path="/static", directories=[Path(__file__).parent / "static"], include_in_schema=False
)

ROUTES = [home, region_page, notice_list, notice_detail, static]
