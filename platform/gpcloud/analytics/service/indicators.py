"""Reading the indicators: summed rollup measures for a region's subtree and a year, through
the catalogue's formulas. A dimension filter (method, category or object type) narrows every
figure to that value; series break one indicator down by month, method, category, object type
or region (the region's children, each with its subtree).

Who sees what: staff with analytics.read, for a region within their own (a county its own, a
city its counties, the province all); the public the catalogue's public indicators.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from piccolo.columns.combination import WhereRaw
from piccolo.query.methods.select import Count, Sum

from gpcloud.analytics.catalogue import (
    BY_ID,
    CATALOGUE,
    CATEGORY_PREFIX,
    FORMULAS,
    FROM_ROLLUPS,
    Indicator,
    concentration,
)
from gpcloud.analytics.service.facts import MEASURES
from gpcloud.analytics.tables import Rollup
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import any_of
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.credit.tables import CreditRecord
from gpcloud.emall.tables import PriceAlert

FILTER_DIMS = ("method", "category", "object_type")


@dataclass(frozen=True)
class Filters:
    region: str
    year: int
    dim: str = "all"  # all | method | category | object_type
    value: str = ""
    month: int | None = None


@dataclass(frozen=True)
class Point:
    key: str
    label: str
    value: Decimal | None


@dataclass(frozen=True)
class Value:
    indicator: Indicator
    value: Decimal | None
    breakdown: tuple[Point, ...] = ()


def check_filters(f: Filters) -> None:
    if not 2000 <= f.year <= 2100:
        raise DomainError("INVALID_YEAR", "a year between 2000 and 2100", "year")
    if f.month is not None and not 1 <= f.month <= 12:
        raise DomainError("INVALID_MONTH", "a month from 1 to 12", "month")
    if f.dim != "all" and (f.dim not in FILTER_DIMS or not f.value):
        raise DomainError("INVALID_FILTER", "filter by method, category or object type", "filter")
    if f.dim == "category" and len(f.value) != CATEGORY_PREFIX:
        raise DomainError(
            "INVALID_FILTER", f"a category is a {CATEGORY_PREFIX}-character code prefix", "value"
        )


async def regions(actor: CurrentUser | None, region: str) -> frozenset[str]:
    """The region codes a figure for `region` sums: its subtree (an actor: within theirs)."""
    tree = await tenant_tree()
    if tree.get(region) is None:
        raise DomainError("NOT_FOUND", f"no region {region}", "region")
    if actor is not None:
        actor.require(Perm.ANALYTICS_READ, region=region)
    return tree.subtree(region)


def _sums(group: tuple = ()):
    return (
        *group,
        Count().as_alias("rows"),
        *(Sum(getattr(Rollup, m)).as_alias(m) for m in MEASURES),
    )


def _clean(row: dict) -> dict:
    return {m: int(row.get(m) or 0) for m in MEASURES}


def _where(codes: frozenset[str], f: Filters):
    condition = (
        any_of(Rollup.tenant_id, sorted(codes)) & (Rollup.year == f.year) & (Rollup.dim == f.dim)
    )
    if f.dim != "all" and f.value:
        condition &= Rollup.value == f.value
    if f.month is not None:
        condition &= Rollup.month == f.month
    return condition


async def measures(codes: frozenset[str], f: Filters) -> dict:
    row = await Rollup.select(*_sums()).where(_where(codes, f)).first()
    return _clean(row or {})


async def grouped(codes: frozenset[str], f: Filters, by: str) -> dict[str, dict]:
    """{key: measures} grouped by month, a dimension, or tenant (by = region)."""
    if by in ("month", "region"):
        column = Rollup.month if by == "month" else Rollup.tenant_id
        where = _where(codes, f)
    else:
        if f.dim not in ("all", by):
            raise DomainError("INVALID_FILTER", "a series by a dimension filters by no other")
        column = Rollup.value
        where = _where(codes, Filters(f.region, f.year, by, f.value, f.month))
    rows = await Rollup.select(*_sums((column.as_alias("key"),))).where(where).group_by(column)
    return {str(r["key"]): _clean(r) for r in rows}


async def suppliers(codes: frozenset[str], f: Filters, by: str | None = None) -> dict:
    """{group: [awarded fen per supplier]}: group "" (all), a category, or a tenant."""
    condition = any_of(Rollup.tenant_id, sorted(codes)) & (Rollup.year == f.year)
    condition &= Rollup.dim == "supplier"
    if f.dim == "category":
        condition &= Rollup.sub == f.value
    condition &= Rollup.month == (f.month or 0)  # 0: the year's rows (rollup.contributions)
    cols = [Rollup.value, Sum(Rollup.award_fen).as_alias("fen")]
    group = [Rollup.value]
    if by == "category":
        cols.append(Rollup.sub.as_alias("key"))
        group.append(Rollup.sub)
    elif by == "region":
        cols.append(Rollup.tenant_id.as_alias("key"))
        group.append(Rollup.tenant_id)
    rows = await Rollup.select(*cols).where(condition).group_by(*group)
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        bucket = out.setdefault(str(r.get("key", "")), {})
        bucket[r["value"]] = bucket.get(r["value"], 0) + int(r["fen"] or 0)
    return out


async def _credit(codes: frozenset[str], f: Filters, public: bool) -> dict[str, int]:
    """Credit records of the region that started in the year, by kind (read from credit: a
    small table, indexed by region and kind)."""
    with all_tenants("analytics: credit records of the region", audited=False):
        condition = (
            any_of(CreditRecord.region, sorted(codes))
            & (CreditRecord.starts_on >= date(f.year, 1, 1))
            & (CreditRecord.starts_on <= date(f.year, 12, 31))
        )
        if public:
            condition &= CreditRecord.public == True  # noqa: E712
        rows = await (
            CreditRecord.select(CreditRecord.kind, Count().as_alias("n"))
            .where(condition)
            .group_by(CreditRecord.kind)
        )
    return {r["kind"]: int(r["n"]) for r in rows}


async def _alerts(codes: frozenset[str], region: str, f: Filters) -> dict:
    """Price alerts raised in the year, each counted in its supplier's region (the e-mall is
    province-wide, the supplier is of a region): a region's figure sums its subtree's
    suppliers, the province's every alert. {status: (count, sum of prices, sum of bases)}."""
    condition = (PriceAlert.raised_on >= date(f.year, 1, 1)) & (
        PriceAlert.raised_on < date(f.year + 1, 1, 1)
    )
    if region != (await tenant_tree()).root:
        condition &= WhereRaw(
            '"mall_price_alert"."supplier_organisation" IN (SELECT "id" FROM "organisation" '
            "WHERE {})",
            any_of(Organisation.region, sorted(codes)).querystring,
        )
    rows = await (
        PriceAlert.select(
            PriceAlert.status,
            Count().as_alias("n"),
            Sum(PriceAlert.price_fen).as_alias("price"),
            Sum(PriceAlert.basis_fen).as_alias("basis"),
        )
        .where(condition)
        .group_by(PriceAlert.status)
    )
    return {r["status"]: (int(r["n"]), int(r["price"] or 0), int(r["basis"] or 0)) for r in rows}


