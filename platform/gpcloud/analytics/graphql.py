"""Analytics through the API: the indicator catalogue, indicator values and series for a region
and year (staff: their region and below; anyone: the public indicators), red flags and their
review, and the rebuild and export jobs. Frontends build their own dashboards from these."""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal
from typing import Annotated
from urllib.parse import urlencode

import strawberry
from strawberry.types import Info

from gpcloud.analytics import ocds
from gpcloud.analytics.catalogue import CATALOGUE, DIMENSIONS
from gpcloud.analytics.catalogue import Indicator as Definition
from gpcloud.analytics.flags import NOT_ON_PLATFORM, TITLES
from gpcloud.analytics.service import indicators, redflags
from gpcloud.analytics.service.indicators import Filters, Point
from gpcloud.analytics.workflow import RED_FLAG
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum, values_enum
from gpcloud.core.graphql.mutations import run_payload
from gpcloud.core.graphql.permissions import Public, Requires, allow
from gpcloud.core.graphql.types import (
    Connection,
    UserError,
    connection,
    parse_base64,
    parse_id,
)
from gpcloud.core.jobs.graphql import JobPayload, enqueue_for_tenant

READ = allow(Requires(Perm.ANALYTICS_READ))
OCDS_FLAGS = 1000

AnalyticsDimension = values_enum(
    "AnalyticsDimension",
    DIMENSIONS,
    "What an indicator series breaks an indicator down by.",
    {
        "month": "The month of the award (1 to 12).",
        "method": "The procurement method of the plan.",
        "category": "The catalogue code prefix (品目, e.g. A02).",
        "object_type": "Goods, works or services.",
        "region": "The region's own figure and each region directly below it (with theirs).",
    },
)
AnalyticsFilterDimension = values_enum(
    "AnalyticsFilterDimension",
    indicators.FILTER_DIMS,
    "The dimension a filter narrows every figure by (one at a time).",
    {
        "method": "Only processes of one procurement method.",
        "category": "Only processes of one catalogue code prefix (e.g. A02).",
        "object_type": "Only goods, works or services.",
    },
)
RedFlagStatus = state_enum(
    "RedFlagStatus",
    RED_FLAG,
    {
        "open": "Raised; no supervisor has looked into it yet.",
        "reviewed": "A supervisor looked into it; the note says what was found.",
    },
)
RedFlagCode = values_enum(
    "RedFlagCode",
    [c.lower() for c in TITLES],
    "The red flag, by its number in the Open Contracting red-flag guide (cardinal-rs).",
    {c.lower(): f"{t}." for c, t in TITLES.items()},
)


@strawberry.input(description="Which figures: a region's subtree, a year, and optional narrowing.")
class IndicatorFilter:
    region: str = strawberry.field(description="The region code (GB/T 2260): it and below.")
    year: int = strawberry.field(description="The year of the awards.")
    month: int | None = strawberry.field(default=None, description="Only this month (1-12).")
    dimension: AnalyticsFilterDimension | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Narrow every figure by this dimension…"
    )
    value: str = strawberry.field(default="", description="…to this value (e.g. open_tender).")

    def filters(self) -> Filters:
        dim = self.dimension.value if self.dimension else "all"
        return Filters(self.region, self.year, dim, self.value.strip(), self.month)


@strawberry.type(description="One value of an indicator's breakdown.")
class IndicatorPoint:
    key: str = strawberry.field(description="The group's key: a month, method, code, region.")
    label: str = strawberry.field(description="The group as people read it.")
    value: Decimal | None = strawberry.field(description="The value; null: nothing to divide.")

    @classmethod
    def of(cls, p: Point) -> IndicatorPoint:
        return cls(key=p.key, label=p.label, value=p.value)


@strawberry.type(description="An indicator of the catalogue, with its value for the filters.")
class Indicator:
    id: str = strawberry.field(description="Stable id, e.g. single_bid_share.")
    name: str = strawberry.field(description="The name in Chinese.")
    definition: str = strawberry.field(description="What it measures.")
    formula: str = strawberry.field(description="How it is computed from the rollup measures.")
    source: str = strawberry.field(description="Where its inputs come from; the legal basis.")
    unit: str = strawberry.field(description="yuan, ratio (0-1), count, days, hhi or index.")
    public: bool = strawberry.field(description="Shown to anyone on the portal.")
    group: str = strawberry.field(description="Its section of the dashboard.")
    dimensions: list[AnalyticsDimension] = strawberry.field(  # type: ignore[valid-type]
        description="What its series may break it down by.", directives=[ListSize(max=10)]
    )
    value: Decimal | None = strawberry.field(
        description="Its value for the filters; null where nothing to divide (or the catalogue)."
    )
    breakdown: list[IndicatorPoint] = strawberry.field(
        description="Parts of the value where it has kinds (credit records by kind).",
        directives=[ListSize(max=50)],
    )

    @classmethod
    def of(cls, d: Definition, value=None, breakdown=()) -> Indicator:
        return cls(
            id=d.id,
            name=d.name,
            definition=d.definition,
            formula=d.formula,
            source=d.source,
            unit=d.unit,
            public=d.public,
            group=d.group,
            dimensions=[AnalyticsDimension(x) for x in d.dimensions],
            value=value,
            breakdown=[IndicatorPoint.of(p) for p in breakdown],
        )


