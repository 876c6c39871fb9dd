"""Tables of the evaluation: the committee of a project (or one lot), its expert draw and the
drawn experts (seats and backups in order).

All are tenant-owned: a committee is part of the tenant's procedure. Experts are province-shared
(registries/experts), so a draw member names its expert by id. Uniqueness over several columns
(one committee per project and lot, one draw per committee, a position once per draw) is built
in the hand-written migration after the auto one.
"""

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

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.tables import TenantOwned
from gpcloud.registries.agencies.tables import AgencyRoom
from gpcloud.registries.experts.tables import Expert
from gpcloud.transaction.tables import Bid, Project

DRAW_TYPES = ("review", "non_review")  # seed §8: 非评审项目 during the trial run
MEMBER_STATUSES = (
    "waiting",
    "invited",
    "confirmed",
    "declined",
    "timed_out",
    "recused",
    "released",
)


class EvaluationCommittee(TenantOwned, Table, tablename="evaluation_committee"):
    """评标委员会 / 谈判小组 / 询价小组 / 磋商小组 of a project's lot ("" = the whole project):
    its composition as checked against the rules, and what the draw searches for."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    lot = Varchar(length=32, default="")
    agency_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    method = Varchar(length=32)
    members = Integer()  # total, odd
    expert_seats = Integer()  # drawn; members - 1 when the purchaser's representative sits
    representative = Boolean(default=False)  # the purchaser's representative sits (never chairs)
    representative_name = Varchar(length=64, default="")
    large_project = Boolean(default=False)
    specialty_codes = Text(default="[]")  # catalogue codes from the documents / the request
    region = Varchar(length=6)  # whose serving experts are drawn (with the regions above it)
    evaluation_at = Timestamptz()
    remote = Boolean(default=False)  # remote evaluation: exempt from the 2 wd draw lead
    # The agency's evaluation room where the members check in (none for a remote evaluation);
    # a room the agency removes later leaves null here, its name stays in the audit entry.
    room = ForeignKey(AgencyRoom, null=True, default=None, on_delete=OnDelete.set_null)
    backups = Integer()
    # The chair the members elected (a confirmed drawn expert's seat: never the purchaser's
    # representative, who holds no drawn seat).
    chair = Integer(null=True, default=None)
    status = Varchar(length=16, default="forming", index=True)
    status_reason = Text(default="")
    revision = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ExpertDraw(TenantOwned, Table, tablename="expert_draw"):
    """One verifiable draw (docs/evaluation.md): the seed is committed by its sha256 when the
    draw is opened; the eligible list is frozen with its digest when it runs; the result is a
    deterministic function of both. The seed stays secret until the names are unsealed."""

    committee = ForeignKey(EvaluationCommittee, on_delete=OnDelete.restrict, index=True)
    draw_type = Varchar(length=16)
    seed = Varchar(length=64, secret=True)  # hex of 32 random bytes
    seed_hash = Varchar(length=64)
    committed_at = Timestamptz()
    on_day = Date(null=True, default=None)  # the evaluation day eligibility was judged on
    params = Text(default="{}")  # JSON: seats, backups, codes, regions, bidders, rotation
    snapshot = Text(default="[]")  # JSON [[expert id, weight], ...] by id
    snapshot_digest = Varchar(length=64, default="")
    eligible = Integer(default=0)
    excluded = Text(default="{}")  # JSON: how many left out, by reason
    result = Text(default="[]")  # JSON [expert id, ...] in pick order
    result_digest = Varchar(length=64, default="")
    drawn_at = Timestamptz(null=True, default=None)
    revealed_at = Timestamptz(null=True, default=None)
    status = Varchar(length=16, default="committed", index=True)
    revision = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class DrawMember(TenantOwned, Table, tablename="expert_draw_member"):
    """A drawn expert: the first `expert_seats` picks are invited, the rest wait in order as
    backups. An invited expert confirms, declines or lets `confirm_by` pass (the scheduler)."""

    committee = ForeignKey(EvaluationCommittee, on_delete=OnDelete.restrict, index=True)
    draw = ForeignKey(ExpertDraw, on_delete=OnDelete.restrict, index=True)
    expert = ForeignKey(Expert, on_delete=OnDelete.restrict, index=True)
    position = Integer()  # 1-based pick order
    backup = Boolean(default=False)  # drawn as a backup
    status = Varchar(length=16, default="waiting", index=True)
    reason = Text(default="")  # why declined or recused
    invited_at = Timestamptz(null=True, default=None, index=True)
    confirm_by = Timestamptz(null=True, default=None)
    responded_at = Timestamptz(null=True, default=None)
    next_check = Timestamptz(null=True, default=None, index=True)
    revision = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


# --- The evaluation itself (issue 15, second half): check-in, reviews, scores, the report ---


class Evaluation(TenantOwned, Table, tablename="evaluation"):
    """The evaluation of a committee that started (`evaluating`): the documents' method, criteria
    and review items as they stood when it opened (JSON), so later edits cannot move the scale."""

    committee = ForeignKey(EvaluationCommittee, on_delete=OnDelete.restrict, unique=True)
    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    lot = Varchar(length=32, default="")
    agency_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    purchaser = Integer(index=True)  # the project's purchaser unit (registries.purchasers)
    method = Varchar(length=16)  # comprehensive | lowest_price (scoring_inputs.Method)
    documents = Text(default="{}")  # JSON: criteria, price_weight, deductions, review items
    status = Varchar(length=16, default="reviewing", index=True)
    revision = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class EvaluationMember(TenantOwned, Table, tablename="evaluation_member"):
    """A confirmed expert of the committee at the evaluation: checked in by face (when: for the
    fee), scores submitted, dissent, report signed (when, the provider's signature)."""

    evaluation = ForeignKey(Evaluation, on_delete=OnDelete.restrict, index=True)
    seat = ForeignKey(DrawMember, on_delete=OnDelete.restrict, unique=True)
    expert = ForeignKey(Expert, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=16, default="absent", index=True)
    face_attempts = Integer(default=0)
    checked_in_at = Timestamptz(null=True, default=None)
    check_in_charge = Integer(null=True, default=None)  # usage_charge id
    scored_at = Timestamptz(null=True, default=None)
    dissent = Text(default="")  # with its reason; empty: agreement (Regulation art. 41)
    signed_at = Timestamptz(null=True, default=None)
    signature = Text(default="{}")  # JSON: the provider's answer (signature, certificate)
    sign_charge = Integer(null=True, default=None)
    revision = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class EvaluationBid(TenantOwned, Table, tablename="evaluation_bid"):
    """A bid unsealed at the opening as the committee evaluates it: its price and the facts the
    policy deductions read (size class from the supplier registry and the bid's declaration)."""

    evaluation = ForeignKey(Evaluation, on_delete=OnDelete.restrict, index=True)
    bid = ForeignKey(Bid, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_name = Varchar(length=200)
    price_fen = BigInt()
    small_micro = Boolean(default=False)
    small_micro_share = Integer(default=0)  # percent, consortium / subcontracting
    domestic = Boolean(default=False)


REVIEW_STAGES = ("qualification", "compliance")


class ReviewFinding(TenantOwned, Table, tablename="evaluation_finding"):
    """One item of the qualification review (资格审查, purchaser or agency) or the compliance
    review (符合性审查, the committee) for one bid: passed, or failed with the reason."""

    evaluation = ForeignKey(Evaluation, on_delete=OnDelete.restrict, index=True)
    bid = ForeignKey(EvaluationBid, on_delete=OnDelete.restrict, index=True)
    stage = Varchar(length=16)
    item = Varchar(length=200)
    passed = Boolean()
    reason = Text(default="")
    recorded_by = Integer()  # user id
    member = Integer(null=True, default=None)  # evaluation_member id (compliance)
    recorded_at = Timestamptz()


class EvaluationScore(TenantOwned, Table, tablename="evaluation_score"):
    """One expert's points on one criterion of the documents for one bid (fen-like: hundredths)."""

    evaluation = ForeignKey(Evaluation, on_delete=OnDelete.restrict, index=True)
    member = ForeignKey(EvaluationMember, on_delete=OnDelete.restrict, index=True)
    bid = ForeignKey(EvaluationBid, on_delete=OnDelete.restrict, index=True)
    criterion = Varchar(length=200)
    points_hundredths = Integer()
    recorded_at = Timestamptz()


class PriceCorrection(TenantOwned, Table, tablename="evaluation_correction"):
    """An arithmetic correction the committee found (Order 87 art. 59, unverified text): binding
    once the bidder confirms it; a refused one makes the bid invalid."""

    evaluation = ForeignKey(Evaluation, on_delete=OnDelete.restrict, index=True)
    bid = ForeignKey(EvaluationBid, on_delete=OnDelete.restrict, index=True)
    price_in_words_fen = BigInt(null=True, default=None)
    line_items = Text(default="[]")  # JSON [[quantity, unit price], ...] as decimal strings
    corrected_fen = BigInt()
    status = Varchar(length=16, default="proposed", index=True)
    answered_at = Timestamptz(null=True, default=None)
    revision = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class LowPriceInquiry(TenantOwned, Table, tablename="evaluation_low_price"):
    """An abnormally low bid (Order 87 art. 60): the committee asks for an explanation by a
    deadline, the bidder explains, the committee decides; unjustified makes it invalid."""

    evaluation = ForeignKey(Evaluation, on_delete=OnDelete.restrict, index=True)
    bid = ForeignKey(EvaluationBid, on_delete=OnDelete.restrict, index=True)
    triggers = Text(default="[]")
    explain_by = Timestamptz()
    explanation = Text(default="")
    explained_at = Timestamptz(null=True, default=None)
    decision_reason = Text(default="")
    status = Varchar(length=16, default="requested", index=True)
    revision = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class EvaluationReport(TenantOwned, Table, tablename="evaluation_report"):
    """The evaluation report, frozen (content JSON and its sha256) and signed by every member;
    sent by the agency within 2 wd, the winner confirmed by the purchaser within 5 wd
    (Implementing Regulation art. 43)."""

    evaluation = ForeignKey(Evaluation, on_delete=OnDelete.restrict, unique=True)
    content = Text()
    digest = Varchar(length=64)
    frozen_at = Timestamptz()
    signed_at = Timestamptz(null=True, default=None)
    send_by = Date(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    confirm_by = Date(null=True, default=None)
    winner = Integer(null=True, default=None)  # evaluation_bid id
    against_ranking = Varchar(length=32, default="")  # the legal reason's code
    against_ranking_reason = Text(default="")
    confirmed_at = Timestamptz(null=True, default=None)
    status = Varchar(length=16, default="signing", index=True)
    next_check = Timestamptz(null=True, default=None, index=True)  # the deemed confirmation
    revision = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())
