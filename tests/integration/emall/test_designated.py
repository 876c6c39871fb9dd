"""Designated procurement (定点) under a framework agreement (MOF Order 110): the agreement is
recorded only when entry eliminated >= 20% and every supplier has a maximum unit price within a
lawful term; its list is published; purchasers of the region and below order from a designated
supplier within the maximum, and the order goes round the closed loop; it expires by itself."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from gpcloud.contracts import mall
from gpcloud.core.clock import end_of
from gpcloud.core.errors import DomainError
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.service import agreements, orders
from gpcloud.portal.tables import Notice
from tests.integration.emall.world import emall_world, new_supplier
from tests.integration.procurement import actor

TODAY_RANGE = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
async def world(demo):
    w = await emall_world()
    w["garages"] = [
        await new_supplier(f"梅州市测试汽车维修有限公司{i}", "441400") for i in range(2)
    ]
    return w


def agreement_input(w: dict, entrants: int = 5, **changes) -> agreements.AgreementInput:
    values = dict(
        title="梅州市公务车辆定点维修",
        category_code="C0301",
        kind="services",
        starts_on=TODAY_RANGE[0],
        ends_on=TODAY_RANGE[1],
        entrants=entrants,
        suppliers=[
            agreements.DesignatedInput(
                g.organisation_id, "小型客车维修工时", "工时", Decimal("120")
            )
            for g in w["garages"]
        ],
    )
    values.update(changes)
    return agreements.AgreementInput(**values)


async def recorded(w: dict) -> dict:
    with use_scope((await tenant_tree()).scope_for("441400")):
        return await agreements.record(await actor("mz.admin"), agreement_input(w))


async def test_a_designated_order_goes_round_the_closed_loop(world):
    w = world
    agreement = await recorded(w)
    with all_tenants("test"):
        notice = (
            await Notice.select()
            .where(Notice.source == f"framework_agreement:{agreement['id']}")
            .first()
        )
        (designated,) = [
            d
            for d in (await agreements.designated_of([agreement["id"]]))[0]
            if d["supplier_organisation"] == w["garages"][0].organisation_id
        ]
    assert notice["method"] == "framework_agreement" and "最高限价 120.00" in notice["body"]
    with use_scope(w["scope"]):  # a Xingning school orders under Meizhou's agreement
        seen = await agreements.search(w["purchaser"], None, None, None)
        assert [a["id"] for a in seen.rows] == [agreement["id"]]
        with pytest.raises(DomainError) as exc:
            await agreements.order(
                w["purchaser"],
                agreements.DesignatedOrderInput(
                    designated["id"], 10, Decimal("120.01"), w["plan"], w["indicator"]
                ),
            )
        assert exc.value.code == "OVER_MAX_PRICE"
        order = await agreements.order(
            w["purchaser"],
            agreements.DesignatedOrderInput(
                designated["id"], 10, Decimal("115"), w["plan"], w["indicator"]
            ),
        )
    assert order["mode"] == "designated_purchase" and order["amount_fen"] == 115_000
    assert order["agreement"] == agreement["id"] and order["listing"] is None
    garage = w["garages"][0]
    await mall.confirm_order(garage, order["id"])
    await orders.deliver(garage, order["id"])
    with use_scope(w["scope"]):
        await mall.accept_order(w["purchaser"], order["id"], "维修完成，验收合格", True)
        paid, _ = await mall.pay_order(w["purchaser"], order["id"])
    assert paid["status"] == "paid"


async def test_order_110_numbers_are_held_when_recording(world):
    w = world
    admin = await actor("mz.admin")
    with use_scope((await tenant_tree()).scope_for("441400")):
        with pytest.raises(DomainError) as exc:  # 2 of 2: nobody eliminated
            await agreements.record(admin, agreement_input(w, entrants=2))
        assert [p.code for p in exc.value.problems] == ["TOO_FEW_ELIMINATED"]
        with pytest.raises(DomainError) as exc:  # 2 of 3 is fine, but 3 years is too long
            await agreements.record(
                admin, agreement_input(w, entrants=3, ends_on=date(2028, 12, 31))
            )
        assert [p.code for p in exc.value.problems] == ["INVALID_TERM"]
        no_max = agreement_input(w)
        no_max.suppliers[0] = agreements.DesignatedInput(
            w["garages"][0].organisation_id, "工时", "工时", Decimal("0")
        )
        with pytest.raises(DomainError) as exc:
            await agreements.record(admin, no_max)
        assert [p.code for p in exc.value.problems] == ["MAX_PRICE_REQUIRED"]
    with pytest.raises(DomainError) as exc:
        await agreements.record(w["purchaser"], agreement_input(w))
    assert exc.value.code == "FORBIDDEN"


async def test_another_citys_agreement_is_not_reachable_and_an_expired_one_not_usable(world):
    w = world
    agreement = await recorded(w)
    with all_tenants("test"):
        designated = (await agreements.designated_of([agreement["id"]]))[0][0]
    ran = await scheduler.run_once(end_of(agreement["ends_on"]) + timedelta(seconds=1))
    assert ("framework agreement", "expire") in [(d.machine, d.action) for d in ran]
    with use_scope(w["scope"]), pytest.raises(DomainError) as exc:
        await agreements.order(
            w["purchaser"],
            agreements.DesignatedOrderInput(
                designated["id"], 1, Decimal("100"), w["plan"], w["indicator"]
            ),
        )
    assert exc.value.code == "AGREEMENT_NOT_IN_FORCE"
    # an agreement of Xingning is not one Meizhou's own units order under (only the region and
    # the regions above it)
    with use_scope((await tenant_tree()).scope_for("441481")):
        county = await agreements.record(await actor("xn.admin"), agreement_input(w))
    with all_tenants("test"):
        local = (await agreements.designated_of([county["id"]]))[0][0]
    city_buyer = await actor("mz.purchaser")
    with use_scope((await tenant_tree()).scope_for("441400")), pytest.raises(DomainError) as exc:
        await agreements.order(
            city_buyer, agreements.DesignatedOrderInput(local["id"], 1, Decimal("100"), 1, 1)
        )
    assert exc.value.code == "NOT_FOUND"
