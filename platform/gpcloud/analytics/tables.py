"""The analytics read model: one fact row per procurement process, the rollups summed from the
facts, the red flags raised on processes, and the queue of processes to refresh.

All tenant-owned: the tenant scope is what makes a county see its own figures, a city its
counties' and the province everything (catalogue.py).
"""

from piccolo.columns import BigInt, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from gpcloud.core.tenancy.tables import TenantOwned


class ProcessFact(TenantOwned, Table, tablename="analytics_process"):
    """What analytics knows of one procurement process (keyed by its plan), recomputed from the
    source tables whenever one of its publications arrives; the rollups hold its contribution.
    `measures` is JSON (rollup.MEASURES), so the delta to apply is new minus stored."""

    plan_id = Integer(unique=True)
    project_id = Integer(null=True, default=None, index=True)
    purchaser_id = Integer(null=True, default=None)  # registries/purchasers: R038's buyer
    year = Integer(null=True, default=None)
    month = Integer(null=True, default=None)
    method = Varchar(length=32, default="")
    category = Varchar(length=8, default="")
    object_type = Varchar(length=16, default="")
    title = Varchar(length=200, default="")
    supplier_id = Integer(null=True, default=None)
    measures = Text(default="{}")
    suppliers = Text(default="{}")  # JSON {organisation id: awarded fen}
    updated_at = Timestamptz(default=TimestamptzNow())


class Rollup(TenantOwned, Table, tablename="analytics_rollup"):
    """Summed measures per tenant, month and one dimension value: what dashboards read.
    dim: all | method | category | object_type | supplier (value: organisation, sub: category;
    a supplier's year total is also kept under month 0) | purchaser (value: purchaser id; the
    year's total only, month 0: R038 compares buyers over their year).
    Unique on (tenant_id, year, month, dim, value, sub): deltas are added by upsert."""

    year = Integer()
    month = Integer()
    dim = Varchar(length=16)
    value = Varchar(length=32, default="")
    sub = Varchar(length=8, default="")
    awarded = BigInt(default=0)
    budget_fen = BigInt(default=0)
    award_fen = BigInt(default=0)
    contract_budget_fen = BigInt(default=0)
    contract_fen = BigInt(default=0)
    tenders = BigInt(default=0)
    bids = BigInt(default=0)
    single_bid = BigInt(default=0)
    sme_fen = BigInt(default=0)
    small_micro_fen = BigInt(default=0)
    lead_n = BigInt(default=0)
    lead_sum = BigInt(default=0)
    award_n = BigInt(default=0)
    award_sum = BigInt(default=0)
    sign_n = BigInt(default=0)
    sign_sum = BigInt(default=0)
    sign_ok = BigInt(default=0)
    pay_n = BigInt(default=0)
    pay_sum = BigInt(default=0)
    flags = BigInt(default=0)
    disqualified = BigInt(default=0)
    challenged = BigInt(default=0)
    challenges = BigInt(default=0)
    complained = BigInt(default=0)
    complaints = BigInt(default=0)
    complaints_decided = BigInt(default=0)
    complaints_upheld = BigInt(default=0)
    guarantees = BigInt(default=0)
    guarantee_fen = BigInt(default=0)
    loans = BigInt(default=0)
    loan_fen = BigInt(default=0)
    pub_n = BigInt(default=0)
    pub_ok = BigInt(default=0)
    listed_fen = BigInt(default=0)
    green_fen = BigInt(default=0)


class RedFlag(TenantOwned, Table, tablename="analytics_red_flag"):
    """A red flag raised on a process (flags.py: R003, R018, ...); a supervisor marks it
    reviewed with a note (workflow.py). Recomputing a process keeps reviewed flags and removes
    open ones that no longer hold. R038 is a buyer's, not a process's: `plan_id` 0 and
    `purchaser_id` the buyer, one per buyer and year (service/buyers.py)."""

    plan_id = Integer(index=True)
    purchaser_id = Integer(default=0)  # R038: the buyer; 0 on a process's flag
    project_id = Integer(null=True, default=None, index=True)
    code = Varchar(length=8, index=True)
    title = Varchar(length=200, default="")
    process_title = Varchar(length=200, default="")
    value = Varchar(length=32, default="")
    explanation = Text(default="")
    year = Integer(index=True)
    status = Varchar(length=16, default="open", index=True)  # open | reviewed
    review_note = Text(default="")
    reviewed_by = Integer(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    revision = Integer(default=0)
    raised_at = Timestamptz(default=TimestamptzNow())


class Dirty(TenantOwned, Table, tablename="analytics_dirty"):
    """A process whose fact must be recomputed: written by the publication receiver in the
    publisher's transaction, taken by the refresh job (at least once: refreshing is idempotent)."""

    plan_id = Integer(index=True)
    reason = Varchar(length=64, default="")
    taken = Boolean(default=False)
