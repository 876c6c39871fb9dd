"""What is published for every way an order ends: OCDS releases (emall/ocds.py, read through
open_data as /ocds/mall/releases serves them) and the portal's notices. A placed order is not
published; a confirmed one is a contract; a lapsed, declined or cancelled one ends its process
(award unsuccessful / cancelled). An auction's order that ends so updates the award the auction
published, and the portal carries a correction beside the result."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from gpcloud.contracts import mall
from gpcloud.core.clock import now
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.emall.service import auctions, open_data, orders, quotes
from gpcloud.portal import ocds as builder
from gpcloud.portal.tables import Notice
from gpcloud.settings import get_settings
from tests.integration.emall.world import CATEGORY, emall_world, listing, new_supplier


def PREFIX() -> str:  # noqa: N802 - read when the test runs, after the settings are set
    return get_settings().ocid_prefix


@pytest.fixture
async def world(demo):
    w = await emall_world()
    w["listing"] = await listing(w["xn"], "华岭", "5000.00", 100)
    return w


def order_of(w: dict, quantity: int = 1) -> orders.OrderInput:
    return orders.OrderInput(w["listing"], quantity, w["plan"], w["indicator"])


async def _processes(kind: str) -> dict[str, list[dict]]:
    found, _ = await open_data.processes(kind, "441481", 0, 500)
    return dict(found)


async def _mall_notices() -> list[dict]:
    with all_tenants("test"):
        return await Notice.select(Notice.kind, Notice.source, Notice.body).where(
            Notice.source.like("mall_%")
        )


async def test_each_end_of_a_direct_order_is_published_once_decided(world):
    w = world
    with use_scope(w["scope"]):
        lapsing, declined, cancelled, confirmed = [
            await orders.place(w["purchaser"], order_of(w, n)) for n in (1, 2, 3, 4)
        ]
    await orders.decline(w["seller"], declined["id"], "暂时缺货")
    with use_scope(w["scope"]):
        await orders.cancel(w["purchaser"], cancelled["id"], "需求变更")
    await mall.confirm_order(w["seller"], confirmed["id"])
    await scheduler.run_once(lapsing["confirm_due"] + timedelta(seconds=1))
    with use_scope(w["scope"]):
        assert (await orders.get(lapsing["id"]))["status"] == "lapsed"
        waiting = await orders.place(w["purchaser"], order_of(w, 5))

    published = await _processes("orders")
    ocid = {
        o["id"]: f"{PREFIX()}-441481-MO{o['id']}"
        for o in (lapsing, declined, cancelled, confirmed, waiting)
    }
    ended = {
        lapsing["id"]: (["award"], "unsuccessful", "逾期失效"),
        declined["id"]: (["award"], "unsuccessful", "暂时缺货"),
        cancelled["id"]: (["awardCancellation"], "cancelled", "需求变更"),
    }
    for order_id, (tags, status, why) in ended.items():
        (release,) = published[ocid[order_id]]
        assert release["tag"] == tags
        assert release["tender"]["status"] == status
        (award,) = release["awards"]
        assert award["status"] == status and why in award["description"]
        assert award["suppliers"][0]["name"] == w["names"][w["xn"]]
    assert [r["tag"] for r in published[ocid[confirmed["id"]]]] == [["award", "contract"]]
    # The one still waiting for its supplier is not published: nothing is decided yet.
    assert ocid[waiting["id"]] not in published
    # A direct order has no notice of its own on the portal (its contract is published by the
    # contracts domain once concluded): an order ended unfulfilled adds none.
    assert [n for n in await _mall_notices() if n["source"].startswith("mall_order:")] == []


async def test_an_auctions_order_that_lapses_takes_its_published_result_back(world):
    w = world
    bidders = []
    for i in range(3):
        bidder = await new_supplier(f"兴宁市结果供应商{i}有限公司")
        await listing(bidder.organisation_id, f"品牌{i}", "5000.00", 10)
        bidders.append(bidder)
    with use_scope(w["scope"]):
        demand = await auctions.post(
            w["purchaser"],
            auctions.DemandInput(
                plan_id=w["plan"],
                indicator_id=w["indicator"],
                category_code=CATEGORY,
                title="教师办公台式计算机竞价采购",
                quantity=10,
                unit="台",
                ceiling_unit_price=Decimal("5000"),
                closes_at=now() + timedelta(hours=2),
                delivery="送达兴宁市第一中学",
            ),
        )
    for bidder, price in zip(bidders, ("4800", "4700", "4900"), strict=True):
        await quotes.submit(bidder, demand["id"], quotes.QuoteInput(Decimal(price), "品牌机"))
    await scheduler.run_once(demand["closes_at"] + timedelta(seconds=1))
    with use_scope(w["scope"]):
        _, order = await auctions.award(w["purchaser"], demand["id"])
    before = await _processes("auctions")
    process = f"{PREFIX()}-441481-MD{demand['id']}"
    assert [r["tag"] for r in before[process]] == [["tender"], ["award"]]

    await scheduler.run_once(order["confirm_due"] + timedelta(seconds=1))
    after = await _processes("auctions")
    assert [r["tag"] for r in after[process]] == [["tender"], ["award"], ["awardUpdate"]]
    compiled = builder.merge(after[process])
    (award,) = compiled["awards"]
    assert award["status"] == "unsuccessful" and "逾期失效" in award["description"]
    assert compiled["tender"]["status"] == "complete"
    # An auction's order is in the auction's process, never a process of its own.
    assert f"{PREFIX()}-441481-MO{order['id']}" not in await _processes("orders")

    notices = {n["source"]: n for n in await _mall_notices()}
    result = notices[f"mall_demand:{demand['id']}"]
    correction = notices[f"mall_order:{order['id']}:lapsed"]
    assert result["kind"] == "result" and correction["kind"] == "correction"
    assert "不再执行" in correction["body"] and "未在确认时限内确认" in correction["body"]
    assert "47000.00" in correction["body"]
    # Running the timer again changes nothing (one lapse, one correction).
    await scheduler.run_once(order["confirm_due"] + timedelta(minutes=5))
    assert len([n for n in await _mall_notices() if n["kind"] == "correction"]) == 1
