"""Composite indexes for the config, audit, plugin and readiness tables (see 08_40 for why raw)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index

ID = "2026-11-26T08:57:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes: config versions, audit by object, plugin requests, ticks"


async def indexes() -> None:
    await create_index("tenant_config_edit", ["tenant_id", "version"], unique=True)
    await create_index("audit_entry", ["object_type", "object_id"])
    await create_index("plugin_request", ["tenant_id", "plugin", "status"])
    await create_index("readiness_tick", ["tenant_id", "item_key"], unique=True)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
