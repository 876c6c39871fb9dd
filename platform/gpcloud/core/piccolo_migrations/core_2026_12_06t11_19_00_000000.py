"""Composite indexes of the notification tables (see 08_40 for why in a migration of their own):
the inbox and its unread count by recipient, one notification per recipient and event, one
preference per user and kind (the upsert's target), the admins' delivery list by status."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index

ID = "2026-12-06T11:19:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes: inbox, event keys, preferences, deliveries by status"


async def indexes() -> None:
    await create_index("notification", ["recipient", "id"])
    await create_index("notification", ["recipient", "read_at", "id"])
    await create_index("notification", ["recipient", "kind", "event_key"], unique=True)
    await create_index("notification_preference", ["user", "kind"], unique=True)
    await create_index("notification_delivery", ["status", "id"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
