"""The e-mall's piccolo app: demands, quotes, group buys, orders, price alerts, listing price
history and imported reference prices."""

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
    ReferencePrice,
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
        ReferencePrice,
    ],
    migration_dependencies=[
        "gpcloud.supervision.piccolo_app",
        "gpcloud.registries.goods.piccolo_app",
    ],
    commands=[],
)
