"""The notices' full-text index and the indexes of the portal's filters."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index
from gpcloud.core.search import create_fulltext

ID = "2026-11-26T12:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notice search and filter indexes"


async def indexes() -> None:
    """Lists are newest first (published_on, published_at, id), within a region, a kind or both;
    method and amount filters come with a region."""
    await create_fulltext("notice", "search_text")
    latest = ["published_on", "published_at", "id"]
    await create_index("notice", latest)
    await create_index("notice", ["kind", *latest])
    await create_index("notice", ["tenant_id", *latest])
    await create_index("notice", ["tenant_id", "kind", *latest])
    await create_index("notice", ["tenant_id", "method", "amount_fen"])
    await create_index("notice", ["method", "amount_fen"])
    await create_index("notice", ["category_code", *latest])
    await create_index("notice", ["amount_fen"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
