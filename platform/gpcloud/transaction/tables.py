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
    # Sealed electronic bidding: the deadline instant (server clock), and the end of the
    # decryption window once the opening hall is open; the scheduler runs both (next_check).
    bid_deadline_at = Timestamptz(null=True, default=None)
    opening_ends_at = Timestamptz(null=True, default=None)
    # At the deadline, per lot: {lot: {bidders, minimum, status: open|failed, reason}} (JSON);
    # a lot short of the method's minimum bidders fails on its own (transaction/lots.py).
    lot_results = Text(null=True, default=None)
    next_check = Timestamptz(null=True, default=None, index=True)
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
    # published -> ended when its period is over (the scheduler: transaction/workflow.py)
    status = Varchar(length=16, default="published", index=True)
    revision = Integer(default=0)
    next_check = Timestamptz(null=True, default=None, index=True)


class Award(TenantOwned, Table, tablename="award"):
    """A winning supplier and its amount, as the result announcement states."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_name = Varchar(length=128)
    amount_fen = BigInt()


BID_STATUSES = ("submitted", "withdrawn", "unsealed", "revoked")


class Bid(TenantOwned, Table, tablename="bid"):
    """A sealed bid as received: the ciphertext is in file storage under `storage_key`, never in
    the database; the bid form is read only once the bidder unseals it in the opening hall.
    A replaced bid is kept, withdrawn, with `replaced_by` naming its successor."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    lot = Varchar(length=32)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_name = Varchar(length=128)
    status = Varchar(length=16, default="submitted", index=True)
    revision = Integer(default=0)
    storage_key = Varchar(length=200)
    size = BigInt()
    digest = Varchar(length=64)  # sha256 of the ciphertext, hex
    wrapped_key = Text()  # base64: the content key wrapped for the bidder's own sealing key
    signature = Text()  # base64: the bidder's Ed25519 signature over (project, lot, digest)
    security = Varchar(length=128, null=True, default=None)  # deposit or e-guarantee number
    idempotency_key = Varchar(length=64, null=True, default=None)  # the client's, for retries
    received_at = Timestamptz()
    receipt = Text()  # JSON: what the platform signed
    receipt_signature = Text()
    replaced_by = Integer(null=True, default=None)
    credit_check = Text(null=True, default=None)  # JSON: the credit hooks' answers at the deadline
    form = Text(null=True, default=None)  # JSON bid form, once unsealed
    files = Text(null=True, default=None)  # JSON [{name, size, sha256}], once unsealed
    price_fen = BigInt(null=True, default=None)
    discount = Varchar(length=64, null=True, default=None)
    unsealed_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class UnsealAttempt(TenantOwned, Table, tablename="unseal_attempt"):
    """Every attempt to unseal a bid, with whose cause a failure was (the bidder's: a wrong key;
    the platform's: the stored ciphertext unreadable or not the one receipted)."""

    bid = ForeignKey(Bid, on_delete=OnDelete.restrict, index=True)
    at = Timestamptz()
    outcome = Varchar(length=32)  # "opened" or an error code
    cause = Varchar(length=16, null=True, default=None)  # bidder | platform
    message = Text(default="")


class OpeningRecord(TenantOwned, Table, tablename="opening_record"):
    """开标记录: written when the decryption window ends; bidders confirm or object, the agency
    signs once every objection is answered."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, unique=True)
    status = Varchar(length=16, default="open", index=True)
    revision = Integer(default=0)
    entries = Text(default="[]")  # JSON, one per bid: bidder, price, discount, unsealing result
    lots = Text(default="[]")  # JSON, one per lot: opened or failed, with bids, minimum, reason
    opened_at = Timestamptz()
    signed_at = Timestamptz(null=True, default=None)
    signed_by = Integer(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class OpeningResponse(TenantOwned, Table, tablename="opening_response"):
    """A bidder's confirmation of the opening record, or its objection and the agency's answer."""

    record = ForeignKey(OpeningRecord, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=16)  # confirm | object
    text = Text(default="")
    answer = Text(null=True, default=None)
    created_at = Timestamptz()
    answered_at = Timestamptz(null=True, default=None)


class ProcurementDocument(TenantOwned, Table, tablename="procurement_document"):
    """采购文件, one row per published version: what evaluation will score as structured data
    (JSON lists), the price weight, and the attached files (in file storage)."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    version = Integer()
    summary = Text(default="")  # what this version changed (a clarification or correction)
    requirements = Text(default="[]")
    qualification = Text(default="[]")
    compliance = Text(default="[]")
    criteria = Text(default="[]")  # [{"name", "weight"}], price included
    price_weight = Integer()  # percent
    lots = Text(default='["1"]')
    files = Text(default="[]")  # [{"name", "size", "sha256", "key"}]
    bid_security_required = Boolean(default=False)
    published_at = Timestamptz()
    available_until = Date()


class DocumentObtained(TenantOwned, Table, tablename="document_obtained"):
    """Who obtained a project's documents, when, and which version (a party from then on)."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    version = Integer()
    obtained_at = Timestamptz()


class Question(TenantOwned, Table, tablename="procurement_question"):
    """询问: a supplier's question on the documents, answered within 3 wd (Regulation art. 52)."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    text = Text()
    asked_at = Timestamptz()
    answer_due = Date()
    answer = Text(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)
