"""The suppliers registry's piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.registries.suppliers.tables import Supplier, SupplierQualification

APP_CONFIG = AppConfig(
    app_name="suppliers",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Supplier, SupplierQualification],
    migration_dependencies=["gpcloud.core.piccolo_app"],
    commands=[],
)