@strawberry.type(description="An indicator broken down by one dimension.")
class IndicatorSeries:
    indicator: str = strawberry.field(description="The indicator's id.")
    dimension: AnalyticsDimension = strawberry.field(description="What it is broken down by.")  # type: ignore[valid-type]
    points: list[IndicatorPoint] = strawberry.field(
        description="One value per group, in key order.", directives=[ListSize(max=400)]
    )


@strawberry.type(description="A red flag raised on a procurement process.")
class RedFlag:
    id: strawberry.ID
    code: RedFlagCode = strawberry.field(description="Which flag.")  # type: ignore[valid-type]
    title: str = strawberry.field(description="The flag's name in Chinese.")
    value: str = strawberry.field(description="The measured value (days, ratio, count).")
    explanation: str = strawberry.field(description="Why the process raised it, in Chinese.")
    plan_id: strawberry.ID = strawberry.field(
        description="The process's procurement plan; 0 on a buyer's flag (R038)."
    )
    purchaser_id: strawberry.ID | None = strawberry.field(
        description="R038 only: the buyer (purchaser) whose bids were excessively disqualified."
    )
    project_id: strawberry.ID | None = strawberry.field(description="Its project, if any.")
    process_title: str = strawberry.field(
        description="The process's title (R038: the buyer's name)."
    )
    link: str = strawberry.field(description="The process's notices on the portal.")
    region: str = strawberry.field(description="The region code (GB/T 2260) of the process.")
    year: int = strawberry.field(description="The year of its award.")
    status: RedFlagStatus = strawberry.field(description="Reviewed or not.")  # type: ignore[valid-type]
    review_note: str = strawberry.field(description="What the reviewer found; empty while open.")
    reviewed_at: datetime | None = strawberry.field(description="When it was reviewed.")
    revision: int = strawberry.field(description="Bumped by each change (compare-and-set).")
    raised_at: datetime = strawberry.field(description="When it was first raised.")

    @classmethod
    def of(cls, row: dict) -> RedFlag:
        return cls(
            id=strawberry.ID(str(row["id"])),
            code=RedFlagCode(row["code"].lower()),
            title=row["title"],
            value=row["value"],
            explanation=row["explanation"],
            plan_id=strawberry.ID(str(row["plan_id"])),
            purchaser_id=strawberry.ID(str(row["purchaser_id"])) if row["purchaser_id"] else None,
            project_id=strawberry.ID(str(row["project_id"])) if row["project_id"] else None,
            process_title=row["process_title"],
            link="/notices?" + urlencode({"q": row["process_title"]}),
            region=row["tenant_id"],
            year=row["year"],
            status=RedFlagStatus(row["status"]),
            review_note=row["review_note"],
            reviewed_at=row["reviewed_at"],
            revision=row["revision"],
            raised_at=row["raised_at"],
        )


@strawberry.type(description="A red flag this platform cannot raise on its own data yet.")
class RedFlagGap:
    code: str = strawberry.field(description="The flag's number, e.g. R036.")
    reason: str = strawberry.field(description="What data it needs that the platform lacks.")


@strawberry.type(description="A red flag raised on a process (or buyer) of an uploaded OCDS file.")
class OcdsRedFlag:
    subject: str = strawberry.field(description="The process's ocid (R038: the buyer's id).")
    code: RedFlagCode = strawberry.field(description="Which flag.")  # type: ignore[valid-type]
    title: str = strawberry.field(description="The flag's name in Chinese.")
    value: str = strawberry.field(description="The measured value.")
    explanation: str = strawberry.field(description="Why it was raised, in Chinese.")


