from piccolo.columns import ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.tables import TenantOwned

STATUSES = ("active", "inactive")


class Purchaser(TenantOwned, Table, tablename="purchaser"):
    """A budget unit (预算单位) that procures. Name and credit code live on its organisation,
    which its users belong to; the budget unit code is the key digital_finance uses."""

    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, unique=True)
    budget_unit_code = Varchar(length=32)  # unique per tenant: composite index in the migration
    parent = ForeignKey("self", null=True, default=None, on_delete=OnDelete.restrict, index=True)
    contact_name = Varchar(length=32, default="")
    contact_phone = Varchar(length=20, default="")
    status = Varchar(length=16, default="active", index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
