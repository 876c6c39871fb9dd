"""The e-mall's piccolo app: demands, quotes, group buys, orders, price alerts and listing price
history."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.emall.tables import (
    DesignatedSupplier,
    FrameworkAgreement,
    ListingPrice,
    MallDemand,
    MallGroupBuy,
    MallGroupShare,
    MallOrder,
    MallQuote,
    PriceAlert,
)

APP_CONFIG = AppConfig(
    app_name="emall",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        MallDemand,
        MallQuote,
        FrameworkAgreement,
        DesignatedSupplier,
        MallGroupBuy,
        MallGroupShare,
        MallOrder,
        PriceAlert,
        ListingPrice,
    ],
    migration_dependencies=[
        "gpcloud.supervision.piccolo_app",
        "gpcloud.registries.goods.piccolo_app",
    ],
    commands=[],
)
