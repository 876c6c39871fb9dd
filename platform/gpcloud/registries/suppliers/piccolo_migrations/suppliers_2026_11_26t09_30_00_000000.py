"""Composite indexes of the suppliers registry (raw steps run before a migration's own table
changes, so they follow the auto migration: see core's 08_40).

- a supplier holds a certificate once: unique (supplier, kind, number);
- "suppliers holding a valid <kind> on <date>" reads (kind, valid_until) and gets the supplier
  from the index itself.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index

ID = "2026-11-26T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "supplier qualification indexes"


async def indexes() -> None:
    await create_index("supplier_qualification", ["supplier", "kind", "number"], unique=True)
    await create_index("supplier_qualification", ["kind", "valid_until", "supplier"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="suppliers", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
