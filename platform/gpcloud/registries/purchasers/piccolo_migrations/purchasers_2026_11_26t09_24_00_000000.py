"""Budget unit codes are unique within a tenant (a composite index: see core's 08_40)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index

ID = "2026-11-26T09:24:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique budget unit code per tenant"


async def indexes() -> None:
    await create_index("purchaser", ["tenant_id", "budget_unit_code"], unique=True)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="purchasers", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
