"""The experts registry's piccolo app: its tables and migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.registries.experts.tables import (
    Expert,
    ExpertAvoidance,
    ExpertLeave,
    ExpertRegion,
    ExpertSpecialty,
)

APP_CONFIG = AppConfig(
    app_name="experts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Expert, ExpertSpecialty, ExpertRegion, ExpertLeave, ExpertAvoidance],
    migration_dependencies=["gpcloud.core.piccolo_app"],
    commands=[],
)
