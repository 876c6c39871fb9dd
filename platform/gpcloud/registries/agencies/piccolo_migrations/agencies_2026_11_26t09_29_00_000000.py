"""An agency lists a tenant once and names each room once (composite indexes: see core's 08_40).

The unique indexes also serve the lookups by agency (their leading column).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index

ID = "2026-11-26T09:29:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique tenant per agency, unique room name per agency"


async def indexes() -> None:
    await create_index("agency_tenant", ["agency", "tenant"], unique=True)
    await create_index("agency_room", ["agency", "name"], unique=True)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="agencies", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
