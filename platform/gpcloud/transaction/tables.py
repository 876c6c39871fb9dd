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
from gpcloud.registries.agencies.tables import Agency
from gpcloud.registries.purchasers.tables import Purchaser
from gpcloud.supervision.tables import ProcurementPlan

ANNOUNCEMENT_KINDS = ("tender", "correction", "result")


class Project(TenantOwned, Table, tablename="project"):
    """One procurement an agency runs for a filed plan. Money in fen."""

    plan = ForeignKey(ProcurementPlan, on_delete=OnDelete.restrict, unique=True)
    purchaser = ForeignKey(Purchaser, on_delete=OnDelete.restrict, index=True)
    agency = ForeignKey(Agency, on_delete=OnDelete.restrict, index=True)
    agency_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=200)
    method = Varchar(length=32)
    budget_fen = BigInt()
    status = Varchar(length=16, default="entrusted", index=True)
    bid_deadline = Date(null=True, default=None)
    revision = Integer(default=0)  # bumped by every transition (core/workflow)
    updated_at = Timestamptz(default=TimestamptzNow())


class Announcement(TenantOwned, Table, tablename="announcement"):
    """A tender, correction or result announcement as published, with the periods it had to
    respect and how they were computed (JSON list of steps)."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=16)
    title = Varchar(length=200)
    body = Text()
    published_on = Date()
    period_end = Date(null=True, default=None)
    bid_deadline = Date(null=True, default=None)
    affects_bids = Boolean(default=False)
    steps = Text(default="[]")


class Award(TenantOwned, Table, tablename="award"):
    """A winning supplier and its amount, as the result announcement states."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_name = Varchar(length=128)
    amount_fen = BigInt()
