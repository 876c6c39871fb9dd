"""The index of the credit checks' reference (the snapshots taken as an evaluation starts), built
CONCURRENTLY outside a transaction: credit_check holds rows by now (core/ops/migration_locks.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.ops.migration_locks import create_index_concurrently

ID = "2026-12-06T20:43:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "credit_check.reference index"


async def indexes() -> None:
    await create_index_concurrently("credit_check", ["reference"])


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="credit", description=DESCRIPTION, wrap_in_transaction=False
    )
    manager.add_raw(indexes)
    return manager
