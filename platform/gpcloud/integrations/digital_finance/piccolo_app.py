"""The digital_finance integration's piccolo app: budget indicators and their ledger."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.integrations.digital_finance.tables import BudgetEntry, BudgetIndicator

APP_CONFIG = AppConfig(
    app_name="digital_finance",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[BudgetIndicator, BudgetEntry],
    migration_dependencies=["gpcloud.registries.purchasers.piccolo_app"],
    commands=[],
)
