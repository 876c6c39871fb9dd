"""The agencies registry's piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.registries.agencies.tables import Agency, AgencyRoom, AgencyTenant

APP_CONFIG = AppConfig(
    app_name="agencies",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Agency, AgencyTenant, AgencyRoom],
    migration_dependencies=["gpcloud.core.piccolo_app"],
    commands=[],
)
