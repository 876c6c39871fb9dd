"""Price alerts name the record a most-favoured price came from (a listing, an auction or a
framework agreement). Both columns are nullable or have a constant default: no rewrite of the
table on PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T06:12:11:658710"
VERSION = "1.38.0"
DESCRIPTION = "price alerts name the record of a most-favoured price"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="emall", description=DESCRIPTION)

    manager.add_column(
        table_class_name="PriceAlert",
        tablename="mall_price_alert",
        column_name="basis_record",
        db_column_name="basis_record",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
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

    manager.add_column(
        table_class_name="PriceAlert",
        tablename="mall_price_alert",
        column_name="basis_record_kind",
        db_column_name="basis_record_kind",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
            "default": "",
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
