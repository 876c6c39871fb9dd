"""The goods registry's piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.registries.goods.tables import Category, GoodsItem, ListingRegion, SupplierListing

APP_CONFIG = AppConfig(
    app_name="goods",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Category, GoodsItem, SupplierListing, ListingRegion],
    migration_dependencies=["gpcloud.core.piccolo_app"],
    commands=[],
)
