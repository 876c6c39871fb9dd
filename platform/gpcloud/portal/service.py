"""Publishing to the portal, and the public reads of it.

`publish()` receives what the services that own a publication (intentions, plans, announcements,
contracts, acceptance) hand to gpcloud.core.publishing inside their own transaction, and the
editorial articles. Reads are public: they
opt out of the tenant scope explicitly and read notices only, filtered by region subtree.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from piccolo.columns.combination import WhereRaw

from gpcloud.core.batch import row_lists_by_key
from gpcloud.core.db import any_of, read_rows
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.pagination import (
    bad_cursor,
    check_page_size,
    pack_cursor,
    pack_cursor_sql,
    unpack_cursor,
)
from gpcloud.core.publishing import Publication, notices_changed
from gpcloud.core.search import match, match_columns
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.portal.tables import KINDS, Notice, NoticeSupplier
from gpcloud.portal.text import index_terms, query_terms
from gpcloud.settings import get_settings

PUBLIC = "portal: published notices are public"
SEARCH_WINDOW = 500  # a search pages through at most this many results (refine it for more)
SEARCH_SAMPLE = 1000  # newest notices a search reads first, to see how common its words are
SEARCH_SCAN = 20000  # most notices it reads in date order; rarer words go to the index
LATEST = '"notice".published_on DESC, "notice".published_at DESC, "notice".id DESC'
# published_at as the API writes it (Python's isoformat() of the UTC datetime asyncpg returns),
# in SQL: for the JSON and the cursors PostgreSQL writes (core/graphql/projection.py).
PUBLISHED_AT_ISO = (
    """to_char("notice".published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')"""
    """ || CASE WHEN extract(microseconds FROM "notice".published_at)::bigint % 1000000"""
    """ = 0 THEN '' ELSE to_char("notice".published_at AT TIME ZONE 'UTC', '.US') END"""
    """ || '+00:00'"""
)
# A page's cursor (see `find`), in SQL.
LATEST_CURSOR = pack_cursor_sql(
    "t", """to_char("notice".published_on, 'YYYY-MM-DD')""", PUBLISHED_AT_ISO, '"notice".id'
)
# What a read returns: every column but the segmented text, which only the index needs.
READ = [c for c in Notice._meta.columns if c is not Notice.search_text]
COLUMNS = ", ".join(f'"notice"."{c._meta.db_column_name}"' for c in READ)


def ocid_of(tenant: str, intention_id: int | None, plan_id: int | None) -> str:
    """One contracting process per intention (or per plan declared without one)."""
    if intention_id is None and plan_id is None:
        return ""
    local = f"I{intention_id}" if intention_id is not None else f"P{plan_id}"
    return f"{get_settings().ocid_prefix}-{tenant}-{local}"


async def publish(item: Publication) -> int:
    """Write the notice (idempotent by source: publishing the same thing twice is one notice)."""
    if item.kind not in KINDS:
        raise ValueError(item.kind)
    tree = await tenant_tree()
    with all_tenants("portal: a notice belongs to the region of what it publishes"):
        existing = await Notice.select(Notice.id).where(Notice.source == item.source).first()
        if existing:
            return existing["id"]
        notice = Notice(
            tenant_id=item.tenant,
            city_code=tree.city_of(item.tenant),
            kind=item.kind,
            source=item.source,
            title=item.title[:200],
            body=item.body,
            published_on=item.published_on,
            published_at=datetime.now(UTC),
            method=item.method,
            category_code=item.category_code,
            object_type=item.object_type,
            purchaser_id=item.purchaser_id,
            purchaser_name=item.purchaser_name,
            agency_id=item.agency_id,
            agency_name=item.agency_name,
            amount_fen=item.amount_fen,
            intention_id=item.intention_id,
            plan_id=item.plan_id,
            ocid=ocid_of(item.tenant, item.intention_id, item.plan_id),
            details=json.dumps(item.details, ensure_ascii=False, default=str),
            search_text=index_terms(
                item.title,
                item.body,
                item.purchaser_name,
                item.agency_name,
                *(s.name for s in item.suppliers),
            ),
        )
        await notice.save()
        if item.suppliers:
            await NoticeSupplier.insert(
                *(
                    NoticeSupplier(
                        tenant_id=item.tenant,
                        notice=notice.id,
                        organisation_id=s.organisation_id,
                        name=s.name,
                        amount_fen=s.amount_fen,
                    )
                    for s in item.suppliers
                )
            )
        await notices_changed()
        return notice.id


@dataclass(frozen=True)
class NoticeFilter:
    region: str | None = None
    kinds: tuple[str, ...] = ()
    method: str | None = None
    category: str | None = None
    purchaser_id: int | None = None
    agency_id: int | None = None
    supplier_id: int | None = None
    min_amount_fen: int | None = None
    max_amount_fen: int | None = None
    published_from: date | None = None
    published_to: date | None = None
    search: str | None = None


