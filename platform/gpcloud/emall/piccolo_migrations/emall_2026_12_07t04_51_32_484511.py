"""Price alerts carry the legal day they were raised (analytics counts them by year); the next
migration fills it in for the alerts raised before."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T04:51:32:484511"
VERSION = "1.38.0"
DESCRIPTION = "price alerts carry the legal day they were raised"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="emall", description=DESCRIPTION)

    manager.add_column(
        table_class_name="PriceAlert",
        tablename="mall_price_alert",
        column_name="raised_on",
        db_column_name="raised_on",
        column_class_name="Date",
        column_class=Date,
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

    return manager
