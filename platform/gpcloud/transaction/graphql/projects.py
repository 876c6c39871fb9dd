"""Projects through the API (simplified flow): entrustment by the purchaser, announcements by
the agency, reads for everyone with a role in the project's region."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.batch import row_lists_by_key
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum, values_enum
from gpcloud.core.graphql.mutations import run_payload
from gpcloud.core.graphql.permissions import Requires, SubsystemLive, allow
from gpcloud.core.graphql.types import Connection, UserError, connection, parse_id
from gpcloud.core.money import to_yuan
from gpcloud.core.ops.descriptions import field_meanings
from gpcloud.supervision.graphql import ProcurementMethod
from gpcloud.transaction import parties, service
from gpcloud.transaction.graphql.bid_types import Bid, project_bids
from gpcloud.transaction.graphql.opening import Opening, opening_of
from gpcloud.transaction.methods import method_config
from gpcloud.transaction.tables import ANNOUNCEMENT_KINDS
from gpcloud.transaction.tables import Announcement as AnnouncementTable
from gpcloud.transaction.tables import Award as AwardTable
from gpcloud.transaction.workflow import PROJECT

READERS = Requires(Perm.PROJECT_READ)
LIVE = SubsystemLive("transaction")
ProjectStatus = state_enum(
    "ProjectStatus",
    PROJECT,
    {
        "entrusted": "Entrusted to an agency; no tender announcement yet.",
        "tendering": "Announced; the documents are available and bids are taken until the "
        "bid deadline.",
        "closed": "The bid deadline passed (server clock): no bid is taken; the credit check "
        "runs for every bidder.",
        "opening": "The opening hall is open: each bidder unseals its bid within the "
        "decryption window.",
        "opened": "The window ended: bids not unsealed were revoked or withdrawn; the opening "
        "record is written.",
        "awarded": "The result (中标/成交) is published.",
        "failed": "Failed (废标): too few bids by the deadline, or declared failed by the "
        "agency with a reason.",
        "redo": "An upheld complaint set the result aside: the evaluation is redone or the "
        "winner chosen again, and a new result published (Implementing Regulation art. 71).",
        "annulled": "An upheld complaint ordered the procurement run again: this one ended, "
        "its plan failed, and a new procurement is required.",
    },
)
AnnouncementKind = values_enum(
    "AnnouncementKind",
    ANNOUNCEMENT_KINDS,
    "The kind of a procurement announcement.",
    {
        "tender": "The tender (or procurement) announcement that opens the bidding.",
        "correction": "A correction (更正公告) of the documents or the deadline.",
        "result": "The result announcement (中标/成交结果公告) naming the winners.",
    },
)
field_meanings(
    ("Announcement",),
    {
        "kind": "Tender, correction or result.",
        "title": "Its title, as published.",
        "body": "Its text, as published.",
        "publishedOn": "The day it was published on the portal.",
        "bidDeadline": "The bid deadline it announced (a correction: the new one); null if none.",
        "affectsBids": "A correction that may change how bids are prepared: it comes at least "
        "15 days before the deadline, else it moves the deadline (MOF Order 87 art. 27).",
    },
)
field_meanings(
    ("Award", "AwardInput"),
    {
        "supplierOrganisationId": "The winning supplier's organisation.",
        "supplierName": "The winning supplier's registered name.",
        "supplierUscc": "The winning supplier's unified social credit code.",
        "amount": "Yuan: the awarded amount.",
    },
)
field_meanings(
    ("Project",),
    {
        "planId": "The filed procurement plan it procures.",
        "purchaserId": "The purchaser it procures for.",
        "agencyId": "The agency entrusted with it.",
        "title": "The project's title, as published.",
        "method": "The procurement method.",
        "budget": "Yuan: the budget from its plan.",
        "status": "Where the project stands.",
        "bidDeadline": "The day bids close (Beijing date); see bidDeadlineAt for the instant.",
        "announcements": "What was published for it, oldest first.",
        "awards": "The winners and amounts of its result; empty before.",
    },
)
field_meanings(("ProjectPayload",), {"project": "The project as it is now; null on errors."})
field_meanings(
    (
        "Mutation.publishTenderAnnouncement",
        "Mutation.publishCorrectionAnnouncement",
        "Mutation.publishResultAnnouncement",
    ),
    {
        "bidDeadline": "The day bids close: at least the method's response period after today "
        "(e.g. 20 days for a tender).",
        "affectsBids": "True when the correction may change how bids are prepared.",
        "newBidDeadline": "A later bid deadline; needed when a correction affecting bids comes "
        "less than 15 days before the current one.",
        "awards": "Each winner (by credit code) and its amount; an evaluated project takes the "
        "winner its purchaser confirmed.",
    },
)


@strawberry.type(description="An announcement as published, with its periods explained.")
class Announcement:
    id: strawberry.ID
    kind: AnnouncementKind  # type: ignore[valid-type]
    title: str
    body: str
    published_on: date
    period_end: date | None = strawberry.field(description="Last day it must stay published.")
    bid_deadline: date | None
    affects_bids: bool
    steps: list[str] = strawberry.field(
        description="How the periods were checked.", directives=[ListSize(max=100)]
    )

    @classmethod
    def of(cls, row: dict) -> Announcement:
        return cls(
            id=strawberry.ID(str(row["id"])),
            kind=AnnouncementKind(row["kind"]),
            title=row["title"],
            body=row["body"],
            published_on=row["published_on"],
            period_end=row["period_end"],
            bid_deadline=row["bid_deadline"],
            affects_bids=row["affects_bids"],
            steps=json.loads(row["steps"]),
        )


@strawberry.type(description="A project's award: the winning supplier and the amount in yuan.")
class Award:
    supplier_organisation_id: strawberry.ID
    supplier_name: str
    amount: Decimal


@strawberry.type(description="A procurement an agency runs for a filed plan; money in yuan.")
class Project:
    id: strawberry.ID
    tenant_code: str
    plan_id: strawberry.ID
    purchaser_id: strawberry.ID
    agency_id: strawberry.ID
    title: str
    method: ProcurementMethod  # type: ignore[valid-type]
    budget: Decimal
    status: ProjectStatus  # type: ignore[valid-type]
    bid_deadline: date | None
    bid_deadline_at: datetime | None = strawberry.field(
        description="Sealed electronic bids are taken until this instant (server clock)."
    )
    updated_at: datetime
    _row: strawberry.Private[dict]

    @classmethod
    def of(cls, row: dict) -> Project:
        return cls(
            id=strawberry.ID(str(row["id"])),
            tenant_code=row["tenant_id"],
            plan_id=strawberry.ID(str(row["plan"])),
            purchaser_id=strawberry.ID(str(row["purchaser"])),
            agency_id=strawberry.ID(str(row["agency"])),
            title=row["title"],
            method=ProcurementMethod(row["method"]),
            budget=to_yuan(row["budget_fen"]),
            status=ProjectStatus(row["status"]),
            bid_deadline=row["bid_deadline"],
            bid_deadline_at=row["bid_deadline_at"],
            updated_at=row["updated_at"],
            _row=row,
        )

    @strawberry.field(
        extensions=allow(READERS),
        description="What the project's method does (config/rules/methods).",
    )
    def method_config(self) -> MethodConfig:
        return MethodConfig.of(method_config(self._row["method"]))

    @strawberry.field(
        extensions=allow(READERS),
        description="Bids: a supplier its own; the agency who and when, content once opened.",
        directives=[ListSize(max=500)],
    )
    async def bids(self, info: Info) -> list[Bid]:
        return await project_bids(info, self._row)

    @strawberry.field(extensions=allow(READERS), description="The opening hall.")
    async def opening(self) -> Opening | None:
        return await opening_of(self._row)

    @strawberry.field(extensions=allow(READERS), directives=[ListSize(max=50)])
    async def announcements(self, info: Info) -> list[Announcement]:
        loader = info.context.loaders.get(
            "project_announcements", row_lists_by_key(AnnouncementTable, AnnouncementTable.project)
        )
        rows = sorted(await loader.load(int(self.id)), key=lambda r: r["id"])
        return [Announcement.of(r) for r in rows]

    @strawberry.field(extensions=allow(READERS), directives=[ListSize(max=100)])
    async def awards(self, info: Info) -> list[Award]:
        loader = info.context.loaders.get(
            "project_awards", row_lists_by_key(AwardTable, AwardTable.project)
        )
        return [
            Award(
                supplier_organisation_id=strawberry.ID(str(r["supplier_organisation"])),
                supplier_name=r["supplier_name"],
                amount=to_yuan(r["amount_fen"]),
            )
            for r in sorted(await loader.load(int(self.id)), key=lambda r: r["id"])
        ]


@strawberry.type(description="Per-method configuration of the one project machine.")
class MethodConfig:
    title: str = strawberry.field(description="The method's name, e.g. 公开招标 (open tender).")
    prequalification: bool = strawberry.field(
        description="Whether suppliers are pre-qualified (资格预审) before they may respond."
    )
    prequalification_allowed: bool = strawberry.field(
        description="Whether the agency may run a prequalification (publishPrequalificationNotice)."
    )
    minimum_bidders: int = strawberry.field(
        description="Fewest bids for an opening; fewer at the bid deadline and the project fails (Law art. 36)."
    )
    response_rule: str = strawberry.field(
        description="The rule key of the response period, from the documents to the bid deadline (e.g. bid_period)."
    )
    prices_read_at_opening: bool = strawberry.field(
        description="Whether the opening record reads out prices and discounts (唱标)."
    )
    quote_rounds: int = strawberry.field(
        description="How many rounds of quotes the method takes (e.g. 2 for competitive negotiation), the last the final quote (openQuoteRound); 1 if one."
    )
    sealed_bids: bool = strawberry.field(
        description="Whether responses come as sealed bids through submitBid and are opened in the opening hall."
    )
    invitation_draw: bool = strawberry.field(
        description="Whether the invitees are drawn at random from the prequalified suppliers "
        "(drawInvitees; Law art. 34), and only they obtain the documents and bid."
    )
    source: str = strawberry.field(
        description="The legal source of these values (law, MOF order and article)."
    )
    unverified: bool = strawberry.field(
        description="True if a value is not yet checked against the text of its source."
    )

    @classmethod
    def of(cls, c) -> MethodConfig:
        return cls(
            title=c.title,
            prequalification=c.prequalification,
            prequalification_allowed=c.prequalification_allowed,
            minimum_bidders=c.minimum_bidders,
            response_rule=c.response_rule,
            prices_read_at_opening=c.prices_read_at_opening,
            quote_rounds=c.quote_rounds,
            sealed_bids=c.sealed_bids,
            invitation_draw=c.invitation_draw,
            source=c.source,
            unverified=c.unverified,
        )


@strawberry.input
class AwardInput:
    supplier_uscc: str
    amount: Decimal


@strawberry.type
class ProjectPayload:
    project: Project | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _project(work):
    return run_payload(ProjectPayload, "project", Project.of, work)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(READERS),
        description="Projects in your region (an agency: its own; a purchaser: its unit's).",
    )
    async def projects(
        self,
        info: Info,
        status: ProjectStatus | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Project]:
        page = await service.search(
            info.context.user, status.value if status else None, first, after
        )
        return connection(page, Project.of)

    @strawberry.field(
        extensions=allow(READERS),
        description="A project: its parties (agency, suppliers that obtained its documents or "
        "bid) wherever they are registered; others within their region.",
    )
    async def project(self, info: Info, id: strawberry.ID) -> Project | None:
        try:
            return Project.of(await parties.readable(info.context.user, parse_id(id, "project")))
        except DomainError:
            return None


DEADLINE_AT = strawberry.argument(
    description="An instant: the project then takes sealed electronic bids until it, and the "
    "scheduler closes bidding and opens the hall."
)
ANNOUNCERS = allow(Requires(Perm.PROJECT_ANNOUNCE), LIVE)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.PROJECT_ENTRUST), LIVE),
        description="Entrust your filed plan to an approved agency working in your region.",
    )
    async def entrust_procurement_plan(
        self, info: Info, plan_id: strawberry.ID, agency_id: strawberry.ID
    ) -> ProjectPayload:
        return await _project(
            lambda: service.entrust(
                info.context.user, parse_id(plan_id, "plan"), parse_id(agency_id, "agency")
            )
        )

    @strawberry.mutation(
        extensions=ANNOUNCERS,
        description="Publish today; the bid deadline must leave the method's response period.",
    )
    async def publish_tender_announcement(
        self,
        info: Info,
        project_id: strawberry.ID,
        title: str,
        body: str,
        bid_deadline: date | None = None,
        bid_deadline_at: Annotated[datetime | None, DEADLINE_AT] = None,
    ) -> ProjectPayload:
        return await _project(
            lambda: service.publish_tender(
                info.context.user,
                parse_id(project_id, "project"),
                title,
                body,
                bid_deadline,
                bid_deadline_at=bid_deadline_at,
            )
        )

    @strawberry.mutation(
        extensions=ANNOUNCERS,
        description="Publish a correction today; one affecting bids needs 15 days to the deadline.",
    )
    async def publish_correction_announcement(
        self,
        info: Info,
        project_id: strawberry.ID,
        title: str,
        body: str,
        affects_bids: bool,
        new_bid_deadline: date | None = None,
    ) -> ProjectPayload:
        return await _project(
            lambda: service.publish_correction(
                info.context.user,
                parse_id(project_id, "project"),
                title,
                body,
                affects_bids,
                new_bid_deadline,
            )
        )

    @strawberry.mutation(
        extensions=ANNOUNCERS, description="Publish the result with the winning suppliers today."
    )
    async def publish_result_announcement(
        self, info: Info, project_id: strawberry.ID, title: str, body: str, awards: list[AwardInput]
    ) -> ProjectPayload:
        return await _project(
            lambda: service.publish_result(
                info.context.user,
                parse_id(project_id, "project"),
                title,
                body,
                [service.AwardInput(a.supplier_uscc, a.amount) for a in awards],
            )
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.PROJECT_DECLARE_FAILED), LIVE),
        description="No valid result: the plan fails.",
    )
    async def declare_project_failed(
        self, info: Info, project_id: strawberry.ID, reason: str
    ) -> ProjectPayload:
        return await _project(
            lambda: service.declare_failed(
                info.context.user, parse_id(project_id, "project"), reason
            )
        )
