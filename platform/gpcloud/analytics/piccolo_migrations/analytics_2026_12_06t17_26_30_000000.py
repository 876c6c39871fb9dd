"""The rollups' key (deltas are added by upsert on it) and the dashboard's read path: a year's
rows of one dimension for a set of tenants. Built CONCURRENTLY (core/ops/migration_locks.py):
the tables exist from the previous migration, so no transaction around this one."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.ops.migration_locks import create_index_concurrently

ID = "2026-12-06T17:26:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "analytics rollup key and read indexes"


async def indexes() -> None:
    await create_index_concurrently(
        "analytics_rollup", ["tenant_id", "year", "month", "dim", "value", "sub"], unique=True
    )
    await create_index_concurrently("analytics_rollup", ["year", "dim", "tenant_id"])
    await create_index_concurrently("analytics_red_flag", ["plan_id", "code"], unique=True)


async def forwards():
    manager = MigrationManager(
        migration_id=ID,
        app_name="analytics",
        description=DESCRIPTION,
        wrap_in_transaction=False,
    )
    manager.add_raw(indexes)
    return manager
