"""Inquiries, challenges, complaints, their decisions, suspensions and the statutory clocks.

An inquiry and a challenge belong to the project's tenant (the purchaser or agency answers
them); a complaint, its decision and a suspension to the finance department's tenant, the
purchaser's budget level (Law art. 55: 同级政府采购监督管理部门). Each row names its project's
parties (purchaser, agency, supplier organisations), who are registered anywhere in the province
and read their own filings across tenants. Every statutory limit is a `ComplaintClock` row that
the scheduler watches (core/scheduler): met when the step is taken, missed when its day ends.
"""

from piccolo.columns import (
    JSON,
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

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.tables import TenantOwned
from gpcloud.transaction.tables import Project


class Inquiry(TenantOwned, Table, tablename="inquiry"):
    """询问: any supplier's question on a procurement, answered within inquiry_answer (3 wd)."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    purchaser_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    agency_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    asked_by = BigInt()
    text = Text()
    answer = Text(default="")
    asked_on = Date()
    answer_due = Date()
    answered_on = Date(null=True, default=None)
    answered_by = BigInt(null=True, default=None)
    status = Varchar(length=16, default="open", index=True)  # open | answered
    revision = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Challenge(TenantOwned, Table, tablename="challenge"):
    """质疑: one filing per supplier and procurement step, with every item it challenges there.

    `known_on` is the day the supplier knew or should have known (Regulation art. 53), computed
    from the target; `window_end` the last day to file; `answer_due` the answer's last day;
    `complaint_until` the last day to complain (15 wd after the answer period)."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    purchaser_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    agency_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_name = Varchar(length=128)
    filed_by = BigInt()
    target = Varchar(length=16)  # documents | step | result
    step = Varchar(length=32)  # documents | announcement | opening | evaluation | result | ...
    filing_key = Varchar(length=96, unique=True)  # project:supplier:step
    items = JSON(default=[])  # [{"claim", "facts", "request"}]
    affects_result = Boolean(default=True)
    known_on = Date()
    known_basis = Text(default="")
    window_end = Date()
    # The supervision list's filters (service/views.py), indexed concurrently by the migration
    # of 2026-12-06T20:42:27.
    filed_on = Date()
    answer_due = Date()
    complaint_until = Date()
    answer = Text(default="")
    answered_on = Date(null=True, default=None)
    answered_by = BigInt(null=True, default=None)
    answered_late = Boolean(default=False)
    # Found justified, what the answer orders and carried out (Order 94 art. 16, unverified;
    # service/remedies.py): none | redo_step | retender | award_void | contract_void
    remedy = Varchar(length=16, default="none")
    remedy_step = Varchar(length=32, default="")
    carried_out = JSON(default=[])
    status = Varchar(length=16, default="claim", index=True)
    revision = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Complaint(TenantOwned, Table, tablename="complaint"):
    """投诉 to the finance department of the purchaser's budget level, on what was challenged.

    `tenant_id` is the department's region; `project_tenant` the project's. `decision_due` moves
    later by the working days the clock stood still (material requested, testing or expert
    review: Regulation art. 58), counted in `paused_days`."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    project_tenant = Varchar(length=6)
    challenge = ForeignKey(Challenge, on_delete=OnDelete.restrict, unique=True)  # one per challenge
    purchaser_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    agency_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_name = Varchar(length=128)
    filed_by = BigInt()
    items = JSON(default=[])  # [{"item": index in the challenge, "claim", "request"}]
    filed_on = Date()  # indexed concurrently (migration 2026-12-06T20:42:27), as decision_due
    review_due = Date()
    material_request = Text(default="")
    material_requested_on = Date(null=True, default=None)
    accepted_on = Date(null=True, default=None)
    served_on = Date(null=True, default=None)
    response = Text(default="")
    responded_on = Date(null=True, default=None)
    decision_due = Date()
    paused_on = Date(null=True, default=None)
    paused_days = Integer(default=0)
    supplement = Text(default="")  # the missing material, as supplied
    closing_reason = Text(default="")  # rejected, referred, withdrawn: why
    status = Varchar(length=16, default="filed", index=True)
    revision = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ComplaintDecision(TenantOwned, Table, tablename="complaint_decision"):
    """投诉处理决定, published on the portal: dismissed (groundless or not), or upheld with a
    remedy (redo a step, re-tender, the award void, the contract void)."""

    complaint = ForeignKey(Complaint, on_delete=OnDelete.restrict, unique=True)
    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    outcome = Varchar(length=16, index=True)  # dismissed | upheld
    groundless = Boolean(default=False)
    remedy = Varchar(length=16, default="none")
    step = Varchar(length=32, default="")
    reasons = Text()
    document = Varchar(length=128)
    decided_on = Date(index=True)
    decided_by = BigInt()
    # What the remedy moved, with the decision: [{"object", "id", "from", "to"}]
    carried_out = JSON(default=[])
    created_at = Timestamptz(default=TimestamptzNow())


class Suspension(TenantOwned, Table, tablename="procurement_suspension"):
    """暂停采购活动: the department halts a procurement during a complaint, at most
    procurement_suspension_max (30 d, Law art. 57); it expires by itself at the end of
    `ends_on` or is lifted earlier."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    project_tenant = Varchar(length=6)
    complaint = ForeignKey(Complaint, on_delete=OnDelete.restrict, index=True)
    ordered_by = BigInt()
    reason = Text()
    starts_on = Date()
    ends_on = Date()
    lifted_on = Date(null=True, default=None)
    # The project's timer it holds (transaction/holds.py): {"timer", "remaining_seconds", "was"}
    held = JSON(default={})
    status = Varchar(length=16, default="active", index=True)  # active | lifted | expired
    revision = Integer(default=0)
    next_check = Timestamptz(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ComplaintClock(TenantOwned, Table, tablename="complaint_clock"):
    """One statutory limit of one filing: open until its step is taken (met) or its day ends
    (missed: the scheduler, at the end of `due_on` in Asia/Shanghai). A paused clock (the
    decision's, during testing or missing material) has no timer until it resumes."""

    kind = Varchar(length=16)  # inquiry | challenge | complaint
    object_id = BigInt(index=True)
    name = Varchar(length=24)  # answer | complaint_window | review | material | copy | ...
    rule = Varchar(length=48)
    due_on = Date()
    steps = JSON(default=[])
    status = Varchar(length=16, default="open", index=True)
    met_on = Date(null=True, default=None)
    revision = Integer(default=0)
    next_check = Timestamptz(null=True, default=None, index=True)
