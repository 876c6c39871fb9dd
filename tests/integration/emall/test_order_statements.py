"""What one e-mall order costs in SQL statements."""

from __future__ import annotations

from gpcloud.core.tenancy.scope import use_scope
from gpcloud.emall.service import orders
from tests.integration.emall.world import emall_world, listing
from tests.statements import recording


async def test_one_order_statements(demo, monkeypatch):
    w = await emall_world()
    item = await listing(w["xn"], "华岭", "100.00", 1000)
    data = orders.OrderInput(item, 1, w["plan"], w["indicator"])
    with use_scope(w["scope"]):
        await orders.place(w["purchaser"], data)  # the plan moves to executing; caches warm
        with recording(monkeypatch) as found:
            await orders.place(w["purchaser"], data)
    for i, sql in enumerate(found.sql, 1):
        print(i, " ".join(sql.split())[:300])
    assert found.n == 0
