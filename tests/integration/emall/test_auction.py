"""Reverse auction (竞价): a demand, sealed quotes from suppliers listing the category in the
region until the window closes, fewer than 3 compliant quotes -> failed, else the lowest wins,
the purchaser confirms it, the result is published and the quote becomes an order that goes
round the closed loop."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from gpcloud.contracts import mall
from gpcloud.core.clock import now
from gpcloud.core.errors import DomainError
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.emall.service import auctions, orders, quotes
from gpcloud.portal.tables import Notice
from tests.integration.emall.world import CATEGORY, emall_world, listing, new_supplier


@pytest.fixture
async def world(demo):
    w = await emall_world()
    w["bidders"] = []
    for i in range(4):
        bidder = await new_supplier(f"兴宁市测试供应商{i}有限公司")
        await listing(bidder.organisation_id, f"品牌{i}", "5000.00", 10)
        w["bidders"].append(bidder)
    return w


def demand_of(w: dict, hours: int = 2) -> auctions.DemandInput:
    return auctions.DemandInput(
        plan_id=w["plan"],
        indicator_id=w["indicator"],
        category_code=CATEGORY,
        title="教师办公台式计算机竞价采购",
        quantity=20,
        unit="台",
        ceiling_unit_price=Decimal("5000"),
        closes_at=now() + timedelta(hours=hours),
        delivery="合同签订后15日内送达兴宁市第一中学",
        specs={"CPU": "8核及以上", "内存": "16GB"},
    )


async def quote(bidder, demand_id: int, price: str):
    return await quotes.submit(
        bidder, demand_id, quotes.QuoteInput(Decimal(price), "品牌机，满足参数")
    )


async def test_an_auction_with_4_quotes_is_won_by_the_lowest_and_paid(world):
    w = world
    with use_scope(w["scope"]):
        demand = await auctions.post(w["purchaser"], demand_of(w))
    assert demand["status"] == "open" and demand["min_quotes"] == 3
    b = w["bidders"]
    await quote(b[0], demand["id"], "4800")
    await quote(b[1], demand["id"], "4700")
    await quote(b[2], demand["id"], "4900")
    await quote(b[3], demand["id"], "4750")
    await quote(b[3], demand["id"], "4650")  # revised while open
    with pytest.raises(DomainError) as exc:
        await quote(b[0], demand["id"], "5001")
    assert exc.value.code == "OVER_CEILING"
    outsider = await new_supplier("不经营该品目的供应商")
    with pytest.raises(DomainError) as exc:
        await quote(outsider, demand["id"], "4000")
    assert exc.value.code == "NOT_LISTED"

    # sealed: the purchaser sees none before the close, a supplier its own only
    with all_tenants("test"):
        every = (await quotes.of_demands([demand["id"]]))[0]
    assert len(every) == 4
    assert quotes.visible(w["purchaser"], demand, every) == []
    assert [q["unit_fen"] for q in quotes.visible(b[3], demand, every)] == [465_000]

    ran = await scheduler.run_once(demand["closes_at"] + timedelta(seconds=1))
    assert [(d.machine, d.action) for d in ran] == [("e-mall demand", "close")]
    with use_scope(w["scope"]):
        closed = await auctions.get(demand["id"])
    assert closed["status"] == "closed"
    with all_tenants("test"):
        ranked = (await quotes.of_demands([demand["id"]]))[0]
    assert [q["unit_fen"] for q in ranked] == [465_000, 470_000, 480_000, 490_000]
    assert [q["rank"] for q in ranked] == [1, 2, 3, 4]
    assert closed["winning_quote"] == ranked[0]["id"]
    assert len(quotes.visible(w["purchaser"], closed, ranked)) == 4
    with pytest.raises(DomainError) as exc:
        await quote(b[0], demand["id"], "4000")
    assert exc.value.code == "WINDOW_CLOSED"

    with use_scope(w["scope"]):
        awarded, order = await auctions.award(w["purchaser"], demand["id"])
    assert awarded["status"] == "awarded" and awarded["order"] == order["id"]
    assert order["mode"] == "reverse_auction" and order["amount_fen"] == 20 * 465_000
    assert order["supplier_organisation"] == b[3].organisation_id
    with all_tenants("test"):
        notice = await Notice.select().where(Notice.source == f"mall_demand:{demand['id']}").first()
    assert notice["kind"] == "result" and notice["method"] == "reverse_auction"
    assert "4650.00" in notice["body"]

    await mall.confirm_order(b[3], order["id"])
    await orders.deliver(b[3], order["id"])
    with use_scope(w["scope"]):
        await mall.accept_order(w["purchaser"], order["id"], "验收合格", True)
        paid, payment = await mall.pay_order(w["purchaser"], order["id"])
    assert paid["status"] == "paid" and payment["amount_fen"] == 9_300_000


async def test_fewer_than_3_quotes_fail_and_the_failure_is_published(world):
    w = world
    with use_scope(w["scope"]):
        demand = await auctions.post(w["purchaser"], demand_of(w))
    await quote(w["bidders"][0], demand["id"], "4800")
    await quote(w["bidders"][1], demand["id"], "4700")
    await scheduler.run_once(demand["closes_at"] + timedelta(seconds=1))
    with use_scope(w["scope"]):
        failed = await auctions.get(demand["id"])
        assert failed["status"] == "failed" and "少于3家" in failed["outcome"]
        with pytest.raises(DomainError) as exc:
            await auctions.award(w["purchaser"], demand["id"])
    assert exc.value.code == "WRONG_STATE"
    with all_tenants("test"):
        notice = await Notice.select().where(Notice.source == f"mall_demand:{demand['id']}").first()
    assert "竞价失败" in notice["body"]


async def test_a_demand_is_bounded_by_cap_window_and_plan_line(world):
    w = world
    with use_scope(w["scope"]):
        with pytest.raises(DomainError) as exc:
            await auctions.post(w["purchaser"], demand_of(w, hours=0))
        assert exc.value.code == "INVALID_WINDOW"
        big = demand_of(w)
        with pytest.raises(DomainError) as exc:
            await auctions.post(
                w["purchaser"], auctions.DemandInput(**{**big.__dict__, "quantity": 201})
            )
        assert exc.value.code == "OVER_MODE_CAP"
        posted = await auctions.post(w["purchaser"], big)
        withdrawn = await auctions.withdraw(w["purchaser"], posted["id"])
    assert withdrawn["status"] == "withdrawn"
    with pytest.raises(DomainError) as exc:
        await quote(w["bidders"][0], posted["id"], "4800")
    assert exc.value.code == "WINDOW_CLOSED"
