"""Searches within a city intersect in the full-text index (core.search.index_fulltext_with)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.search import index_fulltext_with

ID = "2026-11-26T15:00:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "notice full-text index by city"


async def city_search() -> None:
    await index_fulltext_with("notice", "search_text", "city_code")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)
    manager.add_raw(city_search)
    return manager
