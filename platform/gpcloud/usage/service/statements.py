"""Reading the ledger: charges and monthly statements per agency, for the API and the export.

Whose: an agency reads its own charges wherever it works (an agency is registered once for the
province: a Meizhou agency runs Xingning projects, and its bill covers them), so its reads opt
out of the tenant scope and filter by its organisation; the region's finance staff (admins,
supervisors: REGION_READ) read every agency's charges within their scope, a city's including
its counties'.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import dataclass, field

from piccolo.query.functions.aggregate import Count

from gpcloud.core.auth.admin import reachable_tenant
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.jobs import service as jobs
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.usage.tables import UsageCharge

AGENCY_BILL_SCOPE = "an agency's usage bill covers every region it works in"
EXPORT_JOB = "usage_statement_export"
MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class Filter:
    month: str
    agency: int | None = None
    tenant: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Line:
    """Uses of one kind at one unit price in one tenant."""

    tenant: str
    kind: str
    unit_price_fen: int
    count: int

    @property
    def amount_fen(self) -> int:
        return self.unit_price_fen * self.count


@dataclass
class Statement:
    """An agency's bill for a month: its lines and their total."""

    agency: int
    month: str
    lines: list[Line] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)

    @property
    def count(self) -> int:
        return sum(line.count for line in self.lines)


async def _where(actor: CurrentUser, flt: Filter):
    """(the condition, the scope to read in) of what `actor` may read under `flt`."""
    if not MONTH.fullmatch(flt.month or ""):
        raise DomainError("INVALID_MONTH", "a month as YYYY-MM", "month")
    where = UsageCharge.month == flt.month
    if flt.kind is not None:
        where &= UsageCharge.kind == flt.kind
    if actor.can(Perm.REGION_READ):
        if flt.tenant is not None:
            await reachable_tenant(flt.tenant)
        if flt.agency is not None:
            where &= UsageCharge.agency == flt.agency
        context = nullcontext()
    else:
        if flt.agency is not None and flt.agency != actor.organisation_id:
            raise NotFound("agency", flt.agency)
        where &= UsageCharge.agency == actor.organisation_id
        context = all_tenants(AGENCY_BILL_SCOPE)
    if flt.tenant is not None:
        region = (await tenant_tree()).subtree(flt.tenant) or {flt.tenant}
        where &= UsageCharge.tenant_id.is_in(sorted(region))
    return where, context


@requires(Perm.USAGE_READ)
async def charges(actor: CurrentUser, flt: Filter, first: int | None, after: str | None) -> Page:
    where, context = await _where(actor, flt)
    with context:
        return await keyset_page(
            UsageCharge.select().where(where).output(load_json=True), UsageCharge.id, first, after
        )


@requires(Perm.USAGE_READ)
async def all_charges(actor: CurrentUser, flt: Filter) -> list[dict]:
    """Every charge under `flt`, for the export (a month of one region: thousands, not more)."""
    where, context = await _where(actor, flt)
    with context:
        return (
            await UsageCharge.select()
            .where(where)
            .order_by(UsageCharge.agency)
            .order_by(UsageCharge.id)
            .output(load_json=True)
        )


async def _statements(where, month: str) -> list[Statement]:
    rows = (
        await UsageCharge.select(
            UsageCharge.agency,
            UsageCharge.tenant_id,
            UsageCharge.kind,
            UsageCharge.unit_price_fen,
            Count(alias="uses"),
        )
        .where(where)
        .group_by(
            UsageCharge.agency,
            UsageCharge.tenant_id,
            UsageCharge.kind,
            UsageCharge.unit_price_fen,
        )
    )
    by_agency: dict[int, Statement] = {}
    for row in rows:
        statement = by_agency.setdefault(row["agency"], Statement(row["agency"], month))
        statement.lines.append(
            Line(row["tenant_id"], row["kind"], row["unit_price_fen"], row["uses"])
        )
    for statement in by_agency.values():
        statement.lines.sort(key=lambda line: (line.tenant, line.kind, line.unit_price_fen))
    return [by_agency[agency] for agency in sorted(by_agency)]


@requires(Perm.USAGE_READ)
async def statements(actor: CurrentUser, flt: Filter, first: int | None, after: str | None) -> Page:
    """One statement per agency with charges under `flt`, a page of agencies at a time (rows:
    {"agency": id, "statement": Statement})."""
    where, context = await _where(actor, flt)
    with context:
        agencies = await keyset_page(
            UsageCharge.select(UsageCharge.agency).where(where).group_by(UsageCharge.agency),
            UsageCharge.agency,
            first,
            after,
        )
        ids = [row["agency"] for row in agencies.rows]
        found = await _statements(where & UsageCharge.agency.is_in(ids or [0]), flt.month)
    rows = [{"agency": s.agency, "statement": s} for s in found]
    return Page(rows, agencies.has_next_page, agencies.end_cursor)


@requires(Perm.USAGE_READ)
async def all_statements(actor: CurrentUser, flt: Filter) -> list[Statement]:
    """Every statement under `flt`, for the export."""
    where, context = await _where(actor, flt)
    with context:
        return await _statements(where, flt.month)


@requires(Perm.USAGE_READ)
async def export(actor: CurrentUser, flt: Filter) -> dict:
    """Queue the XLSX export of `flt` (jobs.py), checked now and again when it runs as its
    starter: the job record of the caller's tenant, or of `flt.tenant` for staff."""
    await _where(actor, flt)
    payload = {"month": flt.month, "agency": flt.agency, "tenant": flt.tenant, "kind": flt.kind}
    code = flt.tenant if flt.tenant and actor.can(Perm.REGION_READ) else actor.tenant
    return await jobs.enqueue(EXPORT_JOB, payload, tenant=code)
