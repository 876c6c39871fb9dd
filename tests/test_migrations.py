"""The tables and their migrations agree: an auto-migration of every app would be empty (a
column added to a table without its migration fails here, not on a deployment)."""

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager

from gpcloud.piccolo_conf import APP_REGISTRY


@pytest.mark.parametrize("app", sorted(APP_REGISTRY.app_configs))
async def test_no_migration_is_missing(app):
    statements = await AutoMigrationManager(auto_input="y").get_alter_statements(
        app_config=APP_REGISTRY.app_configs[app]
    )
    pending = [s for group in statements for s in group.statements]
    assert pending == [], f"{app}: run `piccolo migrations new {app} --auto`"
