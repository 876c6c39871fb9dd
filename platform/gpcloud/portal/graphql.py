"""The portal's public API: every published notice, filtered and searched, with the chain of
the procurement it belongs to. Anonymous; only notices are read (see portal/__init__)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql import projection
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum, values_enum
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Public, Requires, allow
from gpcloud.core.graphql.types import PAGE, PageInfo, UserError, parse_id
from gpcloud.core.jobs.graphql import Job, JobPayload
from gpcloud.core.money import to_fen, to_yuan_or_none
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.portal import articles, legacy, service
from gpcloud.portal.tables import KINDS
from gpcloud.portal.text import MAX_QUERY_TERMS
from gpcloud.portal.workflow import LEGACY_BATCH

NoticeKind = values_enum(
    "NoticeKind",
    KINDS,
    description="The kind of a public notice on the portal.",
    meanings={
        "intention": "A procurement intention (采购意向), published before the procurement.",
        "plan": "A procurement plan (采购计划) as filed.",
        "prequalification": "A prequalification notice (资格预审公告): suppliers apply to be "
        "qualified before the tender; its details carry the requirements and the deadline.",
        "tender": "A tender or procurement announcement (采购公告).",
        "correction": "A correction or clarification (更正公告).",
        "result": "A result announcement (结果公告): winners, amounts, or a failure.",
        "contract": "A contract announcement (合同公告).",
        "acceptance": "An acceptance report (履约验收).",
        "policy": "A policy article of the finance department.",
        "notice": "A notice article (通知公告) of the finance department.",
        "decision": "投诉处理决定: a finance department's complaint decision.",
    },
)
LegacyBatchStatus = state_enum(
    "LegacyBatchStatus",
    LEGACY_BATCH,
    {
        "pending": "Uploaded; waits for a worker.",
        "running": "Being migrated; a crash resumes at the last committed chunk.",
        "completed": "Done: its notices are public.",
        "failed": "Stopped; the job says why. Run it again to resume.",
    },
)
ARTICLE_MEANINGS = {
    "policy": "A policy or regulation (政策法规).",
    "notice": "A notice to the public (通知公告).",
}
ArticleKind = strawberry.enum(
    Enum(
        "ArticleKind",
        {
            k.upper(): strawberry.enum_value(k, description=ARTICLE_MEANINGS.get(k))
            for k in articles.ARTICLE_KINDS
        },
    ),
    description="The kind of an editorial article on the portal.",
)
PUBLIC = allow(Public())
# A procurement has a handful of notices; a chain returns at most this many, oldest first.
MAX_CHAIN = 50
MAX_EXPERTS = 50  # a result names each committee's experts; a project has a few lots


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@strawberry.type(
    description="A supplier named in a notice, with its amount in yuan where the notice gives one."
)
class NoticeSupplier:
    name: str = strawberry.field(description="The supplier's name.")
    amount: Decimal | None = strawberry.field(description="Its amount, yuan.")


@strawberry.type(
    description="What a result notice publishes of an evaluation: the winner's evaluated price "
    "and total score (each bidder learns its own privately)."
)
class NoticeEvaluation:
    lot: str = strawberry.field(description="The lot; empty for the whole project.")
    method: str = strawberry.field(
        description="comprehensive (综合评分法) or lowest_price (最低评标价法)."
    )
    supplier_name: str = strawberry.field(description="The confirmed winner.")
    evaluated_price: Decimal | None = strawberry.field(
        description="Yuan: the winner's price as evaluated (after arithmetic corrections)."
    )
    total: Decimal | None = strawberry.field(
        description="The winner's total score; none under lowest evaluated price."
    )
    valid_bids: int | None = strawberry.field(description="Bids ranked.")
    invalid_bids: int | None = strawberry.field(description="Bids found invalid.")


@strawberry.type(description="A published notice: only what the public may see.")
class Notice:
    id: strawberry.ID
    kind: NoticeKind = strawberry.field(description="What it announces.")  # type: ignore[valid-type]
    title: str = strawberry.field(description="The notice's title.")
    body: str = strawberry.field(description="Its text.")
    published_on: date = strawberry.field(description="The day it is dated.")
    published_at: datetime = strawberry.field(description="When it went on the portal.")
    region_code: str
    region_name: str = strawberry.field(description="The region's name.")
    method: str = strawberry.field(description="The procurement method, e.g. open_tender.")
    category_code: str = strawberry.field(description="The catalogue code (品目), if any.")
    object_type: str = strawberry.field(description="goods, works or services.")
    purchaser_name: str = strawberry.field(description="The purchaser.")
    agency_name: str = strawberry.field(description="The agency, if one acted.")
    amount: Decimal | None = strawberry.field(
        description="Yuan: the budget, award or contract amount the notice states."
    )
    row: strawberry.Private[dict]
    terms: strawberry.Private[list[str]]

    @classmethod
    def of(cls, row: dict, region_name: str, terms: list[str] | None = None) -> Notice:
        return cls(
            id=strawberry.ID(str(row["id"])),
            kind=NoticeKind(row["kind"]),
            title=row["title"],
            body=row["body"],
            published_on=row["published_on"],
            published_at=row["published_at"],
            region_code=row["tenant_id"],
            region_name=region_name,
            method=row["method"],
            category_code=row["category_code"],
            object_type=row["object_type"],
            purchaser_name=row["purchaser_name"],
            agency_name=row["agency_name"],
            amount=to_yuan_or_none(row["amount_fen"]),
            row=row,
            terms=terms or [],
        )

    @strawberry.field(extensions=PUBLIC, description="The title with the search terms in <mark>.")
    def title_highlight(self) -> str:
        return service.highlight(self.title, self.terms, 200)

    @strawberry.field(extensions=PUBLIC, description="An excerpt of the body around the match.")
    def body_highlight(self) -> str:
        return service.highlight(self.body, self.terms)

    @strawberry.field(
        extensions=PUBLIC,
        directives=[ListSize(max=100)],
        description="The suppliers it names (winners, contract parties).",
    )
    async def suppliers(self, info: Info) -> list[NoticeSupplier]:
        loader = info.context.loaders.get("notice_suppliers", service.suppliers_of)
        return [
            NoticeSupplier(
                name=r["name"],
                amount=to_yuan_or_none(r["amount_fen"]),
            )
            for r in await loader.load(int(self.id))
        ]

    @strawberry.field(
        extensions=PUBLIC,
        description="A result notice's evaluation experts, by name (Implementing Regulation "
        "art. 43); empty for other notices.",
        directives=[ListSize(max=MAX_EXPERTS)],
    )
    def experts(self) -> list[str]:
        return service.named_experts(self.row)[:MAX_EXPERTS]

    @strawberry.field(
        extensions=PUBLIC,
        description="A result notice's evaluations, one per lot evaluated; empty otherwise.",
        directives=[ListSize(max=MAX_EXPERTS)],
    )
    def evaluations(self) -> list[NoticeEvaluation]:
        return [
            NoticeEvaluation(
                lot=e["lot"],
                method=e["method"],
                supplier_name=e["supplier"],
                evaluated_price=_decimal(e.get("evaluated_price")),
                total=_decimal(e.get("total")),
                valid_bids=e.get("valid_bids"),
                invalid_bids=e.get("invalid_bids"),
            )
            for e in service.evaluations_of(self.row)[:MAX_EXPERTS]
        ]

    @strawberry.field(
        extensions=PUBLIC,
        description="The procurement's notices, oldest first: intention -> plan -> "
        f"announcements -> result -> contract -> acceptance (at most {MAX_CHAIN}).",
        directives=[ListSize(max=MAX_CHAIN)],
    )
    async def chain(self, info: Info) -> list[Notice]:
        if not self.row["ocid"]:
            return [self]
        loader = info.context.loaders.get("notice_chains", service.chains)
        return await _notices((await loader.load(self.row["ocid"]))[:MAX_CHAIN])


@strawberry.type
class NoticeEdge:
    cursor: str
    node: Notice


# What PostgreSQL writes for Notice fields, as strawberry serialises them (regionName is the
# tenant tree's; the highlights and lists have resolvers): core/graphql/projection.py.
projection.declare(
    "Notice",
    {
        "id": ('"notice".id::text', False),
        "kind": (
            'CASE "notice".kind '
            + " ".join(f"WHEN '{k.value}' THEN '{k.name}'" for k in NoticeKind)
            + " END",
            False,
        ),
        **{
            name: (f'"notice".{column}', False)
            for name, column in (
                ("title", "title"),
                ("body", "body"),
                ("regionCode", "tenant_id"),
                ("method", "method"),
                ("categoryCode", "category_code"),
                ("objectType", "object_type"),
                ("purchaserName", "purchaser_name"),
                ("agencyName", "agency_name"),
            )
        },
        "publishedOn": ("""to_char("notice".published_on, 'YYYY-MM-DD')""", False),
        "publishedAt": (service.PUBLISHED_AT_ISO, False),
        "amount": ('round("notice".amount_fen::numeric / 100, 2)::text', True),
    },
)


@strawberry.type
class NoticeConnection:
    edges: list[NoticeEdge] = strawberry.field(directives=[PAGE])
    page_info: PageInfo
    search_terms: list[str] = strawberry.field(
        description="The words the search looked for.",
        directives=[ListSize(max=MAX_QUERY_TERMS)],
    )


@strawberry.input
class NoticeFilter:
    region: str | None = strawberry.field(default=None, description="A region and its subtree.")
    kinds: list[NoticeKind] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only these kinds."
    )
    method: str | None = strawberry.field(default=None, description="Only this method.")
    category: str | None = strawberry.field(default=None, description="A catalogue code prefix.")
    purchaser_id: int | None = strawberry.field(default=None, description="A purchaser's id.")
    agency_id: int | None = strawberry.field(default=None, description="An agency's id.")
    supplier_id: int | None = strawberry.field(default=None, description="An organisation id.")
    min_amount: Decimal | None = strawberry.field(default=None, description="Yuan, at least.")
    max_amount: Decimal | None = strawberry.field(default=None, description="Yuan, at most.")
    published_from: date | None = strawberry.field(default=None, description="From this day.")
    published_to: date | None = strawberry.field(default=None, description="To this day.")
    search: str | None = strawberry.field(
        default=None, description="Words in the title or body (Chinese is segmented)."
    )


async def _notices(rows: list[dict], terms: list[str] | None = None) -> list[Notice]:
    tree = await tenant_tree()
    return [Notice.of(r, tree.name_of(r["tenant_id"]), terms) for r in rows]


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=PUBLIC,
        description="Published notices, latest first (with search: best match first).",
    )
    async def notices(
        self, filter: NoticeFilter | None = None, first: int | None = None, after: str | None = None
    ) -> NoticeConnection:
        flt = filter or NoticeFilter()
        select = projection.wanted("Notice")
        found = await service.find(
            service.NoticeFilter(
                region=flt.region,
                kinds=tuple(k.value for k in flt.kinds or ()),
                method=flt.method,
                category=flt.category,
                purchaser_id=flt.purchaser_id,
                agency_id=flt.agency_id,
                supplier_id=flt.supplier_id,
                min_amount_fen=to_fen(flt.min_amount, "minAmount")
                if flt.min_amount is not None
                else None,
                max_amount_fen=to_fen(flt.max_amount, "maxAmount")
                if flt.max_amount is not None
                else None,
                published_from=flt.published_from,
                published_to=flt.published_to,
                search=flt.search,
            ),
            first,
            after,
            (select.json, select.null) if select else None,
            cursors=projection.selected("NoticeEdge", "cursor")
            or projection.selected("PageInfo", "endCursor"),
        )
        if select:
            nodes = projection.raws(found.rows)
        else:
            nodes = await _notices(found.rows, found.terms)
        return NoticeConnection(
            edges=[NoticeEdge(cursor=c, node=n) for c, n in zip(found.cursors, nodes, strict=True)],
            page_info=PageInfo(has_next_page=found.has_next_page, end_cursor=found.end_cursor),
            search_terms=found.terms,
        )

    @strawberry.field(
        extensions=PUBLIC,
        description="The old portal's history by year and kind: a year opens when migrated.",
        directives=[ListSize(max=500)],
    )
    async def legacy_migrations(self) -> list[LegacyMigration]:
        return [
            LegacyMigration(
                year=b["year"],
                kind=NoticeKind(b["kind"]),
                status=LegacyBatchStatus(b["status"]),
                created=b["created"],
                skipped=b["skipped"],
                rejected=b["rejected"],
                open=b["status"] == "completed",
            )
            for b in await legacy.batches()
        ]

    @strawberry.field(extensions=PUBLIC, description="One published notice; null if none.")
    async def notice(self, id: strawberry.ID) -> Notice | None:
        try:
            row = await service.get(parse_id(id, "notice"))
        except DomainError:
            return None
        return (await _notices([row]))[0]


@strawberry.type(description="A migration batch of the old portal's records (one year, one kind).")
class LegacyMigration:
    year: int = strawberry.field(description="The year of the records.")
    kind: NoticeKind = strawberry.field(description="The kind of the records.")  # type: ignore[valid-type]
    status: LegacyBatchStatus = strawberry.field(description="Where the batch stands.")  # type: ignore[valid-type]
    created: int = strawberry.field(description="Notices written.")
    skipped: int = strawberry.field(description="Records already there (a re-run).")
    rejected: int = strawberry.field(description="Records refused (the reject report).")
    open: bool = strawberry.field(description="Its notices are public (the batch completed).")


@strawberry.type
class ArticlePayload:
    notice: Notice | None = strawberry.field(
        default=None, description="The article as published; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.ARTICLE_PUBLISH)),
        description="Publish a policy or notice in your region's editorial column.",
    )
    async def publish_article(
        self,
        info: Info,
        kind: Annotated[
            ArticleKind,  # type: ignore[valid-type]
            strawberry.argument(description="A policy (政策法规) or a notice (通知公告)."),
        ],
        title: str,
        body: str,
    ) -> ArticlePayload:
        async def work() -> ArticlePayload:
            notice_id = await articles.publish_article(info.context.user, kind.value, title, body)
            return ArticlePayload(notice=(await _notices([await service.get(notice_id)]))[0])

        return await run_mutation(ArticlePayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.LEGACY_MIGRATE)),
        description="Migrate a file of the old portal's records of one year and kind (JSON "
        "Lines, CSV or an OCDS release package; docs/legacy-format.md) as a job.",
    )
    async def start_legacy_migration(
        self,
        info: Info,
        year: Annotated[int, strawberry.argument(description="The year of the records.")],
        kind: Annotated[
            NoticeKind,  # type: ignore[valid-type]
            strawberry.argument(description="The kind of every record in the file."),
        ],
        format: Annotated[str, strawberry.argument(description="jsonl, csv or ocds.")],
        file: Annotated[
            Upload, strawberry.argument(description="The file, as a multipart upload.")
        ],
        region: Annotated[
            str, strawberry.argument(description="The region the records are of (region code).")
        ] = "440000",
    ) -> JobPayload:
        async def work() -> JobPayload:
            row = await legacy.start(
                info.context.user,
                year,
                kind.value,
                format,
                file.filename or "",
                await file.read(),
                region,
            )
            return JobPayload(job=Job.of(row))

        return await run_mutation(JobPayload, work)
