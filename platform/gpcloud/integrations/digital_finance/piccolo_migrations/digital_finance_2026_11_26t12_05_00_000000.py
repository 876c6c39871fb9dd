"""Indicator codes are unique within a tenant; lists filter by tenant and fiscal year."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index

ID = "2026-11-26T12:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "budget indicator indexes"


async def indexes() -> None:
    await create_index("budget_indicator", ["tenant_id", "code"], unique=True)
    await create_index("budget_indicator", ["tenant_id", "fiscal_year", "id"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="digital_finance", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
