"""One reference price per (goods item, region, source, valid from), held by the database too:
the import runner already writes one batch of a registry at a time (its lock), and the key
stays whole against any other writer. Built CONCURRENTLY (core/ops/migration_locks.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.ops.migration_locks import create_index_concurrently

ID = "2026-12-07T04:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "mall reference price key"


async def indexes() -> None:
    await create_index_concurrently(
        "mall_reference_price", ["goods_item", "region", "source", "valid_from"], unique=True
    )


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="emall", description=DESCRIPTION, wrap_in_transaction=False
    )
    manager.add_raw(indexes)
    return manager
