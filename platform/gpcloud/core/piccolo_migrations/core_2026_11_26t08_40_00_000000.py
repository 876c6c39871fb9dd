"""Composite indexes piccolo cannot declare (and SQLite cannot add as constraints).

Raw steps run before a migration's own table changes, so they live in a migration of their own.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index

ID = "2026-11-26T08:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes: unique user role, jobs by tenant and creator"


async def indexes() -> None:
    await create_index("user_role", ["user", "role"], unique=True)
    await create_index("job", ["tenant_id", "created_by"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
