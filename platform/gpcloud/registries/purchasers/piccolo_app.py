"""The purchasers registry's piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.registries.purchasers.tables import Purchaser

APP_CONFIG = AppConfig(
    app_name="purchasers",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Purchaser],
    migration_dependencies=["gpcloud.core.piccolo_app"],
    commands=[],
)
