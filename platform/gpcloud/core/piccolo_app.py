"""The core piccolo app: tenancy, accounts and job tables, with their migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.jobs.tables import Job
from gpcloud.core.tenancy.tables import Tenant

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Tenant, Organisation, User, UserRole, Job],
    migration_dependencies=[],
    commands=[],
)
