"""Notifications: the caller's inbox and channel preferences; the outbox for admins."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_mutation, run_payload
from gpcloud.core.graphql.permissions import Authenticated, Requires, allow
from gpcloud.core.graphql.types import Connection, UserError, connection, parse_id
from gpcloud.core.notifications import outbox, preferences, service
from gpcloud.core.notifications.tables import DELIVERY_STATUSES
from gpcloud.core.notifications.templates import CATALOGUE
from gpcloud.core.tenancy.graphql import Tenant, tenant_by_code

# What a kind means, for the schema's readers (the catalogue's titles are for the inbox).
KIND_MEANINGS = {
    "plan.filed": "To the purchaser: its procurement plan was filed (备案) by the finance "
    "department; the procurement may start.",
    "plan.returned": "To the purchaser: its plan was sent back, with the reason.",
    "contract.awaiting_signature": "To a party of a contract: the contract waits for its "
    "e-signature.",
    "contract.publication_overdue": "To the purchaser: a signed contract is not yet published "
    "within 2 working days (Regulation art. 50).",
    "intention.open": "To suppliers following the category: a procurement intention was published.",
    "import.finished": "To whoever started an import: it finished; the counts and the reject "
    "report are on the job.",
    "plugin_request.approved": "To the tenant's admins: the province approved their plugin.",
    "plugin_request.rejected": "To the tenant's admins: the province rejected their plugin, "
    "saying why.",
    "deadline.moved": "To an object's owners: loading a calendar year moved one of its open "
    "deadlines.",
    "mall_order.placed": "To a supplier: an e-mall order waits for its confirmation by the "
    "order's confirmDue (emall_order_confirmation), or it lapses.",
    "mall_order.lapsed": "To the purchaser: its e-mall order lapsed, unconfirmed by the "
    "supplier; stock and budget were released.",
    "mall_group_buy.closed": "To the organising region's admins: joining a group buy closed; "
    "procure the shares' total and record the award.",
    "mall_order.split_warning": "To the region's supervisors: a unit's e-mall orders of one category this "
    "budget year passed the mode's cap (suspected 拆分采购, splitting).",
    "project.opening_hall": "To each bidder: bidding closed and the opening hall is open; "
    "unseal your bid with its content key before the decryption window ends (a bid left "
    "sealed by your cause is revoked).",
    "project.too_few_bids": "To the bidders and the agency: fewer bids than the method's "
    "minimumBidders came by the bid deadline; there is no opening (the project fails).",
    "project.documents_corrected": "To each supplier that obtained the procurement documents "
    "(采购文件): a new version was published (a clarification or correction, 澄清/更正).",
    "project.question_answered": "To the supplier that asked: the agency answered its "
    "inquiry (询问) on the project.",
    "project.prequalification_result": "To each applicant, when the prequalification is "
    "concluded: whether it qualified (资格预审结果), with the reason of a rejection.",
    "project.too_few_qualified": "To each applicant and the agency: the prequalification "
    "ended with fewer qualified suppliers than the method's minimum, so the project failed "
    "(re-tender, or apply to switch method).",
    "project.invited": "To each supplier drawn as an invitee of an invited tender "
    "(投标邀请书): it may obtain the documents and bid once they are published.",
    "project.prequalification_corrected": "To each applicant: the prequalification notice was "
    "clarified or corrected (the application deadline may have moved).",
    "project.quote_round_opened": "To each supplier invited to a quote round: quote before "
    "its deadline (submitQuote); the final round asks for the final quote (最后报价).",
    "project.opening_record": "To each bidder: the opening record (开标记录) is written; "
    "confirm it or object to it (respondToOpeningRecord).",
    "expert_draw.invited": "To a drawn expert: you hold a seat on an evaluation committee; "
    "confirm or decline before confirmBy (confirmExpertAssignment), or the next backup is called.",
    "evaluation.correction_proposed": "To a bidder: the committee corrected its price "
    "arithmetically; confirm or refuse it (answerPriceCorrection).",
    "evaluation.low_price_requested": "To a bidder: its price is abnormally low; explain it "
    "before the deadline (explainLowPrice).",
    "evaluation_report.sent": "To the purchaser: the evaluation report was sent; confirm the "
    "winner in ranking order before confirmBy (confirmEvaluationWinner).",
    "evaluation.result": "To each bidder: the winner is confirmed; its own outcome only (won, "
    "its rank and score, or why its bid was invalid).",
    "evaluation.outliers": "To the committee's chair, once every member submitted: the "
    "scores the engine flags as outliers (which bidders, not whose), to raise before the report "
    "is frozen.",
    "evaluation_committee.incomplete": "To the agency: a seat of its committee fell free and "
    "no backup was left; the evaluation cannot start.",
    "inquiry.step": "An inquiry (询问) was asked (to the purchaser and agency) or answered (to "
    "the supplier).",
    "challenge.step": "A challenge (质疑) was filed, answered (to every supplier of the "
    "project), withdrawn or accepted.",
    "complaint.step": "A complaint (投诉) moved: filed, material asked or supplied, accepted, "
    "served, answered, paused, decided, withdrawn.",
    "suspension.step": "The procurement was suspended by the finance department, or resumed.",
    "complaints.clock_missed": "A statutory limit of an inquiry, challenge or complaint passed "
    "without its step: the filing is overdue.",
}
NotificationKind = strawberry.enum(
    Enum(
        "NotificationKind",
        {
            k.replace(".", "_").upper(): strawberry.enum_value(k, description=KIND_MEANINGS[k])
            if k in KIND_MEANINGS
            else k
            for k in CATALOGUE
        },
    ),
    description="What happened; each kind has its message template and channel preference.",
)
DELIVERY_MEANINGS = {
    "pending": "Waiting for an attempt (at nextAttemptAt after a failure).",
    "sending": "A worker is sending it now.",
    "sent": "The channel took it (reference is its id there).",
    "dead": "The attempts ran out or it cannot succeed; an admin may retry it.",
}
DeliveryStatus = strawberry.enum(
    Enum(
        "DeliveryStatus",
        {
            s.upper(): strawberry.enum_value(s, description=DELIVERY_MEANINGS[s])
            for s in DELIVERY_STATUSES
        },
    ),
    description="PENDING: waiting for an attempt (nextAttemptAt after a failure); DEAD: the "
    "attempts ran out or cannot succeed, until an admin retries it.",
)
DELIVERY_READERS = Requires(Perm.NOTIFICATION_DELIVERY_READ)


@strawberry.type(description="A message in the caller's inbox.")
class Notification:
    id: strawberry.ID
    kind: NotificationKind = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    subject: str = strawberry.field(description="One line, in Chinese.")
    body: str = strawberry.field(description="The message, in Chinese.")
    object_type: str = strawberry.field(description="What it is about, e.g. procurement_plan.")
    object_id: str = strawberry.field(description="The id of what it is about.")
    due: date | None = strawberry.field(description="The deadline, where there is one.")
    due_explanation: str = strawberry.field(description="The rule behind the deadline.")
    params: JSON = strawberry.field(description="The event's parameters, as text.")
    read_at: datetime | None = strawberry.field(description="When you marked it read.")
    created_at: datetime

    @classmethod
    def of(cls, row: dict) -> Notification:
        return cls(
            id=strawberry.ID(str(row["id"])),
            kind=NotificationKind(row["kind"]),
            subject=row["subject"],
            body=row["body"],
            object_type=row["object_type"],
            object_id=row["object_id"],
            due=row["due"],
            due_explanation=row["due_explanation"],
            params=row["params"] or {},
            read_at=row["read_at"],
            created_at=row["created_at"],
        )


@strawberry.type(
    description="A way notifications reach people (e-mail, or a plugin's channel such as SMS)."
)
class Channel:
    name: str = strawberry.field(description="The channel's key, e.g. email.")
    title: str = strawberry.field(description="Its name, for people.")


@strawberry.type(description="The channels beyond the inbox the caller gets a kind on.")
class NotificationPreference:
    kind: NotificationKind = strawberry.field(description="The kind.")  # type: ignore[valid-type]
    title: str = strawberry.field(description="The kind's title, for people.")
    channels: list[str] = strawberry.field(
        directives=[ListSize(max=20)], description="Where it is sent besides the inbox."
    )

    @classmethod
    def of(cls, row: dict) -> NotificationPreference:
        return cls(kind=NotificationKind(row["kind"]), title=row["title"], channels=row["channels"])


@strawberry.type(
    description="The caller's channels per notification kind, and the channels there are."
)
class NotificationPreferences:
    kinds: list[NotificationPreference] = strawberry.field(
        directives=[ListSize(max=100)], description="Every kind with your channels for it."
    )
    available_channels: list[Channel] = strawberry.field(
        directives=[ListSize(max=20)],
        description="E-mail, and the channels of plugins approved for the caller's region.",
    )


@strawberry.type(description="One notification's delivery over one channel beyond the inbox.")
class NotificationDelivery:
    id: strawberry.ID
    channel: str = strawberry.field(description="Where it goes, e.g. email.")
    status: DeliveryStatus = strawberry.field(description="Where it stands.")  # type: ignore[valid-type]
    attempts: int = strawberry.field(description="Attempts made so far.")
    next_attempt_at: datetime | None = strawberry.field(description="When it is tried next.")
    last_error: str = strawberry.field(description="Why the last attempt failed.")
    reference: str = strawberry.field(description="The channel's id for it, once sent.")
    sent_at: datetime | None = strawberry.field(description="When the channel took it.")
    created_at: datetime
    updated_at: datetime
    kind: NotificationKind = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    subject: str = strawberry.field(description="The message's subject line.")
    recipient: str = strawberry.field(description="The recipient's login name.")
    tenant_code: strawberry.Private[str]

    @classmethod
    def of(cls, row: dict) -> NotificationDelivery:
        return cls(
            id=strawberry.ID(str(row["id"])),
            channel=row["channel"],
            status=DeliveryStatus(row["status"]),
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"],
            last_error=row["last_error"],
            reference=row["reference"],
            sent_at=row["sent_at"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            kind=NotificationKind(row["kind"]),
            subject=row["subject"],
            recipient=row["recipient"],
            tenant_code=row["tenant_id"],
        )

    @strawberry.field(
        extensions=allow(DELIVERY_READERS),
        description="The region of the notification's recipient.",
    )
    async def tenant(self) -> Tenant | None:
        return await tenant_by_code(self.tenant_code)


@strawberry.type
class MarkNotificationsReadPayload:
    marked: int = strawberry.field(default=0, description="How many were unread until now.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class NotificationPreferencePayload:
    preference: NotificationPreference | None = strawberry.field(
        default=None, description="The preference as stored; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class NotificationDeliveryPayload:
    delivery: NotificationDelivery | None = strawberry.field(
        default=None, description="The delivery as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(Authenticated()),
        description="The caller's inbox, oldest first (unread: only what is still unread).",
    )
    async def notifications(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        unread: Annotated[bool, strawberry.argument(description="Only those not read.")] = False,
        kinds: Annotated[
            list[NotificationKind] | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only these kinds (at most 20); all when not given."),
        ] = None,
    ) -> Connection[Notification]:
        wanted = None if kinds is None else [k.value for k in kinds][:20]
        page = await service.inbox(info.context.user, unread, first, after, wanted)
        return connection(page, Notification.of)

    @strawberry.field(
        extensions=allow(Authenticated()),
        description="Where each kind of notification reaches you, and the channels there are.",
    )
    async def notification_preferences(self, info: Info) -> NotificationPreferences:
        kinds, available = await preferences.preferences(info.context.user)
        return NotificationPreferences(
            kinds=[NotificationPreference.of(k) for k in kinds],
            available_channels=[Channel(name=n, title=t) for n, t in available.items()],
        )

    @strawberry.field(
        extensions=allow(DELIVERY_READERS),
        description="Deliveries of your region, e.g. status: DEAD for the dead letters.",
    )
    async def notification_deliveries(
        self,
        info: Info,
        status: Annotated[
            DeliveryStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only deliveries in this state."),
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[NotificationDelivery]:
        page = await outbox.search(
            info.context.user, status.value if status else None, first, after
        )
        return connection(page, NotificationDelivery.of)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Authenticated()),
        description="Mark the given notifications of your inbox read, or all of them.",
    )
    async def mark_notifications_read(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID] | None, strawberry.argument(description="These notifications.")
        ] = None,
        all: Annotated[bool, strawberry.argument(description="Every unread one.")] = False,
    ) -> MarkNotificationsReadPayload:
        async def work() -> MarkNotificationsReadPayload:
            numbers = None if ids is None else [parse_id(i, "notification") for i in ids]
            marked = await service.mark_read(info.context.user, numbers, all)
            return MarkNotificationsReadPayload(marked=marked)

        return await run_mutation(MarkNotificationsReadPayload, work)

    @strawberry.mutation(
        extensions=allow(Authenticated()),
        description="Choose the channels beyond the inbox for a kind ([] for the inbox only).",
    )
    async def set_notification_preference(
        self,
        info: Info,
        kind: Annotated[
            NotificationKind,  # type: ignore[valid-type]
            strawberry.argument(description="The kind whose channels change."),
        ],
        channels: Annotated[
            list[str],
            strawberry.argument(description="Every channel it goes to besides the inbox."),
        ],
    ) -> NotificationPreferencePayload:
        return await run_payload(
            NotificationPreferencePayload,
            "preference",
            NotificationPreference.of,
            lambda: preferences.set_channels(info.context.user, kind.value, channels),
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.NOTIFICATION_DELIVERY_RETRY)),
        description="Give a dead delivery a fresh round of attempts.",
    )
    async def retry_notification_delivery(
        self, info: Info, id: strawberry.ID
    ) -> NotificationDeliveryPayload:
        return await run_payload(
            NotificationDeliveryPayload,
            "delivery",
            NotificationDelivery.of,
            lambda: outbox.retry(info.context.user, parse_id(id, "delivery")),
        )
