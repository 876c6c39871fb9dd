"""Trigram indexes for "name contains" searches on PostgreSQL (organisations: purchasers,
suppliers, agencies all search by their organisation's name)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_trigram_index

ID = "2026-11-26T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "trigram index on organisation names"


async def indexes() -> None:
    await create_trigram_index("organisation", "name")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
