"""The usage domain's piccolo app: the usage ledger."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.usage.tables import UsageCharge

APP_CONFIG = AppConfig(
    app_name="usage",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[UsageCharge],
    migration_dependencies=["gpcloud.registries.goods.piccolo_app"],
    commands=[],
)
