"""Composite indexes of the usage ledger, in a migration of their own (a migration's raw steps
run before its tables are made): one charge per tenant and idempotency key (the upsert's
target), and the statements' month and agency filters."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index

ID = "2026-12-06T17:24:27:000000"
VERSION = "1.38.0"
DESCRIPTION = "usage ledger: unique idempotency key per tenant; month and agency index"


async def indexes() -> None:
    await create_index("usage_charge", ["tenant_id", "idempotency_key"], unique=True)
    await create_index("usage_charge", ["month", "agency", "id"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="usage", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
