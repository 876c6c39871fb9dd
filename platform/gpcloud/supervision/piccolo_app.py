"""The supervision subsystem's piccolo app: intentions, plans and their budget lines."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.supervision.tables import PlanLine, ProcurementIntention, ProcurementPlan

APP_CONFIG = AppConfig(
    app_name="supervision",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ProcurementIntention, ProcurementPlan, PlanLine],
    migration_dependencies=["gpcloud.integrations.digital_finance.piccolo_app"],
    commands=[],
)
