"""Tables of the two supplier-selection stages around the sealed bids: prequalification before
them (资格预审: only qualified suppliers obtain the documents and bid) and the quote rounds after
the opening of a negotiation or consultation (the last one the final quote, 最后报价).

Kept apart from tables.py so that the stages can grow without touching the bids' tables."""

from piccolo.columns import (
    BigInt,
    Boolean,
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


class Prequalification(TenantOwned, Table, tablename="prequalification"):
    """资格预审公告 and its course: open for applications until `applications_due_at`
    (the scheduler closes it), then reviewed and concluded by the agency."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, unique=True)
    title = Varchar(length=200)
    body = Text(default="")
    requirements = Text(default="[]")  # JSON [{"item": ...}]: the qualification requirements
    published_at = Timestamptz()
    applications_due_at = Timestamptz()
    steps = Text(default="[]")  # how the earliest allowed due day was computed
    status = Varchar(length=16, default="open", index=True)
    qualified = Integer(null=True, default=None)  # counted when concluded
    revision = Integer(default=0)
    next_check = Timestamptz(null=True, default=None, index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class PrequalificationApplication(TenantOwned, Table, tablename="prequalification_application"):
    """A supplier's application (资格预审申请文件) with its qualification documents (files in
    storage), and the agency's review: qualified, or rejected with the reason."""

    prequalification = ForeignKey(Prequalification, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_name = Varchar(length=128)
    statement = Text(default="")
    documents = Text(default="[]")  # JSON [{"name", "size", "sha256", "key"}]
    submitted_at = Timestamptz()
    status = Varchar(length=16, default="submitted", index=True)
    reason = Text(default="")
    reviewed_at = Timestamptz(null=True, default=None)
    revision = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class InvitationDraw(TenantOwned, Table, tablename="invitation_draw"):
    """The random draw of an invited tender's invitees (邀请招标: Law art. 34) from the suppliers
    that passed its prequalification, verifiable as the expert draw is (core/draws.py): the
    seed is committed by its sha256 when the prequalification notice is published, before
    anyone applies; the qualified list is frozen with its digest when the agency draws; the
    invitees are a deterministic function of both. Only the invitees obtain the documents and
    bid. The qualified list and the invitees stay undisclosed to the public (Bidding Law art.
    22): the agency and the region read them, each supplier whether it was invited."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, unique=True)
    prequalification = ForeignKey(Prequalification, on_delete=OnDelete.restrict, index=True)
    seed = Varchar(length=64, secret=True)  # hex of 32 random bytes
    seed_hash = Varchar(length=64)
    committed_at = Timestamptz()
    snapshot = Text(default="[]")  # JSON [[organisation id, 1], ...] by id: the qualified
    snapshot_digest = Varchar(length=64, default="")
    invitees = Integer(default=0)  # how many the agency asked for
    result = Text(default="[]")  # JSON [organisation id, ...] in pick order
    result_digest = Varchar(length=64, default="")
    drawn_at = Timestamptz(null=True, default=None)
    status = Varchar(length=16, default="committed", index=True)
    revision = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class QuoteRound(TenantOwned, Table, tablename="quote_round"):
    """One round of quotes for a lot after the opening of a negotiation or consultation, open
    to the invited suppliers until `deadline_at` (the scheduler closes it); `final` for the
    final quote (最后报价)."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    lot = Varchar(length=32)
    number = Integer()
    final = Boolean(default=False)
    invited = Text(default="[]")  # JSON: supplier organisation ids
    opened_at = Timestamptz()
    deadline_at = Timestamptz()
    status = Varchar(length=16, default="open", index=True)
    revision = Integer(default=0)
    next_check = Timestamptz(null=True, default=None, index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class Quote(TenantOwned, Table, tablename="quote"):
    """A supplier's quote in a round: one per supplier, revised until the deadline (each
    revision audited). Sealed as a bid is (docs/sealed-bids.md, gpcloud-bid-v1: the ciphertext
    in file storage, never here): nobody reads it, the platform included, until its supplier
    unseals it after the round closes; only then are the price and note filled in."""

    quote_round = ForeignKey(QuoteRound, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_name = Varchar(length=128)
    price_fen = BigInt()  # read from the unsealed quote form (0 while sealed: see status)
    note = Text(default="")
    submitted_at = Timestamptz()
    storage_key = Varchar(length=128, default="")  # the ciphertext of the last revision
    digest = Varchar(length=64, default="")  # sha256 of that ciphertext, hex
    wrapped_key = Text(default="")  # base64: the content key wrapped for the supplier
    signature = Text(default="")  # base64: Ed25519 over (project, lot, digest)
    unsealed_at = Timestamptz(null=True, default=None)
    status = Varchar(length=16, default="submitted", index=True)
    revision = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())
