"""E-mall races. 200 purchasers' requests at once for the last 10 units of a listing: exactly 10
orders, the stock at 0, never below; the others are told OUT_OF_STOCK. And a supplier's
confirmation sent N times at once concludes one contract.

On PostgreSQL the requests really interleave (each in its own task, transaction and pooled
connection; the stock is one conditional UPDATE that PostgreSQL re-checks after the row lock);
on SQLite they queue on the write lock, and the same assertions hold.
"""

from __future__ import annotations

import asyncio

from gpcloud.contracts import mall
from gpcloud.contracts.tables import Contract
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.emall.service import orders
from gpcloud.emall.tables import MallOrder
from gpcloud.registries.goods.service.listings import get_listing
from tests.integration.concurrency.test_transitions import LOST, one_wins, race
from tests.integration.emall.world import emall_world, listing

BUYERS = 200
LAST_UNITS = 10


async def test_200_concurrent_orders_for_the_last_10_units_never_oversell(demo):
    w = await emall_world()
    last = await listing(w["xn"], "华岭", "100.00", LAST_UNITS)

    async def one():
        with use_scope(w["scope"]):
            try:
                return await orders.place(
                    w["purchaser"], orders.OrderInput(last, 1, w["plan"], w["indicator"])
                )
            except DomainError as exc:
                return exc.code

    outcomes = await asyncio.gather(*(one() for _ in range(BUYERS)))
    won = [o for o in outcomes if isinstance(o, dict)]
    lost = [o for o in outcomes if isinstance(o, str)]
    assert len(won) == LAST_UNITS, lost[:5]
    assert set(lost) == {"OUT_OF_STOCK"}
    with all_tenants("test"):
        assert (await get_listing(last))["stock"] == 0
        assert await MallOrder.count().where(MallOrder.listing == last) == LAST_UNITS
    assert len({o["id"] for o in won}) == LAST_UNITS


async def test_a_confirmation_sent_at_once_concludes_one_contract(demo):
    w = await emall_world()
    item = await listing(w["xn"], "华岭", "100.00", 5)
    with use_scope(w["scope"]):
        order = await orders.place(
            w["purchaser"], orders.OrderInput(item, 1, w["plan"], w["indicator"])
        )
    wins, losses = await race(lambda: mall.confirm_order(w["seller"], order["id"]))
    assert set(losses) <= LOST
    confirmed = one_wins(wins, losses)
    with all_tenants("test"):
        assert await Contract.count() == 1
        assert (await MallOrder.select().where(MallOrder.id == order["id"]).first())[
            "contract"
        ] == confirmed["contract"]
