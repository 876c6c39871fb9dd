"""What a finance department sees of publication warnings: every override its region's agencies
asked for and used (supervision/warnings), filtered, as a cursor connection or an XLSX file.
The region is the scope's: a county's supervisor its county, a city's its own and its
counties' (core/tenancy/tables.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import start_of
from gpcloud.core.errors import DomainError
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.supervision.tables import PublicationOverride
from gpcloud.supervision.warnings.common import KINDS
from gpcloud.supervision.workflow import OVERRIDE

EXPORT_LIMIT = 50_000  # rows in one XLSX export
HEADER = [
    "id",
    "region",
    "plan",
    "kind",
    "rule",
    "article",
    "matched",
    "reason",
    "status",
    "agency_organisation",
    "requested_by",
    "requested_at",
    "publication",
    "used_at",
]


@dataclass(frozen=True)
class OverrideFilter:
    status: str | None = None
    rule: str | None = None
    kind: str | None = None
    plan_id: int | None = None
    requested_from: date | None = None  # inclusive, Asia/Shanghai days
    requested_to: date | None = None  # inclusive

    def query(self, query):
        t = PublicationOverride
        if self.status is not None:
            if self.status not in OVERRIDE.states:
                raise DomainError("INVALID_STATUS", f"one of {', '.join(OVERRIDE.states)}")
            query = query.where(t.status == self.status)
        if self.kind is not None:
            if self.kind not in KINDS:
                raise DomainError("INVALID_KIND", f"one of {', '.join(KINDS)}", "kind")
            query = query.where(t.kind == self.kind)
        if self.rule:
            query = query.where(t.rule == self.rule)
        if self.plan_id is not None:
            query = query.where(t.plan == self.plan_id)
        if self.requested_from and self.requested_to and self.requested_from > self.requested_to:
            raise DomainError("INVALID_PERIOD", "from is after to", "requestedFrom")
        if self.requested_from:
            query = query.where(t.requested_at >= start_of(self.requested_from))
        if self.requested_to:
            query = query.where(
                t.requested_at < start_of(date.fromordinal(self.requested_to.toordinal() + 1))
            )
        return query


@requires(Perm.SUPERVISION_OVERVIEW)
async def overrides(
    actor: CurrentUser, flt: OverrideFilter, first: int | None, after: str | None
) -> Page:
    """The region's overrides, oldest first."""
    return await keyset_page(
        flt.query(PublicationOverride.select()), PublicationOverride.id, first, after
    )


def matched(row: dict) -> list[str]:
    return json.loads(row["matched"] or "[]")


async def export_rows(flt: OverrideFilter) -> list[list]:
    """The rows of the XLSX export (the job's scope is the requester's region)."""
    rows = (
        await flt.query(PublicationOverride.select())
        .order_by(PublicationOverride.id)
        .limit(EXPORT_LIMIT)
    )
    return [
        [
            r["id"],
            r["tenant_id"],
            r["plan"],
            r["kind"],
            r["rule"],
            r["article"],
            "；".join(matched(r)),
            r["reason"],
            r["status"],
            r["organisation"],
            r["requested_by"],
            r["requested_at"],
            r["subject"],
            r["used_at"],
        ]
        for r in rows
    ]
