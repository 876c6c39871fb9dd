"""What one e-mall order costs in SQL statements (docs/emall.md "Measured"): a change that adds
one fails here; if it is needed, pin the new number and say why."""

from __future__ import annotations

from gpcloud.core.db import is_sqlite
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.emall.service import orders
from tests.integration.emall.world import emall_world, listing
from tests.statements import recording

# Outside the transaction: the unit, the listing and its regions, the tenant's config (once: its
# caps, rules and switches, and the province's review switch), the purchasable check, the
# indicator's budget year (SQLite commits each). In it (BEGIN .. COMMIT): the credit check (the
# supplier's code, its records, the lists, the snapshot and its read), the unit's lock
# (PostgreSQL; SQLite's write lock is taken at BEGIN), the plan and its lines, the splitting sum,
# the line's holds (orders, group-buy shares), the order, its audit entry, the supplier's
# recipients, their preferences, the notification and its delivery, the stock. The calendar is
# kept (core/calendar/service.py).
SQLITE, POSTGRES = 31, 26


async def test_one_order_costs_a_fixed_number_of_statements(demo, monkeypatch):
    w = await emall_world()
    item = await listing(w["xn"], "华岭", "100.00", 1000)
    data = orders.OrderInput(item, 1, w["plan"], w["indicator"])
    with use_scope(w["scope"]):
        await orders.place(w["purchaser"], data)  # the plan moves to executing; caches warm
        with recording(monkeypatch) as found:
            order = await orders.place(w["purchaser"], data)
        assert order == await orders.get(order["id"])  # the insert returns the row as stored
    assert found.n == (SQLITE if is_sqlite() else POSTGRES), found.listed()
