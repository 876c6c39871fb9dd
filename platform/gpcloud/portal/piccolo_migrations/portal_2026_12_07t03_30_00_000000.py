"""The portal's "method and amount range in a city" reads its newest notices first: an index on
(city, method, date order) that carries the amount, so that the range is checked in the index
and only matching notices are read from the table (issue 20: p95 was 91-147 ms with the
(city, method, amount) index, which finds every notice in the range and sorts them). Built
CONCURRENTLY (core/ops/migration_locks.py); the old index stays for narrow ranges."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import is_sqlite
from gpcloud.piccolo_conf import DB

ID = "2026-12-07T03:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notice index: city, method, newest first, with the amount"


async def indexes() -> None:
    how = "" if is_sqlite() else "CONCURRENTLY "
    await DB.run_ddl(
        f'CREATE INDEX {how}IF NOT EXISTS "notice_city_method_latest_amount_idx" ON "notice" '
        '("city_code", "method", "published_on", "published_at", "id", "amount_fen")'
    )


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="portal", description=DESCRIPTION, wrap_in_transaction=False
    )
    manager.add_raw(indexes)
    return manager