async def dashboard(actor: CurrentUser | None, f: Filters, public: bool = False) -> list[Value]:
    """Every indicator (the public ones for the public) for the filters."""
    check_filters(f)
    codes = await regions(None if public else actor, f.region)
    if public:
        with all_tenants("analytics: the public summary", audited=False):
            return await _dashboard(codes, f, public)
    return await _dashboard(codes, f, public)


async def _dashboard(codes: frozenset[str], f: Filters, public: bool) -> list[Value]:
    m = await measures(codes, f)
    shares = await suppliers(codes, f)
    conc = concentration(list(shares.get("", {}).values()))
    credit = await _credit(codes, f, public)
    alerts = await _alerts(codes, f.region, f)
    out = []
    for ind in CATALOGUE:
        if public and not ind.public:
            continue
        breakdown: tuple[Point, ...] = ()
        if ind.id in FROM_ROLLUPS:
            value = FORMULAS[ind.id](m)
        elif ind.id in conc:
            value = conc[ind.id]
        elif ind.id == "credit_records":
            value = Decimal(sum(credit.values()))
            breakdown = tuple(Point(k, k, Decimal(n)) for k, n in sorted(credit.items()))
        elif ind.id == "flagged_listings":
            value = Decimal(sum(a[0] for a in alerts.values()))
            if alerts:
                breakdown = tuple(Point(k, k, Decimal(a[0])) for k, a in sorted(alerts.items()))
        else:  # emall_price_index
            basis = sum(a[2] for a in alerts.values())
            price = sum(a[1] for a in alerts.values())
            value = (Decimal(100) * price / basis).quantize(Decimal("0.01")) if basis else None
        out.append(Value(ind, value, breakdown))
    return out


