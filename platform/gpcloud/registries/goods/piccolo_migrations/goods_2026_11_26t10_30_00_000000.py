"""Trigram index for "name contains" searches on PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_trigram_index

ID = "2026-11-26T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "trigram index on goods_item names"


async def indexes() -> None:
    await create_trigram_index("goods_item", "name")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="goods", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
