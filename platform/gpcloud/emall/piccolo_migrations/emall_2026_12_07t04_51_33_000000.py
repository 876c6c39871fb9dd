"""The legal day of the price alerts raised before it was kept (the previous migration)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import is_sqlite
from gpcloud.piccolo_conf import DB

ID = "2026-12-07T04:51:33:000000"
VERSION = "1.38.0"
DESCRIPTION = "price alerts' legal day filled in"


async def _backfill() -> None:
    """Alerts raised before: their legal day from the instant (Asia/Shanghai, UTC+8, no daylight
    saving); the table holds the few alerts monitoring raised, so one UPDATE."""
    if is_sqlite():
        day = "date(created_at, '+8 hours')"
    else:
        day = "(created_at AT TIME ZONE 'Asia/Shanghai')::date"
    await DB.run_ddl(f"UPDATE mall_price_alert SET raised_on = {day} WHERE raised_on IS NULL")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="emall", description=DESCRIPTION)
    manager.add_raw(_backfill)
    return manager
