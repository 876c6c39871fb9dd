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
from gpcloud.core.keys.tables import SigningKey  # the registry is core's; the table stays ours
from gpcloud.core.tenancy.tables import TenantOwned
from gpcloud.integrations.digital_finance.tables import BudgetIndicator
from gpcloud.supervision.tables import ProcurementPlan
from gpcloud.transaction.tables import Project


class Contract(TenantOwned, Table, tablename="contract"):
    """A procurement contract between a purchaser and a supplier; money in fen. `digest` is the
    sha256 of its signed content: fixed at the first signature."""

    plan = ForeignKey(ProcurementPlan, on_delete=OnDelete.restrict, index=True)
    project = ForeignKey(Project, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    parent = ForeignKey("self", null=True, default=None, on_delete=OnDelete.restrict, index=True)
    purchaser_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_name = Varchar(length=128)
    title = Varchar(length=200)
    terms = Text()
    amount_fen = BigInt()
    status = Varchar(length=16, default="draft", index=True)
    digest = Varchar(length=64, default="")
    sign_due = Date(null=True, default=None)
    signed_on = Date(null=True, default=None)
    publication_due = Date(null=True, default=None)
    published_on = Date(null=True, default=None)
    filed_at = Timestamptz(null=True, default=None)
    revision = Integer(default=0)  # bumped by every transition (core/workflow)
    # When the scheduler must look at it next (core/scheduler); null: nothing is due.
    next_check = Timestamptz(null=True, default=None, index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class ContractSignature(TenantOwned, Table, tablename="contract_signature"):
    """One party's signature over the contract digest, with who signed and with which key."""

    contract = ForeignKey(Contract, on_delete=OnDelete.restrict, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict)
    key = ForeignKey(SigningKey, on_delete=OnDelete.restrict)
    signer_id = Integer()
    signer = Varchar(length=64)
    signature = Varchar(length=128)  # 64 bytes, hex
    signed_at = Timestamptz(default=TimestamptzNow())


class AcceptanceReport(TenantOwned, Table, tablename="acceptance_report"):
    """A performance acceptance (履约验收) of a contract: a stage of goods delivery, a period of a
    service, or the final acceptance that final payment waits for. Published when done."""

    contract = ForeignKey(Contract, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=16)  # stage | period | final
    title = Varchar(length=200)
    findings = Text()
    passed = Boolean()
    accepted_on = Date()
    status = Varchar(length=16, default="draft")  # draft | published
    published_on = Date(null=True, default=None)


class Payment(TenantOwned, Table, tablename="payment"):
    """A payment request for a contract, drawn on one of its plan's budget lines and sent to
    digital_finance (a live adapter plugin, or the export file of the transition mode)."""

    contract = ForeignKey(Contract, on_delete=OnDelete.restrict, index=True)
    indicator = ForeignKey(BudgetIndicator, on_delete=OnDelete.restrict, index=True)
    amount_fen = BigInt()
    final = Boolean(default=False)
    # requested -> exported (file) | pushed (live) ; rejected by the live side
    status = Varchar(length=16, default="requested", index=True)
    finance_reference = Varchar(length=64, default="")
    message = Text(default="")
    requested_by = Integer()
    revision = Integer(default=0)  # bumped by every transition (core/workflow)
    updated_at = Timestamptz(default=TimestamptzNow())
