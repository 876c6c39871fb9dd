from piccolo.columns import Integer, Text, Varchar
from piccolo.table import Table

from gpcloud.core.tenancy.tables import TenantOwned


class AuditEntry(TenantOwned, Table, tablename="audit_entry"):
    """One state change. `hash` covers every other field and the previous entry's hash.

    `tenant_id` is the tenant the changed object belongs to (for province-shared objects, the
    acting user's tenant), so an auditor's scope limits what they read, not what is recorded.
    """

    actor_id = Integer(null=True, default=None, index=True)
    # For changes made by no user (CLI, seed, worker): what made them.
    actor = Varchar(length=64, default="")
    action = Varchar(length=64, index=True)
    object_type = Varchar(length=64)
    object_id = Varchar(length=64)
    before_digest = Varchar(length=64, null=True, default=None)
    after_digest = Varchar(length=64, null=True, default=None)
    # Canonical JSON (sorted keys) of what an auditor needs beyond the digests: reason, fields.
    detail = Text(default="{}")
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64, unique=True)
