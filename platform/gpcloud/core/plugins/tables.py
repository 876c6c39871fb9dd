from piccolo.columns import Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from gpcloud.core.tenancy.tables import TenantOwned

REQUEST_STATUSES = ("requested", "approved", "rejected", "revoked", "superseded")


class PluginRequest(TenantOwned, Table, tablename="plugin_request"):
    """A tenant's request to run a plugin (the seed's 需求说明书) and the province's decision.

    Approval binds `version` and `code_digest`: the plugin runs for the tenant (and its subtree)
    only while the installed plugin has exactly that version and digest.
    """

    plugin = Varchar(length=64, index=True)
    version = Varchar(length=32)
    code_digest = Varchar(length=64)
    requirement_statement = Text()
    config = Text(default="{}")
    status = Varchar(length=16, default="requested", index=True)
    enabled = Boolean(default=True)
    requested_by = Integer(null=True, default=None)
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decision_reason = Text(default="")
    revision = Integer(default=0)  # bumped by every transition (core/workflow)
