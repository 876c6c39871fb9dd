"""Composite indexes of the usage ledger, in a migration of their own (a migration's raw steps
run before its tables are made), built CONCURRENTLY outside a transaction (the ledger may hold
rows by the time this runs: core/ops/migration_locks.py): one charge per tenant and idempotency
key (the upsert's target), and the statements' month and agency filters."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.ops.migration_locks import create_index_concurrently

ID = "2026-12-06T17:24:27:000000"
VERSION = "1.38.0"
DESCRIPTION = "usage ledger: unique idempotency key per tenant; month and agency index"


async def indexes() -> None:
    await create_index_concurrently("usage_charge", ["tenant_id", "idempotency_key"], unique=True)
    await create_index_concurrently("usage_charge", ["month", "agency", "id"])


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="usage", description=DESCRIPTION, wrap_in_transaction=False
    )
    manager.add_raw(indexes)
    return manager
