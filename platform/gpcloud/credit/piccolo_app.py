"""The credit domain's piccolo app: records, appeals, lists, check snapshots."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.credit.tables import (
    CreditAppeal,
    CreditCheck,
    CreditList,
    CreditRating,
    CreditRecord,
)

APP_CONFIG = AppConfig(
    app_name="credit",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[CreditRecord, CreditAppeal, CreditList, CreditCheck, CreditRating],
    migration_dependencies=["gpcloud.contracts.piccolo_app"],
    commands=[],
)