async def series(
    actor: CurrentUser | None, indicator_id: str, by: str, f: Filters, public: bool = False
) -> list[Point]:
    """One indicator broken down `by` a dimension (month | method | category | object_type |
    region)."""
    check_filters(f)
    ind = BY_ID.get(indicator_id)
    if ind is None or (public and not ind.public):
        raise DomainError("NOT_FOUND", f"no indicator {indicator_id}", "indicator")
    if by not in ind.dimensions:
        raise DomainError("INVALID_DIMENSION", f"{indicator_id} breaks down by {ind.dimensions}")
    codes = await regions(None if public else actor, f.region)
    if public:
        with all_tenants("analytics: the public summary", audited=False):
            return await _series(ind, by, codes, f)
    return await _series(ind, by, codes, f)


async def _series(ind: Indicator, by: str, codes: frozenset[str], f: Filters) -> list[Point]:
    tree = await tenant_tree()
    if ind.group == "concentration":
        groups = await suppliers(codes, f, by)
        if by == "region":
            groups = _fold_suppliers(groups, tree, f.region)
        return [
            Point(k, _label(tree, by, k), concentration(list(v.values()))[ind.id])
            for k, v in sorted(groups.items(), key=_in_order(by))
        ]
    rows = await grouped(codes, f, by)
    if by == "region":
        rows = _fold(rows, tree, f.region)
    return [
        Point(k, _label(tree, by, k), FORMULAS[ind.id](v))
        for k, v in sorted(rows.items(), key=_in_order(by))
    ]


def _in_order(by: str):
    """The points' order: months by number (the keys are strings: "10" sorts before "2")."""
    if by == "month":
        return lambda item: int(item[0])
    return lambda item: item[0]


def _children(tree, region: str) -> list[str]:
    below = [c for c in tree.subtree(region) if c != region and tree.ancestors(c)[:1] == [region]]
    return [region, *sorted(below)]


def _owner(tree, region: str, code: str) -> str:
    """The child of `region` (or `region` itself) whose subtree holds `code`."""
    chain = [code, *tree.ancestors(code)]
    for i, c in enumerate(chain):
        if i + 1 < len(chain) and chain[i + 1] == region:
            return c
    return region


def _fold(rows: dict[str, dict], tree, region: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for code, m in rows.items():
        acc = out.setdefault(_owner(tree, region, code), dict.fromkeys(MEASURES, 0))
        for k in MEASURES:
            acc[k] += m[k]
    return out


def _fold_suppliers(groups: dict, tree, region: str) -> dict:
    out: dict[str, dict[str, int]] = {}
    for code, shares in groups.items():
        acc = out.setdefault(_owner(tree, region, code), {})
        for supplier, fen in shares.items():
            acc[supplier] = acc.get(supplier, 0) + fen
    return out


def _label(tree, by: str, key: str) -> str:
    if by == "region":
        return tree.name_of(key)
    if by == "month":
        return f"{int(key)}月"
    return key
