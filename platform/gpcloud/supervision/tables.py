from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from gpcloud.core.tenancy.tables import TenantOwned
from gpcloud.integrations.digital_finance.tables import BudgetIndicator
from gpcloud.registries.purchasers.tables import Purchaser

OBJECT_TYPES = ("goods", "works", "services")
METHODS = (
    "open_tender",
    "invited_tender",
    "competitive_negotiation",
    "competitive_consultation",
    "request_for_quotation",
    "single_source",
    "framework_agreement",
)
# Caiku [2020] 10: purchases that need no intention published in advance.
INTENTION_EXEMPTIONS = ("agreement_or_designated_small", "batch_centralised", "urgent")


class ProcurementIntention(TenantOwned, Table, tablename="procurement_intention"):
    """A purchaser's advance notice of a procurement (采购意向), published >= 30 days before the
    procurement starts. Money in fen."""

    purchaser = ForeignKey(Purchaser, on_delete=OnDelete.restrict, index=True)
    project_name = Varchar(length=200)
    requirement_summary = Text()
    budget_fen = BigInt()
    object_type = Varchar(length=16)
    expected_start = Date()
    status = Varchar(length=16, default="draft", index=True)  # supervision/workflow.py
    published_on = Date(null=True, default=None)
    # The earliest day the procurement may start, and how it was computed (JSON list of steps).
    earliest_start = Date(null=True, default=None)
    deadline_steps = Text(default="[]")
    revision = Integer(default=0)  # bumped by every transition (core/workflow)
    # When the scheduler must look at it next (core/scheduler); null: nothing is due.
    next_check = Timestamptz(null=True, default=None, index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class ProcurementPlan(TenantOwned, Table, tablename="procurement_plan"):
    """A purchaser's declared plan (采购计划) against budget indicators, filed (备案) by a
    supervisor. `origin` legacy marks plans carried over from the old system at cutover."""

    purchaser = ForeignKey(Purchaser, on_delete=OnDelete.restrict, index=True)
    intention = ForeignKey(
        ProcurementIntention, null=True, default=None, on_delete=OnDelete.restrict, index=True
    )
    intention_exemption = Varchar(length=32, default="")
    title = Varchar(length=200)
    object_type = Varchar(length=16)
    method = Varchar(length=32)
    # The finance department's approval of another method at or above the open-tender
    # threshold (变更采购方式审批), e.g. its document number; empty when none.
    method_exception = Varchar(length=128, default="")
    category_code = Varchar(length=32, default="")
    amount_fen = BigInt()
    status = Varchar(length=24, default="draft", index=True)
    origin = Varchar(length=16, default="platform")  # platform | legacy
    legacy_reference = Varchar(length=64, default="")
    return_reason = Text(default="")
    submitted_at = Timestamptz(null=True, default=None)
    filed_at = Timestamptz(null=True, default=None)
    reserved = Boolean(default=False)  # its lines hold their amounts on the indicators
    revision = Integer(default=0)  # bumped by every transition (core/workflow)
    updated_at = Timestamptz(default=TimestamptzNow())


class PlanLine(TenantOwned, Table, tablename="procurement_plan_line"):
    """The part of a plan one budget indicator funds."""

    plan = ForeignKey(ProcurementPlan, on_delete=OnDelete.cascade, index=True)
    indicator = ForeignKey(BudgetIndicator, on_delete=OnDelete.restrict, index=True)
    amount_fen = BigInt()
    paid_fen = BigInt(default=0)  # payments of the plan's contracts drawn on this line


class PublicationOverride(TenantOwned, Table, tablename="publication_override"):
    """An agency's override of a warn-level publication warning (supervision/warnings), with
    its reason: requested for one rule on one plan's next publication of a kind, used by that
    publication (what the rule matched is recorded then). In the plan's tenant, so that the
    finance department of the region sees every override."""

    plan = ForeignKey(ProcurementPlan, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=16, index=True)  # documents | tender | correction | result
    rule = Varchar(length=64, index=True)
    reason = Text()
    status = Varchar(length=16, default="pending", index=True)  # supervision/workflow.py
    organisation = Integer()  # the agency's
    requested_by = Integer()
    requested_at = Timestamptz(index=True)
    subject = Varchar(length=64, default="")  # "project:12:tender", once used
    article = Text(default="")
    matched = Text(default="[]")  # JSON list of what the rule matched, once used
    used_at = Timestamptz(null=True, default=None)
    used_by = Integer(null=True, default=None)
    revision = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())
