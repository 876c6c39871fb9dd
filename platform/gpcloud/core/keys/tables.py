from piccolo.columns import ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.tables import ProvinceShared


class SigningKey(ProvinceShared, Table, tablename="signing_key"):
    """An organisation's public key for one purpose (signing: Ed25519; sealing: X25519). The
    private key stays with the organisation (its CA token or the client); the platform only
    verifies and records.

    The class lives in core (the registry) but the table, and its migration history, stay in
    the contracts piccolo app, whose APP_CONFIG lists it: moving it would be a migration of its
    own for no gain. Hence also the historical class and table name."""

    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    # signing | sealing. No index: few keys per organisation, found through its indexed column.
    purpose = Varchar(length=16, default="signing")
    public_key = Varchar(length=64)  # 32 bytes, hex
    status = Varchar(length=16, default="active")  # active | revoked
    registered_by = Integer()
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
