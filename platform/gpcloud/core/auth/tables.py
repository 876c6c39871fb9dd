"""Organisations (province-shared) and their users (tenant-owned)."""

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from gpcloud.core.tenancy.tables import ProvinceShared, Tenant, TenantOwned


class Organisation(ProvinceShared, Table, tablename="organisation"):
    """A finance bureau, purchasing unit, agency, supplier, bank... that users act for.

    Registries (purchasers, agencies, suppliers) hold the domain details and point here.
    """

    name = Varchar(length=128, index=True)
    kind = Varchar(length=32, index=True)
    # Unified social credit code; may be missing on migrated records (completed at first login).
    uscc = Varchar(length=18, null=True, default=None, unique=True)
    region = ForeignKey(Tenant, on_delete=OnDelete.restrict, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class User(TenantOwned, Table, tablename="app_user"):
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    # Login names are unique across the province: login happens before any tenant is known.
    username = Varchar(length=64, unique=True)
    password_hash = Varchar(length=255, secret=True)
    display_name = Varchar(length=64, default="")
    mobile = Varchar(length=20, default="")
    email = Varchar(length=128, default="")
    status = Varchar(length=16, default="active", index=True)
    must_change_password = Boolean(default=True)
    # Bumped on password change/reset: tokens carrying an older version stop working.
    token_version = Integer(default=0)
    last_login_at = Timestamptz(null=True, default=None)
    password_changed_at = Timestamptz(null=True, default=None)


class UserRole(TenantOwned, Table, tablename="user_role"):
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=32, index=True)
    # Unique (user, role): a composite index created in the migration.
