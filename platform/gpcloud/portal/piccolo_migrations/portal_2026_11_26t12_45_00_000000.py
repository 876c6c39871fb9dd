"""The notices' full-text index and the indexes of the portal's filters."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index
from gpcloud.core.search import create_fulltext

ID = "2026-11-26T12:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notice search and filter indexes"


async def indexes() -> None:
    await create_fulltext("notice", "search_text")
    await create_index("notice", ["kind", "published_at", "id"])
    await create_index("notice", ["tenant_id", "kind", "published_at", "id"])
    await create_index("notice", ["tenant_id", "published_at", "id"])
    await create_index("notice", ["method", "published_at"])
    await create_index("notice", ["category_code", "published_at"])
    await create_index("notice", ["amount_fen"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
