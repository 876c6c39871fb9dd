"""Notices carry their city: filled in for those already published, and the region lists'
indexes move to it (a county's list narrows by tenant_id within its city)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index
from gpcloud.piccolo_conf import DB

ID = "2026-11-26T15:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "notice city_code filled and indexed"


async def city_codes() -> None:
    # Counties sit directly under their city (tenancy.TenantTree.city_of, two levels here).
    await DB.run_ddl(
        "UPDATE notice SET city_code = COALESCE((SELECT CASE WHEN tenant.level = 'county' "
        "THEN tenant.parent ELSE tenant.region_code END FROM tenant "
        "WHERE tenant.region_code = notice.tenant_id), notice.tenant_id) WHERE city_code = ''"
    )
    latest = ["published_on", "published_at", "id"]
    await create_index("notice", ["city_code", *latest])
    await create_index("notice", ["city_code", "kind", *latest])
    await create_index("notice", ["city_code", "method", "amount_fen"])
    await DB.run_ddl('DROP INDEX IF EXISTS "notice_tenant_id_method_amount_fen_idx"')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="portal", description=DESCRIPTION)
    manager.add_raw(city_codes)
    return manager
