"""Lists filter by tenant (scope) and status, newest id last: one index each."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index

ID = "2026-11-26T12:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "intention and plan list indexes"


async def indexes() -> None:
    await create_index("procurement_intention", ["tenant_id", "status", "id"])
    await create_index("procurement_plan", ["tenant_id", "status", "id"])
    await create_index("procurement_plan", ["origin", "legacy_reference"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="supervision", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
