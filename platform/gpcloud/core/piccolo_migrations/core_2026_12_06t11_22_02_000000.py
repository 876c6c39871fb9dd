"""One position per audit entry (see 11_22_00 for why raw): the sequencer's positions are
unique, and the index finds the entries still waiting for one (seq IS NULL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index

ID = "2026-12-06T11:22:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit: unique entry positions"


async def indexes() -> None:
    await create_index("audit_entry", ["seq"], unique=True)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
