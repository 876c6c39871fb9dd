"""The analytics domain's piccolo app: process facts, rollups, red flags, the refresh queue."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.analytics.tables import Dirty, ProcessFact, RedFlag, Rollup

APP_CONFIG = AppConfig(
    app_name="analytics",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ProcessFact, Rollup, RedFlag, Dirty],
    migration_dependencies=["gpcloud.credit.piccolo_app"],
    commands=[],
)
