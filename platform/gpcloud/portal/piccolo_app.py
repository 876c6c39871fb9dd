"""The portal's piccolo app: published notices and the suppliers they name."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.portal.tables import LegacyBatch, Notice, NoticeSupplier, OcdsRelease

APP_CONFIG = AppConfig(
    app_name="portal",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Notice, NoticeSupplier, LegacyBatch, OcdsRelease],
    migration_dependencies=["gpcloud.core.piccolo_app"],
    commands=[],
)