@strawberry.type
class RedFlagPayload:
    flag: RedFlag | None = strawberry.field(
        default=None, description="The flag as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


async def _values(info: Info, filter: IndicatorFilter, public: bool) -> list[Indicator]:
    user = None if public else info.context.user
    values = await indicators.dashboard(user, filter.filters(), public=public)
    return [Indicator.of(v.indicator, v.value, v.breakdown) for v in values]


async def _series(info, indicator, by, filter, public) -> IndicatorSeries:
    user = None if public else info.context.user
    points = await indicators.series(user, indicator, by.value, filter.filters(), public=public)
    return IndicatorSeries(
        indicator=indicator, dimension=by, points=[IndicatorPoint.of(p) for p in points]
    )


IndicatorId = Annotated[str, strawberry.argument(description="The indicator's id.")]
By = Annotated[
    AnalyticsDimension,  # type: ignore[valid-type]
    strawberry.argument(description="What to break it down by."),
]


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(Public()),
        directives=[ListSize(max=50)],
        description="The indicator catalogue: definitions, formulas, sources (no values).",
    )
    def indicator_catalogue(self) -> list[Indicator]:
        return [Indicator.of(d) for d in CATALOGUE]

    @strawberry.field(
        extensions=READ,
        directives=[ListSize(max=50)],
        description="Every indicator's value for a region within yours and a year.",
    )
    async def indicators(self, info: Info, filter: IndicatorFilter) -> list[Indicator]:
        return await _values(info, filter, public=False)

    @strawberry.field(extensions=READ, description="One indicator broken down by a dimension.")
    async def indicator_series(
        self, info: Info, indicator: IndicatorId, by: By, filter: IndicatorFilter
    ) -> IndicatorSeries:
        return await _series(info, indicator, by, filter, public=False)

    @strawberry.field(
        extensions=allow(Public()),
        directives=[ListSize(max=50)],
        description="The public indicators of any region and year (the portal's summary).",
    )
    async def public_indicators(self, info: Info, filter: IndicatorFilter) -> list[Indicator]:
        return await _values(info, filter, public=True)

    @strawberry.field(
        extensions=allow(Public()), description="A public indicator broken down by a dimension."
    )
    async def public_indicator_series(
        self, info: Info, indicator: IndicatorId, by: By, filter: IndicatorFilter
    ) -> IndicatorSeries:
        return await _series(info, indicator, by, filter, public=True)

    @strawberry.field(
        extensions=READ, description="Red flags of the processes of your region and below."
    )
    async def red_flags(
        self,
        info: Info,
        code: Annotated[
            RedFlagCode | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only this flag."),
        ] = None,
        status: Annotated[
            RedFlagStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only flags in this state."),
        ] = None,
        year: Annotated[
            int | None, strawberry.argument(description="Only processes awarded this year.")
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[RedFlag]:
        page = await redflags.search(
            info.context.user,
            code.value.upper() if code else None,
            status.value if status else None,
            year,
            first,
            after,
        )
        return connection(page, RedFlag.of)

    @strawberry.field(
        extensions=READ,
        directives=[ListSize(max=OCDS_FLAGS)],
        description="Red flags of an OCDS file (package, release or JSON lines), as the "
        "platform's own processes get them (the first 1000; nothing is stored).",
    )
    async def ocds_red_flags(
        self,
        info: Info,
        file: Annotated[str, strawberry.argument(description="The file's bytes, in base64.")],
    ) -> list[OcdsRedFlag]:
        info.context.user.require(Perm.ANALYTICS_READ)
        found = await asyncio.to_thread(ocds.flag_file, parse_base64(file, "file"))
        return [
            OcdsRedFlag(
                subject=subject,
                code=RedFlagCode(f.code.lower()),
                title=f.title,
                value=f.value,
                explanation=f.explanation,
            )
            for subject, f in found[:OCDS_FLAGS]
        ]

    @strawberry.field(
        extensions=allow(Public()),
        directives=[ListSize(max=20)],
        description="Red flags the platform cannot raise on its own data yet, and why.",
    )
    def red_flag_gaps(self) -> list[RedFlagGap]:
        return [RedFlagGap(code=c, reason=r) for c, r in sorted(NOT_ON_PLATFORM.items())]


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.RED_FLAG_REVIEW)),
        description="Mark a red flag of your region reviewed, with what was found.",
    )
    async def review_red_flag(
        self,
        info: Info,
        id: strawberry.ID,
        note: Annotated[str, strawberry.argument(description="What the review found.")],
        revision: Annotated[
            int | None,
            strawberry.argument(description="The revision you read; CONFLICT if it changed."),
        ] = None,
    ) -> RedFlagPayload:
        return await run_payload(
            RedFlagPayload,
            "flag",
            RedFlag.of,
            lambda: redflags.review(info.context.user, parse_id(id, "red flag"), note, revision),
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.ANALYTICS_REBUILD)),
        description="Rebuild the analytics read model from the source tables (a job).",
    )
    async def rebuild_analytics(self, info: Info) -> JobPayload:
        return await enqueue_for_tenant(info.context.user, "analytics.rebuild", {}, None)

    @strawberry.mutation(
        extensions=READ,
        description="Export the region's indicator tables as XLSX and CSV (a job).",
    )
    async def export_indicators(self, info: Info, filter: IndicatorFilter) -> JobPayload:
        f = filter.filters()
        payload = {"year": f.year, "dim": f.dim, "value": f.value, "month": f.month}
        return await enqueue_for_tenant(info.context.user, "analytics.export", payload, f.region)
