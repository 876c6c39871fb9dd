"""The evaluation domain's piccolo app: committees, expert draws and drawn experts."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.evaluation.tables import (
    DrawMember,
    Evaluation,
    EvaluationBid,
    EvaluationCommittee,
    EvaluationMember,
    EvaluationReport,
    EvaluationScore,
    ExpertDraw,
    LowPriceInquiry,
    PriceCorrection,
    ReviewFinding,
)

APP_CONFIG = AppConfig(
    app_name="evaluation",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        EvaluationCommittee,
        ExpertDraw,
        DrawMember,
        Evaluation,
        EvaluationMember,
        EvaluationBid,
        ReviewFinding,
        EvaluationScore,
        PriceCorrection,
        LowPriceInquiry,
        EvaluationReport,
    ],
    migration_dependencies=["gpcloud.credit.piccolo_app", "gpcloud.transaction.piccolo_app"],
    commands=[],
)
