from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date

ID = "2026-12-06T20:42:27:672325"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="complaints", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="Challenge",
        tablename="challenge",
        column_name="filed_on",
        db_column_name="filed_on",
        params={"index": True},
        old_params={"index": False},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Challenge",
        tablename="challenge",
        column_name="answer_due",
        db_column_name="answer_due",
        params={"index": True},
        old_params={"index": False},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Complaint",
        tablename="complaint",
        column_name="filed_on",
        db_column_name="filed_on",
        params={"index": True},
        old_params={"index": False},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Complaint",
        tablename="complaint",
        column_name="decision_due",
        db_column_name="decision_due",
        params={"index": True},
        old_params={"index": False},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    return manager