@dataclass
class Found:
    rows: list[dict]
    has_next_page: bool
    end_cursor: str | None
    terms: list[str] = field(default_factory=list)
    cursors: list[str | None] = field(default_factory=list)  # None: the response shows none


def _offset(cursor: str | None) -> int:
    """Search pages: the number of results before the page."""
    if cursor is None:
        return 0
    (value,) = unpack_cursor(cursor, "s", 1)
    try:
        offset = int(value)
        if not 0 <= offset <= SEARCH_WINDOW:
            raise ValueError
        return offset
    except ValueError:
        raise bad_cursor() from None


def _position(cursor: str) -> tuple[date, datetime, int]:
    """List pages: the (published_on, published_at, id) of the last notice before the page."""
    day, at, ident = unpack_cursor(cursor, "t", 3)
    try:
        return date.fromisoformat(day), datetime.fromisoformat(at), int(ident)
    except ValueError:
        raise bad_cursor() from None


# Migrated notices are public once their batch completed (seed, 九(一)): one subquery on the
# small batch table, so a batch that completes in the worker opens its year at once everywhere.
VISIBLE = (
    '("notice".legacy_batch IS NULL OR "notice".legacy_batch IN '
    "(SELECT id FROM legacy_batch WHERE status = 'completed'))"
)


def _visible() -> WhereRaw:
    return WhereRaw(VISIBLE)


async def _conditions(flt: NoticeFilter) -> tuple[list[str], list[object]]:
    where = [VISIBLE]
    params: list[object] = []
    for column, values in await _region(flt.region):
        where.append(f'"notice".{column} IN ({", ".join("{}" for _ in values)})')
        params += values
    if flt.kinds:
        unknown = [k for k in flt.kinds if k not in KINDS]
        if unknown:
            raise DomainError("UNKNOWN_KIND", f"no notice kind {unknown[0]}", "kinds")
        where.append(f'"notice".kind IN ({", ".join("{}" for _ in flt.kinds)})')
        params += list(flt.kinds)
    for column, value in (
        ("method", flt.method),
        ("purchaser_id", flt.purchaser_id),
        ("agency_id", flt.agency_id),
    ):
        if value is not None:
            where.append(f'"notice".{column} = {{}}')
            params.append(value)
    if flt.category:
        where.append('"notice".category_code LIKE {}')
        params.append(re.sub(r"[%_\\]", "", flt.category) + "%")
    if flt.supplier_id is not None:
        where.append(
            '"notice".id IN (SELECT notice FROM notice_supplier WHERE organisation_id = {})'
        )
        params.append(flt.supplier_id)
    for op, value in (
        (">=", flt.min_amount_fen),
        ("<=", flt.max_amount_fen),
    ):
        if value is not None:
            where.append(f'"notice".amount_fen {op} {{}}')
            params.append(value)
    for op, value in ((">=", flt.published_from), ("<=", flt.published_to)):
        if value is not None:
            where.append(f'"notice".published_on {op} {{}}')
            params.append(value)
    return where, params


async def latest_of_each(region: str | None, kinds: tuple[str, ...], n: int) -> dict[str, list]:
    """The `n` latest notices of each kind in `region`'s subtree, in one statement (the home
    page): one index range per kind, joined by UNION ALL."""
    parts, params = [], []
    for kind in kinds:
        where, values = await _conditions(NoticeFilter(region=region, kinds=(kind,)))
        parts.append(
            f'SELECT * FROM (SELECT {COLUMNS} FROM "notice" WHERE {" AND ".join(where)} '
            f"ORDER BY {LATEST} LIMIT {int(n)}) AS latest_{len(parts)}"
        )
        params += values
    with all_tenants(PUBLIC, audited=False):
        rows = await read_rows(Notice, " UNION ALL ".join(parts), *params) if parts else []
    found: dict[str, list] = {kind: [] for kind in kinds}
    for row in rows:
        found[row["kind"]].append(row)
    return found


