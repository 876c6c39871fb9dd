"""Direct purchase (直购) in the closed loop: order -> stock and plan line held -> the supplier
confirms (the contract is concluded) -> delivery -> acceptance -> payment; and what stops an
order: the cap, the plan line, the comparison of makers, a lapse, a decline, a cancel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gpcloud.contracts import mall
from gpcloud.contracts import service as contracts
from gpcloud.contracts.tables import Payment
from gpcloud.core.errors import DomainError
from gpcloud.core.notifications.tables import Notification
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.emall.service import orders
from gpcloud.integrations.digital_finance import service as budget
from gpcloud.registries.goods.service.listings import get_listing
from gpcloud.supervision import plans
from tests.integration.emall.world import emall_world, listing


@pytest.fixture
async def world(demo):
    w = await emall_world()
    w["listing"] = await listing(w["xn"], "华岭", "5000.00", 30)
    return w


def order_of(
    w: dict, quantity: int = 2, listing_id: int | None = None, **extra
) -> orders.OrderInput:
    return orders.OrderInput(
        listing_id or w["listing"], quantity, w["plan"], w["indicator"], **extra
    )


async def stock(listing_id: int) -> int:
    with all_tenants("test"):
        return (await get_listing(listing_id))["stock"]


async def test_an_order_goes_round_the_closed_loop_and_is_paid(world):
    w = world
    with use_scope(w["scope"]):
        order = await orders.place(w["purchaser"], order_of(w, 2))
    assert order["status"] == "placed" and order["amount_fen"] == 1_000_000
    assert order["confirm_due"] is not None
    assert await stock(w["listing"]) == 28
    with all_tenants("test"):
        told = await Notification.count().where(Notification.kind == "mall_order.placed")
    assert told >= 1
    with use_scope(w["scope"]):
        assert (await plans.get(w["plan"]))["status"] == "executing"

    confirmed = await mall.confirm_order(w["seller"], order["id"])
    assert confirmed["status"] == "confirmed" and confirmed["contract"]
    with use_scope(w["scope"]):
        contract = await contracts.get(confirmed["contract"])
    assert contract["status"] == "signed" and contract["amount_fen"] == 1_000_000
    assert contract["supplier_organisation"] == w["xn"] and contract["digest"]
    assert contract["publication_due"] is not None

    delivered = await orders.deliver(w["seller"], order["id"])
    assert delivered["status"] == "delivered"
    with use_scope(w["scope"]):
        before = await budget.get(None, w["indicator"])
        accepted, report = await mall.accept_order(
            w["purchaser"], order["id"], "数量、型号相符", True
        )
        assert accepted["status"] == "accepted" and report["kind"] == "final"
        paid, payment = await mall.pay_order(w["purchaser"], order["id"])
        after = await budget.get(None, w["indicator"])
        assert paid["status"] == "paid"
        assert payment["amount_fen"] == 1_000_000 and payment["final"]
        assert await Payment.count().where(Payment.contract == contract["id"]) == 1
    assert after["paid_fen"] - before["paid_fen"] == 1_000_000
    assert before["reserved_fen"] - after["reserved_fen"] == 1_000_000


async def test_acceptance_and_payment_wait_for_their_step(world):
    w = world
    with use_scope(w["scope"]):
        order = await orders.place(w["purchaser"], order_of(w, 1))
    await mall.confirm_order(w["seller"], order["id"])
    with use_scope(w["scope"]), pytest.raises(DomainError) as exc:
        await mall.accept_order(w["purchaser"], order["id"], "未到货", True)
    assert exc.value.code == "NOT_DELIVERED"
    with use_scope(w["scope"]), pytest.raises(DomainError) as exc:
        await mall.pay_order(w["purchaser"], order["id"])
    assert exc.value.code == "NOT_ACCEPTED"
    await orders.deliver(w["seller"], order["id"])
    with use_scope(w["scope"]):
        failed, _ = await mall.accept_order(w["purchaser"], order["id"], "型号不符", False)
    assert failed["status"] == "delivered"  # a failed acceptance is published, the order waits


async def test_only_the_orders_supplier_confirms_and_only_once(world):
    w = world
    with use_scope(w["scope"]):
        order = await orders.place(w["purchaser"], order_of(w, 1))
    with pytest.raises(DomainError) as exc:
        await mall.confirm_order(w["other_seller"], order["id"])
    assert exc.value.code == "NOT_FOUND"
    await mall.confirm_order(w["seller"], order["id"])
    with pytest.raises(DomainError) as exc:
        await mall.confirm_order(w["seller"], order["id"])
    assert exc.value.code == "WRONG_STATE"


async def test_an_unconfirmed_order_lapses_and_gives_back_its_stock(world):
    w = world
    with use_scope(w["scope"]):
        order = await orders.place(w["purchaser"], order_of(w, 5))
    assert await stock(w["listing"]) == 25
    ran = await scheduler.run_once(order["confirm_due"] + timedelta(seconds=1))
    assert [(d.machine, d.action) for d in ran] == [("e-mall order", "lapse")]
    with use_scope(w["scope"]):
        assert (await orders.get(order["id"]))["status"] == "lapsed"
    assert await stock(w["listing"]) == 30
    with all_tenants("test"):
        assert await Notification.count().where(Notification.kind == "mall_order.lapsed") >= 1
    with pytest.raises(DomainError) as exc:
        await mall.confirm_order(w["seller"], order["id"])
    assert exc.value.code == "WRONG_STATE"


async def test_declined_and_cancelled_orders_give_back_stock_and_budget(world):
    w = world
    with use_scope(w["scope"]):
        first = await orders.place(w["purchaser"], order_of(w, 4))
        second = await orders.place(w["purchaser"], order_of(w, 6))
    assert await stock(w["listing"]) == 20
    with pytest.raises(DomainError) as exc:
        await orders.decline(w["seller"], first["id"], " ")
    assert exc.value.code == "REASON_REQUIRED"
    declined = await orders.decline(w["seller"], first["id"], "暂时缺货")
    assert declined["status"] == "declined" and declined["reason"] == "暂时缺货"
    with use_scope(w["scope"]):
        await orders.cancel(w["purchaser"], second["id"], "需求变更")
    assert await stock(w["listing"]) == 30


async def test_the_mode_cap_and_the_plan_line_bound_orders(world):
    w = world
    big = await listing(w["xn"], "华岭", "90000.00", 1000)
    peers = [
        await listing(w["mz"], "南粤星", "91000.00", 10),
        await listing(w["xn"], "岭南", "92000.00", 10),
    ]
    with use_scope(w["scope"]):
        with pytest.raises(DomainError) as exc:  # 12 x 90,000 = 1,080,000 > the 1,000,000 cap
            await orders.place(w["purchaser"], order_of(w, 12, big, compared=peers))
        assert exc.value.code == "OVER_MODE_CAP"
        # the plan line (3,000,000) funds three orders of 900,000 beside each other, not a fourth
        for _ in range(3):
            await orders.place(w["purchaser"], order_of(w, 10, big, compared=peers))
        with pytest.raises(DomainError) as exc:
            await orders.place(w["purchaser"], order_of(w, 10, big, compared=peers))
        assert exc.value.code == "INSUFFICIENT_BALANCE"
    assert await stock(big) == 970


async def test_stock_is_never_taken_below_zero(world):
    w = world
    few = await listing(w["xn"], "华岭", "100.00", 3)
    with use_scope(w["scope"]):
        await orders.place(w["purchaser"], order_of(w, 2, few))
        with pytest.raises(DomainError) as exc:
            await orders.place(w["purchaser"], order_of(w, 2, few))
    assert exc.value.code == "OUT_OF_STOCK"
    assert await stock(few) == 1


async def test_a_listing_not_serving_the_region_cannot_be_ordered(world):
    w = world
    far = await listing(w["mz"], "南粤星", "100.00", 10, regions=("440100",))
    with use_scope(w["scope"]), pytest.raises(DomainError) as exc:
        await orders.place(w["purchaser"], order_of(w, 1, far))
    assert exc.value.code == "NOT_SERVED"
    city = await listing(w["mz"], "南粤星", "100.00", 10, regions=("441400",))
    with use_scope(w["scope"]):
        assert (await orders.place(w["purchaser"], order_of(w, 1, city)))["status"] == "placed"


async def test_above_the_band_three_makers_are_compared_and_the_lowest_taken(world):
    w = world
    # 45 x 5,000 = 225,000 > the 200,000 band (emall_comparison_band)
    chosen = await listing(w["xn"], "华岭", "5000.00", 100)
    cheaper = await listing(w["mz"], "南粤星", "4800.00", 100)
    same_maker = await listing(w["mz"], "华岭", "5100.00", 100)
    third = await listing(w["xn"], "岭南", "5200.00", 100)
    with use_scope(w["scope"]):
        with pytest.raises(DomainError) as exc:
            await orders.place(w["purchaser"], order_of(w, 45, chosen))
        assert exc.value.code == "COMPARISON_REQUIRED"
        with pytest.raises(DomainError) as exc:  # two makers only
            await orders.place(
                w["purchaser"], order_of(w, 45, chosen, compared=[cheaper, same_maker])
            )
        assert exc.value.code == "COMPARISON_REQUIRED"
        with pytest.raises(DomainError) as exc:
            await orders.place(w["purchaser"], order_of(w, 45, chosen, compared=[cheaper, third]))
        assert exc.value.code == "NOT_LOWEST"
        justified = await orders.place(
            w["purchaser"],
            order_of(w, 45, chosen, compared=[cheaper, third], justification="交货期短一周"),
        )
        assert justified["justification"] == "交货期短一周"
        lowest = await orders.place(
            w["purchaser"], order_of(w, 45, cheaper, compared=[chosen, third])
        )
    assert lowest["status"] == "placed"
    # below the band nothing is compared
    with use_scope(w["scope"]):
        small = await orders.place(w["purchaser"], order_of(w, 2, chosen))
    assert small["compared"] == "[]"
