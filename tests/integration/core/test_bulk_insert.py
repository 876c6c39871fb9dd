"""core.db.bulk_insert, the imports' write path."""

from datetime import date

from gpcloud.core.db import bulk_insert, transaction
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.portal.tables import Notice


async def test_a_row_leaving_out_a_column_others_give_gets_its_default():
    rows = [
        {"tenant_id": "441481", "kind": "notice", "source": "t:1", "title": "一",
         "body": "", "published_on": date(2026, 1, 5), "method": "open_tender"},
        {"tenant_id": "441481", "kind": "notice", "source": "t:2", "title": "二",
         "body": "", "published_on": date(2026, 1, 6)},
    ]  # fmt: skip
    with all_tenants("test: bulk insert"):
        async with transaction():
            ids = await bulk_insert(Notice, rows)
        found = await Notice.select(Notice.id, Notice.method).where(Notice.id.is_in(ids))
    assert sorted((r["id"], r["method"]) for r in found) == [
        (ids[0], "open_tender"),
        (ids[1], ""),
    ]