async def find(
    flt: NoticeFilter,
    first: int | None,
    after: str | None,
    projected: tuple[str, str] | None = None,
    cursors: bool = True,
) -> Found:
    """Latest first; with `search`, best match first (then latest). `projected`: the rows are
    `projected_json` and `projected_null`, from these two select expressions, and the cursor
    (core/graphql/projection.py: PostgreSQL's SQL). Without `cursors` (the response shows
    none) the rows have none: a third of the database's work for a projected page."""
    size = check_page_size(first)
    where, params = await _conditions(flt)
    search = (flt.search or "").strip()
    terms = query_terms(search) if search else []
    if search and not terms:  # nothing searchable in it
        return Found([], False, None, [])
    columns = COLUMNS
    if projected is not None:
        json_sql, null_sql = projected
        columns = f"{json_sql} AS projected_json, ({null_sql}) AS projected_null"
        if cursors and not terms:  # a search page's cursors are its positions
            columns += f", {LATEST_CURSOR} AS projected_cursor"
    if terms:
        offset = _offset(after)
        ids = await _search_window(where, params, terms)
        if not ids:
            return Found([], False, None, terms)
        _, rank, value = match("notice", "search_text", terms)
        sql = (
            f'SELECT {columns} FROM "notice" WHERE "notice".id IN ({", ".join("{}" for _ in ids)})'
            f" ORDER BY {rank}, {LATEST} LIMIT {size + 1} OFFSET {offset}"
        )
        params = [*ids, *([value] * rank.count("{}"))]
    else:
        if after:
            day, moment, ident = _position(after)
            where.append(
                '("notice".published_on, "notice".published_at, "notice".id) < ({}, {}, {})'
            )
            params += [day, moment, ident]
        sql = f'SELECT {columns} FROM "notice" WHERE ' + " AND ".join(where)
        sql += f" ORDER BY {LATEST} LIMIT {size + 1}"
    with all_tenants(PUBLIC, audited=False):
        rows = await read_rows(Notice, sql, *params)
    has_next = len(rows) > size
    rows = rows[:size]
    if not cursors:
        written = [None] * len(rows)
    elif terms:
        written = [pack_cursor("s", offset + i + 1) for i in range(len(rows))]
    elif projected is not None:
        written = [r["projected_cursor"] for r in rows]
    else:
        written = [
            pack_cursor(
                "t", r["published_on"], _as_datetime(r["published_at"]).isoformat(), r["id"]
            )
            for r in rows
        ]
    return Found(rows, has_next, written[-1] if written else None, terms, written)


async def _search_window(where: list[str], params: list[object], terms: list[str]) -> list[int]:
    """The ids of the newest SEARCH_WINDOW matches, which relevance then ranks: bounded work
    however common the words are, and results stay recent.

    Common words are found fastest by reading the newest notices in date order and keeping the
    matches; rarer ones through the full-text index, whose cost grows with the matches. The
    planner cannot tell which a query is (words in titles are correlated, so it underestimates
    the matches and takes the index, then sorts them all), so we look: the newest SEARCH_SAMPLE
    notices tell how common the words are, and the reading goes on only while it would stay
    under SEARCH_SCAN notices."""
    condition, _, value = match("notice", "search_text", terms)
    columns = ", ".join(
        f'"notice"."{c}"'
        for c in ("id", "published_on", "published_at", *match_columns("search_text"))
    )

    def newest(count: int) -> str:
        read = (
            f'SELECT {columns} FROM "notice" WHERE '
            + " AND ".join(where)
            + f" ORDER BY {LATEST} LIMIT {count}"
        )
        return (
            f'SELECT "notice".id FROM ({read}) AS "notice" WHERE {condition}'
            f" ORDER BY {LATEST} LIMIT {SEARCH_WINDOW}"
        )

    indexed = (
        'SELECT "notice".id FROM "notice" WHERE '
        + " AND ".join([*where, condition])
        + f" ORDER BY {LATEST} LIMIT {SEARCH_WINDOW}"
    )
    with all_tenants(PUBLIC, audited=False):
        rows = await Notice.raw(newest(SEARCH_SAMPLE), *params, value)
        if rows and len(rows) < SEARCH_WINDOW:
            # Enough notices to hold the window at the sample's rate, twice over.
            enough = 2 * SEARCH_WINDOW * SEARCH_SAMPLE // len(rows)
            if enough <= SEARCH_SCAN:
                rows = await Notice.raw(newest(enough), *params, value)
        if len(rows) < SEARCH_WINDOW:
            rows = await Notice.raw(indexed, *params, value)
    return [r["id"] for r in rows]


def _as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value))


async def get(notice_id: int) -> dict:
    visible = _visible()
    with all_tenants(PUBLIC, audited=False):
        row = await Notice.select(*READ).where((Notice.id == notice_id) & visible).first()
    if row is None:
        raise NotFound("notice", notice_id)
    return row


async def chain(row: dict) -> list[dict]:
    """The notices of the same contracting process (ocid): its intention, plan, announcements,
    contract, acceptance, oldest first."""
    return (await chains([row["ocid"]]))[0] if row["ocid"] else [row]


async def chains(ocids: list[str]) -> list[list[dict]]:
    """The chains of several contracting processes in one query (a dataloader's batch)."""
    visible = _visible()
    with all_tenants(PUBLIC, audited=False):
        rows = await (
            Notice.select(*READ)
            .where(any_of(Notice.ocid, ocids) & visible)
            .order_by(Notice.published_on)
            .order_by(Notice.id)
        )
    grouped: dict[str, list[dict]] = {}
    for r in rows:
        grouped.setdefault(r["ocid"], []).append(r)
    return [grouped.get(o, []) for o in ocids]


