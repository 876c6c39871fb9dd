"""The usage ledger: one row per billed use, tenant-owned (the project's tenant: its bill is part
of that tenant's procurement), naming the agency that pays it."""

from piccolo.columns import JSON, BigInt, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.tables import TenantOwned

KINDS = ("face_verification", "e_signature")


class UsageCharge(TenantOwned, Table, tablename="usage_charge"):
    """A billed use. Written in the transaction of the use itself, so a use that rolls back was
    never billed; `idempotency_key` is unique per tenant (composite index in the migration), so
    a retried call finds its charge instead of making a second."""

    agency = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    project_reference = Varchar(length=64)  # "project:12": usage sits below the transaction
    kind = Varchar(length=32)
    subject_reference = Varchar(length=64)  # who was verified or signed: "expert:7"
    unit_price_fen = BigInt()  # from the tenant's config (fees.*_per_use) at the time of use
    provider = Varchar(length=128)  # "builtin:development" or the plugin that answered
    provider_reference = Varchar(length=128)  # the provider's transaction id
    outcome = Varchar(length=16)  # matched | not_matched | signed
    evidence = JSON(default={})  # the provider's answer as stored (score, signature, ...)
    idempotency_key = Varchar(length=128)
    month = Varchar(length=7)  # YYYY-MM of the legal day of the use: the statement it is on
    used_at = Timestamptz()
