"""Intentions and plans through the API: purchasers declare, supervisors file or return, and
everyone with a role in the region reads (a purchaser: its own unit's)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum, values_enum
from gpcloud.core.graphql.mutations import run_payload
from gpcloud.core.graphql.permissions import Requires, SubsystemLive, allow
from gpcloud.core.graphql.types import Connection, UserError, connection, parse_id
from gpcloud.core.money import to_yuan
from gpcloud.core.ops.descriptions import field_meanings
from gpcloud.core.scheduler.graphql import Schedule, schedule_of
from gpcloud.supervision import intentions, plans
from gpcloud.supervision.tables import INTENTION_EXEMPTIONS, METHODS, OBJECT_TYPES
from gpcloud.supervision.workflow import INTENTION, PLAN

LIVE = SubsystemLive("supervision")


ObjectType = values_enum(
    "ObjectType",
    OBJECT_TYPES,
    description="What a procurement buys: goods, works or services.",
    meanings={"goods": "货物.", "works": "工程.", "services": "服务."},
)
ProcurementMethod = values_enum(
    "ProcurementMethod",
    METHODS,
    description="How a procurement is made (GP Law art. 26).",
    meanings={
        "open_tender": "公开招标: any supplier may bid.",
        "invited_tender": "邀请招标: suppliers chosen at random from qualified ones are invited.",
        "competitive_negotiation": "竞争性谈判: a panel negotiates with at least three suppliers.",
        "competitive_consultation": "竞争性磋商: consultation, then comprehensive scoring.",
        "request_for_quotation": "询价: goods of a uniform standard, lowest price wins.",
        "single_source": "单一来源: one supplier only, with the reason published first.",
        "framework_agreement": "框架协议: purchases under an agreement concluded beforehand.",
    },
)
IntentionExemption = values_enum(
    "IntentionExemption",
    INTENTION_EXEMPTIONS,
    description="Why a plan needs no published procurement intention (Caiku [2020] 10).",
    meanings={
        "agreement_or_designated_small": "A small purchase under an agreement or at a "
        "designated supplier.",
        "batch_centralised": "Part of a batch of centralised procurement.",
        "urgent": "An urgent procurement that could not be foreseen.",
    },
)
IntentionStatus = state_enum(
    "IntentionStatus",
    INTENTION,
    {
        "draft": "Written, not published.",
        "published": "On the portal; the procurement may not start before earliestStart.",
        "open": "earliestStart has come: the procurement may begin.",
        "withdrawn": "Taken back.",
    },
)
LegacyPlanState = values_enum(
    "LegacyPlanState",
    plans.LEGACY_STATES,
    description="The state a plan had in the old portal, kept when it was migrated.",
    meanings={
        "filed_unexecuted": "Filed and not executed: carried over as recalled.",
        "in_progress": "Being executed: carried over as executing.",
        "failed": "Its procurement failed: carried over as failed.",
    },
)
FailedPlanAction = values_enum(
    "FailedPlanAction",
    ("restart", "terminate"),
    description="What to do with a plan whose procurement failed: start it again, or end it.",
    meanings={
        "restart": "Procure again under the original procedure.",
        "terminate": "End the plan and release what it holds, to declare it again.",
    },
)
PlanStatus = state_enum(
    "PlanStatus",
    PLAN,
    {
        "draft": "Written by the purchaser, not submitted.",
        "submitted": "Waiting for a supervisor to file it; its lines hold budget.",
        "returned": "Sent back with a reason; the purchaser may correct and submit it again.",
        "filed": "Filed (备案): the purchaser may entrust a project.",
        "recalled": "Taken back before execution; its budget released.",
        "executing": "A project is procuring it.",
        "failed": "Its procurement failed: restart or terminate it.",
        "terminated": "Ended; what it held is released.",
    },
)
field_meanings(
    ("ProcurementIntention", "IntentionInput"),
    {
        "purchaserId": "The purchaser that will procure.",
        "projectName": "The project's name, as it will be published.",
        "requirementSummary": "What is to be bought, in a few sentences.",
        "budget": "Yuan, the estimated budget.",
        "objectType": "Goods, works or services.",
        "expectedStart": "The day the purchaser expects to start procuring.",
        "status": "Where the intention stands.",
        "publishedOn": "The day it appeared on the portal; null before.",
    },
)
field_meanings(
    ("ProcurementPlan", "PlanInput", "PlanLine", "PlanLineInput"),
    {
        "purchaserId": "The purchaser that procures.",
        "intentionId": "The published intention it follows; null when exempt.",
        "intentionExemption": "Why no intention was published (empty when one was).",
        "title": "The plan's title, as published.",
        "objectType": "Goods, works or services.",
        "method": "The procurement method planned.",
        "methodException": "The approval of another method at or above the threshold.",
        "categoryCode": "The catalogue code of what is bought.",
        "amount": "Yuan: the plan's total, the sum of its lines.",
        "status": "Where the plan stands.",
        "legacyReference": "Its number in the old system, for a plan carried over; else empty.",
        "returnReason": "Why a supervisor returned it; empty otherwise.",
        "submittedAt": "When it was last submitted for filing.",
        "filedAt": "When it was filed.",
        "lines": "The indicators funding the plan and the amount from each.",
        "indicatorId": "The budget indicator that funds the line.",
    },
)
field_meanings(
    ("IntentionPayload", "PlanPayload"),
    {
        "intention": "The intention as it is now; null on errors.",
        "plan": "The plan as it is now; null on errors.",
    },
)
field_meanings(
    ("Mutation.carryOverProcurementPlan", "Mutation.resolveFailedProcurementPlan"),
    {
        "legacyState": "The state it had in the old system.",
        "legacyReference": "Its number in the old system, kept for look-ups.",
        "action": "Restart or terminate.",
    },
)


@strawberry.type(description="A procurement intention (采购意向); money in yuan.")
class ProcurementIntention:
    id: strawberry.ID
    tenant_code: str
    purchaser_id: strawberry.ID
    project_name: str
    requirement_summary: str
    budget: Decimal
    object_type: ObjectType  # type: ignore[valid-type]
    expected_start: date
    status: IntentionStatus  # type: ignore[valid-type]
    published_on: date | None
    earliest_start: date | None = strawberry.field(
        description="The first day the procurement may start, given the publication date."
    )
    deadline_steps: list[str] = strawberry.field(
        description="How earliestStart was computed.", directives=[ListSize(max=100)]
    )
    schedule: Schedule = strawberry.field(description="What the platform will do by itself.")

    @classmethod
    def of(cls, row: dict) -> ProcurementIntention:
        return cls(
            id=strawberry.ID(str(row["id"])),
            tenant_code=row["tenant_id"],
            purchaser_id=strawberry.ID(str(row["purchaser"])),
            project_name=row["project_name"],
            requirement_summary=row["requirement_summary"],
            budget=to_yuan(row["budget_fen"]),
            object_type=ObjectType(row["object_type"]),
            expected_start=row["expected_start"],
            status=IntentionStatus(row["status"]),
            published_on=row["published_on"],
            earliest_start=row["earliest_start"],
            deadline_steps=json.loads(row["deadline_steps"]),
            schedule=schedule_of(INTENTION, row),
        )


@strawberry.type(
    description="One line of a procurement plan: the budget indicator that funds it and the amount in yuan."
)
class PlanLine:
    indicator_id: strawberry.ID
    amount: Decimal


@strawberry.type(description="A procurement plan (采购计划) and where it stands; money in yuan.")
class ProcurementPlan:
    id: strawberry.ID
    tenant_code: str
    purchaser_id: strawberry.ID
    intention_id: strawberry.ID | None
    intention_exemption: str
    title: str
    object_type: ObjectType  # type: ignore[valid-type]
    method: ProcurementMethod  # type: ignore[valid-type]
    method_exception: str
    category_code: str
    amount: Decimal
    status: PlanStatus  # type: ignore[valid-type]
    origin: str = strawberry.field(description="platform, or legacy (carried over at cutover).")
    legacy_reference: str
    return_reason: str
    submitted_at: datetime | None
    filed_at: datetime | None

    @classmethod
    def of(cls, row: dict) -> ProcurementPlan:
        return cls(
            id=strawberry.ID(str(row["id"])),
            tenant_code=row["tenant_id"],
            purchaser_id=strawberry.ID(str(row["purchaser"])),
            intention_id=strawberry.ID(str(row["intention"])) if row["intention"] else None,
            intention_exemption=row["intention_exemption"],
            title=row["title"],
            object_type=ObjectType(row["object_type"]),
            method=ProcurementMethod(row["method"]),
            method_exception=row["method_exception"],
            category_code=row["category_code"],
            amount=to_yuan(row["amount_fen"]),
            status=PlanStatus(row["status"]),
            origin=row["origin"],
            legacy_reference=row["legacy_reference"],
            return_reason=row["return_reason"],
            submitted_at=row["submitted_at"],
            filed_at=row["filed_at"],
        )

    @strawberry.field(
        extensions=allow(Requires(Perm.PLAN_READ)),
        description="The indicators funding the plan.",
        directives=[ListSize(max=plans.MAX_LINES)],
    )
    async def lines(self, info: Info) -> list[PlanLine]:
        loader = info.context.loaders.get("plan_lines", plans.lines_by_plan)
        return [
            PlanLine(
                indicator_id=strawberry.ID(str(r["indicator"])), amount=to_yuan(r["amount_fen"])
            )
            for r in await loader.load(int(self.id))
        ]


@strawberry.input
class IntentionInput:
    project_name: str
    requirement_summary: str
    budget: Decimal
    object_type: ObjectType  # type: ignore[valid-type]
    expected_start: date


@strawberry.input
class PlanLineInput:
    indicator_id: strawberry.ID
    amount: Decimal


@strawberry.input
class PlanInput:
    title: str
    object_type: ObjectType  # type: ignore[valid-type]
    method: ProcurementMethod  # type: ignore[valid-type]
    lines: list[PlanLineInput]
    intention_id: strawberry.ID | None = None
    intention_exemption: IntentionExemption | None = None  # type: ignore[valid-type]
    method_exception: str = strawberry.field(
        default="", description="The approval of another method at or above the threshold."
    )
    category_code: str = ""

    def to_service(self) -> plans.PlanInput:
        return plans.PlanInput(
            title=self.title,
            object_type=self.object_type.value,
            method=self.method.value,
            lines=[
                plans.LineInput(parse_id(line.indicator_id, "budget indicator"), line.amount)
                for line in self.lines
            ],
            intention_id=parse_id(self.intention_id, "intention") if self.intention_id else None,
            intention_exemption=self.intention_exemption.value if self.intention_exemption else "",
            method_exception=self.method_exception,
            category_code=self.category_code,
        )


@strawberry.type
class IntentionPayload:
    intention: ProcurementIntention | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PlanPayload:
    plan: ProcurementPlan | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(Requires(Perm.INTENTION_READ)),
        description="Intentions in your region (a purchaser: its unit's).",
    )
    async def procurement_intentions(
        self,
        info: Info,
        status: IntentionStatus | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ProcurementIntention]:
        page = await intentions.search(
            info.context.user, status.value if status else None, first, after
        )
        return connection(page, ProcurementIntention.of)

    @strawberry.field(
        extensions=allow(Requires(Perm.PLAN_READ)),
        description="Plans in your region (a purchaser: its unit's); status SUBMITTED lists "
        "those awaiting filing.",
    )
    async def procurement_plans(
        self,
        info: Info,
        status: PlanStatus | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ProcurementPlan]:
        page = await plans.search(info.context.user, status.value if status else None, first, after)
        return connection(page, ProcurementPlan.of)


def _intention(work):
    return run_payload(IntentionPayload, "intention", ProcurementIntention.of, work)


def _plan(work):
    return run_payload(PlanPayload, "plan", ProcurementPlan.of, work)


def live(permission: Perm) -> list:
    return allow(Requires(permission), LIVE)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=live(Perm.INTENTION_CREATE), description="A draft intention of your unit."
    )
    async def create_procurement_intention(
        self, info: Info, input: IntentionInput
    ) -> IntentionPayload:
        data = intentions.IntentionInput(
            input.project_name,
            input.requirement_summary,
            input.budget,
            input.object_type.value,
            input.expected_start,
        )
        return await _intention(lambda: intentions.create(info.context.user, data))

    @strawberry.mutation(
        extensions=live(Perm.INTENTION_PUBLISH),
        description="Publish today; refused when the expected start is too soon (intention_lead).",
    )
    async def publish_procurement_intention(
        self, info: Info, id: strawberry.ID
    ) -> IntentionPayload:
        return await _intention(
            lambda: intentions.publish(info.context.user, parse_id(id, "intention"))
        )

    @strawberry.mutation(
        extensions=live(Perm.INTENTION_WITHDRAW), description="Take an intention back."
    )
    async def withdraw_procurement_intention(
        self, info: Info, id: strawberry.ID
    ) -> IntentionPayload:
        return await _intention(
            lambda: intentions.withdraw(info.context.user, parse_id(id, "intention"))
        )

    @strawberry.mutation(
        extensions=live(Perm.PLAN_CREATE), description="A draft plan of your unit."
    )
    async def create_procurement_plan(self, info: Info, input: PlanInput) -> PlanPayload:
        return await _plan(lambda: plans.create(info.context.user, input.to_service()))

    @strawberry.mutation(
        extensions=live(Perm.PLAN_SUBMIT),
        description="Declare the plan: thresholds checked, its lines reserved on the indicators.",
    )
    async def submit_procurement_plan(self, info: Info, id: strawberry.ID) -> PlanPayload:
        return await _plan(lambda: plans.submit(info.context.user, parse_id(id, "plan")))

    @strawberry.mutation(
        extensions=live(Perm.PLAN_FILE), description="File (备案) a submitted plan."
    )
    async def file_procurement_plan(self, info: Info, id: strawberry.ID) -> PlanPayload:
        return await _plan(lambda: plans.file(info.context.user, parse_id(id, "plan")))

    @strawberry.mutation(
        extensions=live(Perm.PLAN_RETURN),
        description="Return a submitted plan to the purchaser, with why.",
    )
    async def return_procurement_plan(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> PlanPayload:
        return await _plan(
            lambda: plans.return_plan(info.context.user, parse_id(id, "plan"), reason)
        )

    @strawberry.mutation(
        extensions=live(Perm.PLAN_RECALL),
        description="Take back a plan not yet executed; releases its budget.",
    )
    async def recall_procurement_plan(self, info: Info, id: strawberry.ID) -> PlanPayload:
        return await _plan(lambda: plans.recall(info.context.user, parse_id(id, "plan")))

    @strawberry.mutation(
        extensions=live(Perm.PLAN_CARRY_OVER),
        description="Cutover (seed 九): carry a plan over from the old system (its lines give "
        "the amount; nothing is reserved here). filed_unexecuted "
        "comes in RECALLED (declare it again), in_progress EXECUTING, failed FAILED.",
    )
    async def carry_over_procurement_plan(
        self,
        info: Info,
        purchaser_id: strawberry.ID,
        input: PlanInput,
        legacy_state: LegacyPlanState,  # type: ignore[valid-type]
        legacy_reference: str,
    ) -> PlanPayload:
        return await _plan(
            lambda: plans.register_legacy(
                info.context.user,
                parse_id(purchaser_id, "purchaser"),
                input.to_service(),
                legacy_state.value,
                legacy_reference,
            )
        )

    @strawberry.mutation(
        extensions=live(Perm.PLAN_RESOLVE_FAILED),
        description="A failed plan: RESTART under its original procedure, or TERMINATE it "
        "(releasing what it holds) to declare it again.",
    )
    async def resolve_failed_procurement_plan(
        self,
        info: Info,
        id: strawberry.ID,
        action: FailedPlanAction,  # type: ignore[valid-type]
    ) -> PlanPayload:
        return await _plan(
            lambda: plans.resolve_failed(info.context.user, parse_id(id, "plan"), action.value)
        )
