"""The core piccolo app: the tables of tenancy, accounts, jobs, audit, plugins, calendar,
notifications and leases."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.core.audit.tables import AuditEntry, AuditNode, AuditTreeHead
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.calendar.tables import CalendarDay, CalendarYear
from gpcloud.core.jobs.tables import Job
from gpcloud.core.notifications.tables import (
    Notification,
    NotificationDelivery,
    NotificationPreference,
)
from gpcloud.core.plugins.tables import PluginRequest
from gpcloud.core.scheduler.lease import Lease
from gpcloud.core.tenancy.tables import ReadinessTick, Tenant, TenantConfigEdit

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Tenant,
        Organisation,
        User,
        UserRole,
        Job,
        AuditEntry,
        AuditTreeHead,
        AuditNode,
        TenantConfigEdit,
        ReadinessTick,
        PluginRequest,
        CalendarYear,
        CalendarDay,
        Notification,
        NotificationDelivery,
        NotificationPreference,
        Lease,
    ],
    migration_dependencies=[],
    commands=[],
)
