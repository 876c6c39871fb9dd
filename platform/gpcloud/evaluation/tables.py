"""Tables of the evaluation: the committee of a project (or one lot), its expert draw and the
drawn experts (seats and backups in order).

All are tenant-owned: a committee is part of the tenant's procedure. Experts are province-shared
(registries/experts), so a draw member names its expert by id. Uniqueness over several columns
(one committee per project and lot, one draw per committee, a position once per draw) is built
in the hand-written migration after the auto one.
"""

from piccolo.columns import (
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
from gpcloud.registries.experts.tables import Expert
from gpcloud.transaction.tables import Project

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
