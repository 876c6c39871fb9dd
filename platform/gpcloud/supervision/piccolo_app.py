"""The supervision subsystem's piccolo app: intentions, plans and their budget lines, publication overrides."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.supervision.tables import (
    PlanLine,
    ProcurementIntention,
    ProcurementPlan,
    PublicationOverride,
)

APP_CONFIG = AppConfig(
    app_name="supervision",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ProcurementIntention, ProcurementPlan, PlanLine, PublicationOverride],
    migration_dependencies=["gpcloud.integrations.digital_finance.piccolo_app"],
    commands=[],
)
