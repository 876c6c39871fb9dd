"""Group buys (批量集采): Meizhou gathers three purchasers' demand (a Meizhou bureau, a Xingning
school and a Xingning street office), each share holds its plan line at the ceiling, joining
closes by itself, Meizhou records the award and every share becomes an order at the awarded
price that goes round the loop; what refuses a share, an award or a withdrawal; and races."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from gpcloud.contracts import mall
from gpcloud.core.auth.service import load_current_user
from gpcloud.core.auth.tables import UserRole
from gpcloud.core.clock import now
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.service import group_buys, orders
from gpcloud.emall.tables import MallGroupShare, MallOrder
from gpcloud.integrations.digital_finance.tables import BudgetIndicator
from gpcloud.portal import ocds
from gpcloud.portal.tables import Notice
from gpcloud.registries.purchasers import service as purchasers
from gpcloud.supervision import plans
from tests.integration.concurrency.test_transitions import one_wins, race
from tests.integration.emall.world import CATEGORY, emall_world
from tests.integration.procurement import actor
from tests.support import data, gql, login
from tests.tenancy.rows import make_user


async def mall_plan(username: str, tenant: str, unit_code: str, supervisor: str) -> dict:
    """A filed plan of 100,000.00 on a new 200,000.00 indicator of the unit `username` acts for."""
    with use_scope((await tenant_tree()).scope_for(tenant)):
        unit = (await purchasers.by_budget_unit_codes(tenant, [unit_code]))[unit_code]
        line = BudgetIndicator(
            tenant_id=tenant,
            code=f"ZB-G-{unit_code}",
            purchaser=unit["id"],
            fiscal_year=2026,
            name="办公设备购置",
            amount_fen=20_000_000,
        )
        await line.save()
        purchaser = await actor(username)
        plan = await plans.create(
            purchaser,
            plans.PlanInput(
                "批量集采台式计算机",
                "goods",
                "request_for_quotation",
                [plans.LineInput(line.id, Decimal("100000"))],
                intention_exemption="agreement_or_designated_small",
                category_code=CATEGORY,
            ),
        )
        await plans.submit(purchaser, plan["id"])
        await plans.file(await actor(supervisor), plan["id"])
    return {"purchaser": purchaser, "plan": plan["id"], "indicator": line.id, "tenant": tenant}


@pytest.fixture
async def world(demo):
    w = await emall_world()
    w["city"] = (await tenant_tree()).scope_for("441400")
    w["organiser"] = await actor("mz.admin")
    w["buyers"] = [
        await mall_plan("mz.purchaser", "441400", "441400301", "mz.supervisor"),
        {
            "purchaser": w["purchaser"],
            "plan": w["plan"],
            "indicator": w["indicator"],
            "tenant": "441481",
        },
        await mall_plan("xn.newclerk", "441481", "441481501", "xn.supervisor"),
    ]
    return w


def spec(**changes) -> group_buys.GroupBuyInput:
    values = dict(
        title="梅州市2026年台式计算机批量集中采购",
        category_code=CATEGORY,
        unit="台",
        ceiling_unit_price=Decimal("5000"),
        joins_close_at=now() + timedelta(days=7),
        specs={"处理器": "不低于8核"},
    )
    values.update(changes)
    return group_buys.GroupBuyInput(**values)


async def opened(w: dict) -> dict:
    with use_scope(w["city"]):
        return await group_buys.open_group_buy(w["organiser"], spec())


async def join(w: dict, buyer: dict, group: dict, quantity: int) -> dict:
    with use_scope((await tenant_tree()).scope_for(buyer["tenant"])):
        return await group_buys.join(
            buyer["purchaser"],
            group_buys.JoinInput(group["id"], quantity, buyer["plan"], buyer["indicator"]),
        )


async def closed(group: dict) -> dict:
    await scheduler.run_once(group["joins_close_at"] + timedelta(seconds=1))
    return await group_buys.get(group["id"])


def award_of(group: dict, w: dict, price: str = "4200", **changes) -> group_buys.AwardInput:
    values = dict(
        group_buy_id=group["id"],
        supplier_organisation=w["xn"],
        unit_price=Decimal(price),
        reference="MZCG2026-G001",
    )
    values.update(changes)
    return group_buys.AwardInput(**values)


async def test_three_purchasers_group_buy_ends_in_paid_orders(world):
    w = world
    group = await opened(w)
    assert group["status"] == "collecting"
    quantities = (10, 4, 2)
    for buyer, quantity in zip(w["buyers"], quantities, strict=True):
        share = await join(w, buyer, group, quantity)
        assert share["held_fen"] == 500_000 * quantity
    group = await closed(group)
    assert group["status"] == "procuring" and group["quantity"] == sum(quantities)
    with use_scope(w["city"]):
        awarded, placed = await group_buys.award(w["organiser"], award_of(group, w))
    assert awarded["status"] == "awarded" and awarded["unit_fen"] == 420_000
    assert [o["quantity"] for o in placed] == list(quantities)
    assert {o["mode"] for o in placed} == {"group_buy"}
    assert [o["tenant_id"] for o in placed] == ["441400", "441481", "441481"]
    with all_tenants("test"):
        shares = await MallGroupShare.select().where(MallGroupShare.group_buy == group["id"])
        notice = (
            await Notice.select().where(Notice.source == f"mall_group_buy:{group['id']}").first()
        )
    assert {s["status"] for s in shares} == {"ordered"}
    assert sorted(s["order"] for s in shares) == sorted(o["id"] for o in placed)
    assert notice["method"] == "group_buy" and "合计 16台" in notice["body"]
    assert ocds.release(notice, [])["tag"] == ["award"]
    # Each order goes round the loop as any other's: the school's is paid.
    school = placed[1]
    await mall.confirm_order(w["seller"], school["id"])
    await orders.deliver(w["seller"], school["id"])
    with use_scope(w["scope"]):
        await mall.accept_order(w["purchaser"], school["id"], "验收合格", True)
        paid, payment = await mall.pay_order(w["purchaser"], school["id"])
    assert paid["status"] == "paid" and payment["amount_fen"] == 4 * 420_000


async def test_a_share_holds_its_plan_line_until_the_award(world):
    w = world
    group = await opened(w)
    buyer = w["buyers"][0]  # a 100,000.00 line: 20 units at the 5,000.00 ceiling
    await join(w, buyer, group, 20)
    other = await opened(w)
    with pytest.raises(DomainError) as exc:
        await join(w, buyer, other, 1)
    assert exc.value.code == "INSUFFICIENT_BALANCE"
    with use_scope(w["city"]):
        await group_buys.leave(buyer["purchaser"], group["id"])
    assert (await join(w, buyer, other, 20))["status"] == "joined"


async def test_what_refuses_a_share(world):
    w = world
    group = await opened(w)
    school = w["buyers"][1]
    await join(w, school, group, 1)
    with pytest.raises(DomainError) as exc:
        await join(w, school, group, 1)
    assert exc.value.code == "ALREADY_JOINED"
    with pytest.raises(DomainError) as exc:
        await join(w, school, group, 0)
    assert exc.value.code == "INVALID_QUANTITY"
    # A Xingning group buy is not Meizhou's to join (a region above joins nothing below it).
    with use_scope(w["scope"]):
        county = await group_buys.open_group_buy(await actor("xn.admin"), spec())
    with pytest.raises(NotFound):
        await join(w, w["buyers"][0], county, 1)
    await closed(group)
    with pytest.raises(DomainError) as exc:
        await join(w, w["buyers"][2], group, 1)
    assert exc.value.code == "JOINING_CLOSED"


async def test_what_refuses_an_award(world):
    w = world
    group = await opened(w)
    with use_scope(w["city"]), pytest.raises(DomainError) as exc:
        await group_buys.award(w["organiser"], award_of(group, w))
    assert exc.value.code == "WRONG_STATE"  # still collecting
    await join(w, w["buyers"][0], group, 3)
    group = await closed(group)
    with use_scope(w["city"]):
        for data, code in (
            (award_of(group, w, "5000.01"), "OVER_CEILING"),
            (award_of(group, w, "0"), "OVER_CEILING"),
            (award_of(group, w, reference=" "), "INVALID_REFERENCE"),
            (award_of(group, w, supplier_organisation=w["unit"]), "NOT_A_SUPPLIER"),
        ):
            with pytest.raises(DomainError) as exc:
                await group_buys.award(w["organiser"], data)
            assert exc.value.code == code
    with use_scope(w["scope"]), pytest.raises(NotFound):  # Xingning's admin is not the organiser
        await group_buys.award(await actor("xn.admin"), award_of(group, w))
    with use_scope(w["scope"]), pytest.raises(DomainError) as exc:
        await group_buys.award(w["purchaser"], award_of(group, w))
    assert exc.value.code == "FORBIDDEN"
    with all_tenants("test"):
        assert await MallOrder.count().where(MallOrder.group_buy == group["id"]) == 0


async def test_no_shares_fail_and_a_withdrawal_releases_the_holds(world):
    w = world
    empty = await closed(await opened(w))
    assert empty["status"] == "failed" and empty["outcome"]
    group = await opened(w)
    buyer = w["buyers"][0]
    await join(w, buyer, group, 20)
    with use_scope(w["city"]):
        with pytest.raises(DomainError) as exc:
            await group_buys.withdraw(w["organiser"], group["id"], "")
        assert exc.value.code == "REASON_REQUIRED"
        withdrawn = await group_buys.withdraw(w["organiser"], group["id"], "需求变更，另行组织")
    assert withdrawn["status"] == "withdrawn"
    again = await opened(w)
    assert (await join(w, buyer, again, 20))["status"] == "joined"  # the line is free again


async def test_who_sees_a_group_buy_and_its_shares(world):
    w = world
    group = await opened(w)
    for buyer in w["buyers"]:
        await join(w, buyer, group, 1)
    with use_scope(w["city"]):
        (staff,) = await group_buys.shares_of(w["organiser"], [group["id"]])
    assert len(staff) == 3
    with use_scope(w["scope"]):
        (own,) = await group_buys.shares_of(w["purchaser"], [group["id"]])
        assert [s["purchaser"] for s in own] == [w["unit"]]
        seen = await group_buys.search(w["purchaser"], None, None, None)
        assert group["id"] in [g["id"] for g in seen.rows]
    # Guangzhou's admin sees nothing of Meizhou's group buy.
    with all_tenants("test: a Guangzhou admin"):
        other = await load_current_user(await make_user("440100"))
        await UserRole(tenant_id="440100", user=other.id, role="tenant_admin").save()
    other = await load_current_user(other.id)
    with use_scope((await tenant_tree()).scope_for("440100")):
        seen = await group_buys.search(other, None, None, None)
        assert group["id"] not in [g["id"] for g in seen.rows]
        with pytest.raises(NotFound):
            await group_buys.readable(other, group["id"])
        (none,) = await group_buys.shares_of(other, [group["id"]])
        assert none == []


async def test_an_award_sent_at_once_places_each_order_once(world):
    w = world
    group = await opened(w)
    for buyer in w["buyers"]:
        await join(w, buyer, group, 2)
    group = await closed(group)

    async def award():
        with use_scope(w["city"]):
            return await group_buys.award(w["organiser"], award_of(group, w))

    one_wins(*await race(award))
    with all_tenants("test"):
        assert await MallOrder.count().where(MallOrder.group_buy == group["id"]) == 3


async def test_a_share_sent_at_once_joins_once(world):
    w = world
    group = await opened(w)
    wins, losses = await race(lambda: join(w, w["buyers"][1], group, 1))
    assert len(wins) == 1 and set(losses) == {"ALREADY_JOINED"}, losses


OPEN = """
mutation($input: MallGroupBuyInput!) {
  openMallGroupBuy(input: $input) {
    groupBuy { id status ceilingUnitPrice specs schedule { events { action } } }
    errors { field code message }
  }
}
"""
JOIN = """
mutation($g: ID!, $q: Int!, $p: ID!, $i: ID!) {
  joinMallGroupBuy(groupBuyId: $g, quantity: $q, planId: $p, indicatorId: $i) {
    share { quantity held status } errors { code message }
  }
}
"""
AWARD = """
mutation($g: ID!, $s: ID!) {
  awardMallGroupBuy(groupBuyId: $g, supplierOrganisationId: $s, unitPrice: "4200",
                    reference: "MZCG2026-G001") {
    groupBuy { status unitPrice quantity shares { quantity status orderId } }
    orders { mode quantity amount status }
    errors { code message }
  }
}
"""


async def test_a_group_buy_through_the_api(client, world):
    w = world
    admin = await login(client, "mz.admin")
    closes = (now() + timedelta(days=7)).isoformat()
    opened = data(
        await gql(
            client,
            OPEN,
            {
                "input": {
                    "title": "梅州市台式计算机批量集采",
                    "categoryCode": CATEGORY,
                    "unit": "台",
                    "ceilingUnitPrice": "5000",
                    "joinsCloseAt": closes,
                    "specs": {"内存": "16GB"},
                }
            },
            token=admin,
        )
    )["openMallGroupBuy"]
    assert opened["errors"] == [] and opened["groupBuy"]["specs"] == {"内存": "16GB"}
    group_id = opened["groupBuy"]["id"]
    buyer = await login(client, "xn.purchaser")
    joined = data(
        await gql(
            client,
            JOIN,
            {"g": group_id, "q": 3, "p": str(w["plan"]), "i": str(w["indicator"])},
            token=buyer,
        )
    )["joinMallGroupBuy"]
    assert joined == {
        "share": {"quantity": 3, "held": "15000.00", "status": "joined"},
        "errors": [],
    }
    await closed(await group_buys.get(int(group_id)))
    awarded = data(await gql(client, AWARD, {"g": group_id, "s": str(w["xn"])}, token=admin))[
        "awardMallGroupBuy"
    ]
    assert awarded["errors"] == []
    assert awarded["groupBuy"]["status"] == "AWARDED" and awarded["groupBuy"]["quantity"] == 3
    assert awarded["orders"] == [
        {"mode": "group_buy", "quantity": 3, "amount": "12600.00", "status": "PLACED"}
    ]
    # The supplier cannot open one; a purchaser cannot award.
    seller = await login(client, "xn.supplier")
    refused = await gql(client, AWARD, {"g": group_id, "s": str(w["xn"])}, token=seller)
    assert refused.get("errors") or refused["data"]["awardMallGroupBuy"]["errors"]
