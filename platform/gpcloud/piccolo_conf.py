"""Piccolo's engine, chosen from GPCLOUD_DB, and the registry of every domain app."""

from urllib.parse import unquote, urlsplit

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from gpcloud.domains import PICCOLO_APPS
from gpcloud.settings import get_settings


def _engine():
    settings = get_settings()
    if settings.is_postgres:
        url = urlsplit(settings.db)
        config = {
            "host": url.hostname or "localhost",
            "port": url.port or 5432,
            "user": unquote(url.username or "postgres"),
            "database": url.path.lstrip("/") or "postgres",
        }
        if url.password:
            config["password"] = unquote(url.password)
        return PostgresEngine(config=config)
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    # A generous busy timeout: writers queue behind each other instead of failing.
    return SQLiteEngine(path=str(path), timeout=30)


DB = _engine()

APP_REGISTRY = AppRegistry(apps=list(PICCOLO_APPS))


def all_tables() -> list:
    """Every table of every registered app."""
    return [table for config in APP_REGISTRY.app_configs.values() for table in config.table_classes]