async def suppliers_of(notice_ids: list[int]) -> list[list[dict]]:
    with all_tenants(PUBLIC, audited=False):
        return await row_lists_by_key(NoticeSupplier, NoticeSupplier.notice)(notice_ids)


def named_experts(row: dict) -> list[str]:
    """The evaluation experts a result notice names (Implementing Regulation art. 43)."""
    return json.loads(row["details"] or "{}").get("experts") or []


def evaluations_of(row: dict) -> list[dict]:
    """What a result notice publishes of each evaluation: method, the winner's evaluated
    price and total score, valid and invalid bids (transaction/service.py `_evaluated`)."""
    return json.loads(row["details"] or "{}").get("evaluations") or []


def highlight(text: str, terms: list[str], width: int = 160) -> str:
    """An HTML-escaped excerpt around the first match, with every term in <mark>."""
    if not text:
        return ""
    lower = text.lower()
    first = min((lower.find(t) for t in terms if t in lower), default=0)
    start = max(0, first - width // 4)
    excerpt = text[start : start + width]
    escaped = html.escape(excerpt)
    if terms:
        pattern = "|".join(re.escape(html.escape(t)) for t in sorted(terms, key=len, reverse=True))
        escaped = re.sub(pattern, lambda m: f"<mark>{m.group(0)}</mark>", escaped, flags=re.I)
    return ("…" if start else "") + escaped + ("…" if start + width < len(text) else "")


MAX_OCDS_PAGE = 500
# Records compile every release of each process (ocdsmerge: 5 ms for a 6-release record): an
# anonymous page of 500 took 1.2 s, so records page by at most 100 (0.13 s).
MAX_OCDS_RECORDS = 100


async def _region(region: str | None) -> list[tuple[str, list[str]]]:
    """The conditions (column IN values) for a region and its subtree. The province needs none;
    a city is one value of city_code (its counties' notices carry it too); a county is its
    subtree within its city, so the city_code indexes serve it as well."""
    if region is None:
        return []
    tree = await tenant_tree()
    node = tree.get(region)
    if node is None:
        raise DomainError("UNKNOWN_REGION", f"no region {region}", "region")
    if node.parent is None:
        return []
    city = tree.city_of(region)
    if city == region:
        return [("city_code", [city])]
    return [("city_code", [city]), ("tenant_id", sorted(tree.subtree(region)))]


async def _ocds_query(
    region: str | None,
    since: date | None,
    until: date | None,
    limit: int,
    *columns,
    cap: int = MAX_OCDS_PAGE,
):
    if not 1 <= limit <= cap:
        raise DomainError("PAGE_SIZE_TOO_LARGE", f"limit is 1 to {cap}", "limit")
    conditions = await _region(region)
    with all_tenants(PUBLIC, audited=False):
        query = Notice.select(*(columns or READ)).where((Notice.ocid != "") & _visible())
    for column, values in conditions:
        query = query.where(getattr(Notice, column).is_in(values))
    if since is not None:
        query = query.where(Notice.published_on >= since)
    if until is not None:
        query = query.where(Notice.published_on <= until)
    return query


async def ocds_notices(
    region: str | None, since: date | None, until: date | None, after: int, limit: int
) -> tuple[list[dict], list[list[dict]], bool]:
    """Notices that are OCDS releases, by id (keyset), with their suppliers."""
    query = await _ocds_query(region, since, until, limit)
    with all_tenants(PUBLIC, audited=False):
        rows = await query.where(Notice.id > after).order_by(Notice.id).limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, await suppliers_of([r["id"] for r in rows]) if rows else [], more


async def ocds_processes(
    region: str | None, since: date | None, until: date | None, after: str, limit: int
) -> tuple[dict[str, list[tuple[dict, list[dict]]]], bool]:
    """Whole contracting processes (every notice of each ocid), by ocid (keyset)."""
    query = await _ocds_query(region, since, until, limit, Notice.ocid, cap=MAX_OCDS_RECORDS)
    with all_tenants(PUBLIC, audited=False):
        ocids = [
            r["ocid"]
            for r in await query.distinct()
            .where(Notice.ocid > after)
            .order_by(Notice.ocid)
            .limit(limit + 1)
        ]
        more = len(ocids) > limit
        ocids = ocids[:limit]
        rows = (
            await Notice.select(*READ)
            .where(Notice.ocid.is_in(ocids) & _visible())
            .order_by(Notice.id)
            if ocids
            else []
        )
    suppliers = await suppliers_of([r["id"] for r in rows]) if rows else []
    grouped: dict[str, list[tuple[dict, list[dict]]]] = {o: [] for o in ocids}
    for row, found in zip(rows, suppliers, strict=True):
        grouped[row["ocid"]].append((row, found))
    return grouped, more
