"""The transaction subsystem's piccolo app: projects, announcements, awards,
sealed bids and the opening."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.transaction.selection_tables import (
    InvitationDraw,
    Prequalification,
    PrequalificationApplication,
    Quote,
    QuoteRound,
)
from gpcloud.transaction.tables import (
    Announcement,
    Award,
    Bid,
    DocumentObtained,
    OpeningRecord,
    OpeningResponse,
    ProcurementDocument,
    Project,
    Question,
    UnsealAttempt,
)

APP_CONFIG = AppConfig(
    app_name="transaction",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Project,
        Announcement,
        Award,
        Bid,
        UnsealAttempt,
        OpeningRecord,
        OpeningResponse,
        ProcurementDocument,
        DocumentObtained,
        Question,
        Prequalification,
        PrequalificationApplication,
        InvitationDraw,
        QuoteRound,
        Quote,
    ],
    migration_dependencies=[
        "gpcloud.supervision.piccolo_app",
        "gpcloud.registries.agencies.piccolo_app",
    ],
    commands=[],
)
