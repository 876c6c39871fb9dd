from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T14:25:06:530235"
VERSION = "1.38.0"
DESCRIPTION = "signing_key.purpose: the key registry (core/keys) holds signing and sealing keys"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contracts", description=DESCRIPTION)

    manager.add_column(
        table_class_name="SigningKey",
        tablename="signing_key",
        column_name="purpose",
        db_column_name="purpose",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
            "default": "signing",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
