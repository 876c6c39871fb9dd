"""The complaints domain's piccolo app: inquiries, challenges, complaints, decisions,
suspensions and their statutory clocks."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.complaints.tables import (
    Challenge,
    Complaint,
    ComplaintClock,
    ComplaintDecision,
    Inquiry,
    Suspension,
)

APP_CONFIG = AppConfig(
    app_name="complaints",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Inquiry, Challenge, Complaint, ComplaintDecision, Suspension, ComplaintClock],
    migration_dependencies=["gpcloud.credit.piccolo_app"],
    commands=[],
)
