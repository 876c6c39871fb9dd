"""A flag's key now names its buyer too: R038 is a buyer's flag (plan 0, one per buyer and
year), so the unique key (plan_id, code) becomes (plan_id, purchaser_id, year, code), built
CONCURRENTLY before the old one is dropped (core/ops/migration_locks.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import is_sqlite
from gpcloud.core.ops.migration_locks import create_index_concurrently
from gpcloud.piccolo_conf import DB

ID = "2026-12-06T20:28:36:000000"
VERSION = "1.38.0"
DESCRIPTION = "analytics red flag key with the buyer"


async def indexes() -> None:
    await create_index_concurrently(
        "analytics_red_flag", ["plan_id", "purchaser_id", "year", "code"], unique=True
    )
    how = "" if is_sqlite() else "CONCURRENTLY "
    await DB.run_ddl(f'DROP INDEX {how}IF EXISTS "analytics_red_flag_plan_id_code_uniq"')


async def forwards():
    manager = MigrationManager(
        migration_id=ID,
        app_name="analytics",
        description=DESCRIPTION,
        wrap_in_transaction=False,
    )
    manager.add_raw(indexes)
    return manager
