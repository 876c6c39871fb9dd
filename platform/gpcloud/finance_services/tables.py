"""The finance centre's tables.

Institutions, their API keys and their webhook deliveries are province-shared: an institution
registers once for the province and serves suppliers everywhere (`region` is who decides on it,
the province). Guarantees, financing applications and payee account changes are tenant-owned by
the region of the project or contract they are about: they are part of that region's
procurement, and its audit log tells them.
"""

from piccolo.columns import (
    JSON,
    BigInt,
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

from gpcloud.contracts.tables import Contract
from gpcloud.core.auth.tables import Organisation, User
from gpcloud.core.keys.tables import SigningKey
from gpcloud.core.tenancy.tables import ProvinceShared, Tenant, TenantOwned
from gpcloud.transaction.tables import Project


class FinancialInstitution(ProvinceShared, Table, tablename="financial_institution"):
    """A bank, guarantee company or insurer (金融机构) registered with the finance centre; it
    acts only once the province approved it."""

    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, unique=True)
    kind = Varchar(length=16, index=True)  # bank | guarantor | insurer
    name = Varchar(length=128)
    licence = Varchar(length=64)  # 金融许可证 / 融资担保业务经营许可证 number
    region = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=16, default="applied", index=True)
    decision = Text(default="")
    # Requests per minute its users and keys may make to the finance API (Redis counter).
    rate_limit = Integer(default=120)
    webhook_url = Varchar(length=300, default="")
    webhook_secret = Varchar(length=64, default="", secret=True)  # hex; HMAC-SHA256 key
    revision = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class InstitutionApiKey(ProvinceShared, Table, tablename="institution_api_key"):
    """A machine credential: `key_id` is public, the secret is shown once and only its sha256 is
    kept (32 random bytes: a fast hash is enough, nothing to guess). A rotated key stays valid
    until `valid_until` (the grace period), a revoked one at once stops."""

    institution = ForeignKey(FinancialInstitution, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict, index=True)  # whom the key acts for
    key_id = Varchar(length=24, unique=True)
    secret_hash = Varchar(length=64, secret=True)
    status = Varchar(length=16, default="active")  # active | rotated | revoked
    valid_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)


class GuaranteeRequirement(TenantOwned, Table, tablename="guarantee_requirement"):
    """The bid security a project's documents ask for: the amount (at most 2% of the budget,
    Regulation art. 33), until when bids stay valid, and to whom the guarantee is given."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, unique=True)
    amount_fen = BigInt()
    valid_until = Date()
    beneficiary = ForeignKey(Organisation, on_delete=OnDelete.restrict)
    beneficiary_name = Varchar(length=128)
    set_by = Integer()
    updated_at = Timestamptz(default=TimestamptzNow())


class BidGuarantee(TenantOwned, Table, tablename="bid_guarantee"):
    """电子投标保函: applied for by a supplier, issued (signed) by the institution, verified by
    the platform against the project's requirement, released after the award or signing, or
    claimed on a defined default."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    institution = ForeignKey(FinancialInstitution, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=16, default="applied", index=True)
    number = Varchar(length=64, null=True, default=None, unique=True)
    amount_fen = BigInt(null=True, default=None)
    valid_until = Date(null=True, default=None)
    beneficiary_name = Varchar(length=128, default="")
    statement = Text(default="")  # the canonical JSON the institution signed
    signature = Varchar(length=128, default="")  # Ed25519, hex
    key = ForeignKey(SigningKey, null=True, default=None, on_delete=OnDelete.restrict)
    issued_at = Timestamptz(null=True, default=None)
    release_due = Date(null=True, default=None)  # 5 wd after the award notice / the signing
    released_at = Timestamptz(null=True, default=None)
    claim_reason = Varchar(length=32, default="")
    claim_evidence = JSON(default=[])
    note = Text(default="")
    revision = Integer(default=0)
    next_check = Timestamptz(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class FinancingApplication(TenantOwned, Table, tablename="financing_application"):
    """政采贷: a supplier's application against its signed contract; its consent to each chosen
    institution is a FinancingOffer row, which is also where the institution decides."""

    contract = ForeignKey(Contract, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    amount_fen = BigInt()
    purpose = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class FinancingOffer(TenantOwned, Table, tablename="financing_offer"):
    """One chosen institution of an application, the supplier's consent to it: while pending or
    approved the institution may read that contract, its acceptance and its payments (nothing
    else); it records its decision here; the supplier's withdrawal ends the access."""

    application = ForeignKey(FinancingApplication, on_delete=OnDelete.restrict, index=True)
    institution = ForeignKey(FinancialInstitution, on_delete=OnDelete.restrict, index=True)
    contract = ForeignKey(Contract, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=16, default="pending", index=True)  # + approved, declined, withdrawn
    amount_fen = BigInt(null=True, default=None)
    rate = Varchar(length=16, default="")  # yearly percent, a decimal string ("3.85")
    term_months = Integer(null=True, default=None)
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    revision = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


class PayeeAccountChange(TenantOwned, Table, tablename="payee_account_change"):
    """收款账户变更: the contract's payments go to the financing account once both the purchaser
    and the institution approved."""

    contract = ForeignKey(Contract, on_delete=OnDelete.restrict, index=True)
    offer = ForeignKey(FinancingOffer, on_delete=OnDelete.restrict, index=True)
    institution = ForeignKey(FinancialInstitution, on_delete=OnDelete.restrict, index=True)
    account_name = Varchar(length=128)
    bank_name = Varchar(length=128)
    account_number = Varchar(length=40)
    status = Varchar(length=24, default="requested", index=True)
    purchaser_approved_by = Integer(null=True, default=None)
    institution_approved_by = Integer(null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    # What the contract had been paid when the change took effect: later payments repay the loan.
    paid_before_fen = BigInt(default=0)
    reason = Text(default="")
    revision = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class WebhookDelivery(ProvinceShared, Table, tablename="webhook_delivery"):
    """One event for one institution: pending -> delivered, or waiting for its next attempt
    (backoff on the scheduler), or dead after the last one. `event_key` makes an event one
    delivery per institution however often it is noticed."""

    institution = ForeignKey(FinancialInstitution, on_delete=OnDelete.restrict, index=True)
    region = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    event = Varchar(length=32)
    event_key = Varchar(length=120, unique=True)
    body = Text()
    status = Varchar(length=16, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    delivered_at = Timestamptz(null=True, default=None)
    revision = Integer(default=0)
    next_check = Timestamptz(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
