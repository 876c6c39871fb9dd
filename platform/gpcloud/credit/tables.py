"""Credit records, their appeals, the national lists loaded, and the checks' snapshots.

Records and appeals are province-shared: their subjects (suppliers, agencies, experts) are
registered once for the province, a serious-violation ban holds in every region (nationwide, by
law), national lists are one for all, and every tenant's check must see every record. `region`
is where a record was decided (a supervisor's tenant; the province for national lists): it says
who may act on it and whose audit log tells it. A check's snapshot is tenant-owned: it is part
of the tenant's procedure (its evaluation report) and tells who took part in it.
"""

from piccolo.columns import (
    JSON,
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
from gpcloud.core.tenancy.tables import ProvinceShared, Tenant, TenantOwned
from gpcloud.registries.experts.tables import Expert


class CreditRecord(ProvinceShared, Table, tablename="credit_record"):
    """A credit record (信用记录) about a supplier, agency, purchaser (its organisation) or an
    expert. `bars` records exclude their subject from procurement while active (the check)."""

    subject_kind = Varchar(length=16, index=True)  # supplier | agency | purchaser | expert
    organisation = ForeignKey(
        Organisation, null=True, default=None, on_delete=OnDelete.restrict, index=True
    )
    expert = ForeignKey(Expert, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    subject_name = Varchar(length=128)  # as recorded; the public list shows it
    subject_code = Varchar(length=18, default="")  # USCC, or an expert's masked ID number
    kind = Varchar(length=32, index=True)
    bars = Boolean(default=False)
    public = Boolean(default=False)  # the serious-violation list is public by law
    source = Varchar(length=24)  # national_list | platform_event | supervisor_decision
    # National lists: the list and the record's id in it (the key that makes imports idempotent);
    # platform events: the event ("contract:7"); decisions: empty.
    source_list = Varchar(length=32, default="")
    source_key = Varchar(length=128, null=True, default=None, unique=True)
    document = Varchar(length=128, default="")  # the decision's document number
    authority = Varchar(length=128, default="")  # who decided (a finance bureau, a court)
    facts = Text(default="")
    evidence = JSON(default=[])  # [{"title": str, "reference": str}]
    starts_on = Date()
    ends_on = Date(null=True, default=None)  # null: until repaired or revoked
    region = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    recorded_by = Integer(null=True, default=None)
    status = Varchar(length=16, default="active", index=True)
    status_reason = Text(default="")
    revision = Integer(default=0)  # bumped by every transition (core/workflow)
    next_check = Timestamptz(null=True, default=None, index=True)  # expiry (core/scheduler)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class CreditAppeal(ProvinceShared, Table, tablename="credit_appeal"):
    """The subject's appeal (异议申诉) against a record, decided by the record's region; an
    upheld appeal revokes the record."""

    record = ForeignKey(CreditRecord, on_delete=OnDelete.restrict, index=True)
    region = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    filed_by = Integer()
    statement = Text()
    status = Varchar(length=16, default="filed", index=True)  # filed | upheld | dismissed
    decision = Text(default="")
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    revision = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class CreditList(ProvinceShared, Table, tablename="credit_list"):
    """A national list as last loaded (file or live adapter): what a check consulted, as of when."""

    code = Varchar(length=32, unique=True)
    loaded_at = Timestamptz(null=True, default=None)
    rows = Integer(default=0)


class CreditCheck(TenantOwned, Table, tablename="credit_check"):
    """The snapshot of one mandatory check: the lists consulted and as of when, the time, the
    result with the records found, and a sha256 digest over all of it."""

    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    purpose = Varchar(length=24)
    on_day = Date()
    checked_at = Timestamptz(default=TimestamptzNow())
    checked_by = Integer(null=True, default=None)
    clear = Boolean()
    lists = JSON(default=[])
    records = JSON(default=[])
    sources = JSON(default=[])
    digest = Varchar(length=64)
    # The step of the tenant's procedure it was made for ("evaluation_committee:12": the
    # snapshot taken as that committee started evaluating); "" for a check on its own.
    reference = Varchar(length=64, default="")  # indexed concurrently (migration 20:43:41)


class CreditRating(TenantOwned, Table, tablename="credit_rating"):
    """A rating given in a tenant's procedure: an expert by the agency after an evaluation, a
    supplier by the purchaser after acceptance, an agency by a supervisor once a year. Scores
    per criterion (0..its maximum) and their total out of 100. `rating_key` allows one rating
    per occasion, subject and rater."""

    subject_kind = Varchar(length=16)  # expert | supplier | agency
    organisation = ForeignKey(
        Organisation, null=True, default=None, on_delete=OnDelete.restrict, index=True
    )
    expert = ForeignKey(Expert, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    occasion = Varchar(length=16)  # evaluation | acceptance | yearly
    reference = Varchar(length=64)  # "project:12", "contract:7", "year:2026"
    rater_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict)
    rated_by = Integer()
    scores = JSON(default={})
    total = Integer()
    comment = Text(default="")
    rating_key = Varchar(length=160, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
