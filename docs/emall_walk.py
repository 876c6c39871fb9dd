"""The e-mall as one GraphQL session: a direct purchase, a reverse auction with four quotes, a
designated service order under Meizhou's framework agreement, by 兴宁市第一中学 (Xingning,
441481), and a group buy of three purchasers organised by Meizhou, each ending in a paid order, through the same budget -> plan -> contract -> acceptance
-> payment loop as a tender.

    uv run python docs/emall_walk.py           # run it and print the session
    uv run python docs/emall_walk.py --write   # run it and rewrite docs/emall-walk.md

Like docs/closed_loop.py (whose Session it uses), it runs on a throwaway deployment with the demo
data plus the e-mall's demo bidders (gpcloud.emall.demo), each step on the day it names. The
auction's window is an instant (closesAt): the walk sets it two hours after the real clock and
runs the scheduler at its close. tests/e2e/test_emall_walk.py runs the same walk.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _closed_loop():
    if "closed_loop" not in sys.modules:
        spec = importlib.util.spec_from_file_location("closed_loop", HERE / "closed_loop.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["closed_loop"] = module
        spec.loader.exec_module(module)
    return sys.modules["closed_loop"]


cl = _closed_loop()
ok = cl.ok

ORDER = "order { id status amount contractId splitWarning }"
ORDER_STEP = "mutation($id: ID!) { %s(id: $id%s) { " + ORDER + " errors { code message } } }"


async def tick(at) -> list:
    """The scheduler's tick at an instant (the worker runs it every second)."""
    from gpcloud.core.scheduler import service as scheduler

    return await scheduler.run_once(at)


async def setup(s) -> dict:
    """Budget line and a filed plan of 300,000.00 for e-mall purchases of desktop computers."""
    d = date
    started = await s.step(
        d(2026, 11, 2),
        "xn.admin",
        "Import the budget indicator file from digital_finance",
        'mutation($file: Upload!) { startImport(registry: "budget_indicators", file: $file) '
        "{ job { id status } errors { code message } } }",
        files=("indicators.csv", cl.INDICATORS.encode(), "text/csv"),
    )
    ok(started["startImport"])
    await s.jobs(d(2026, 11, 2))
    lines = await s.step(
        d(2026, 11, 2),
        "xn.purchaser",
        "The school sees its budget line",
        "{ budgetIndicators { edges { node { id code amount balance } } } }",
    )
    indicator = lines["budgetIndicators"]["edges"][0]["node"]["id"]
    created = await s.step(
        d(2026, 11, 2),
        "xn.purchaser",
        "Declare the plan for e-mall purchases (no intention: agreement or designated, small)",
        "mutation($input: PlanInput!) { createProcurementPlan(input: $input) "
        "{ plan { id status amount } errors { code message } } }",
        {
            "input": {
                "title": "教学办公台式计算机电子卖场采购",
                "objectType": "GOODS",
                "method": "REQUEST_FOR_QUOTATION",
                "intentionExemption": "AGREEMENT_OR_DESIGNATED_SMALL",
                "categoryCode": "A02010104",
                "lines": [{"indicatorId": indicator, "amount": "300000.00"}],
            }
        },
    )
    plan = ok(created["createProcurementPlan"])["plan"]["id"]
    await s.step(
        d(2026, 11, 2),
        "xn.purchaser",
        "Submit it: the indicator reserves 300,000.00",
        "mutation($id: ID!) { submitProcurementPlan(id: $id) { plan { status } errors { code } } }",
        {"id": plan},
    )
    filed = await s.step(
        d(2026, 11, 2),
        "xn.supervisor",
        "File it",
        "mutation($id: ID!) { fileProcurementPlan(id: $id) { plan { status } errors { code } } }",
        {"id": plan},
    )
    assert ok(filed["fileProcurementPlan"])["plan"]["status"] == "FILED"
    return {"plan": plan, "indicator": indicator}


async def order_round(s, order: str, supplier: str, day: date, findings: str) -> dict:
    """Confirm (the contract is concluded), deliver, accept, pay: one order's closed loop."""
    d1, d3, d5 = day, day + timedelta(days=2), day + timedelta(days=3)
    confirmed = await s.step(
        d1,
        supplier,
        "The supplier confirms: the contract is concluded",
        ORDER_STEP % ("confirmMallOrder", ""),
        {"id": order},
    )
    contract = ok(confirmed["confirmMallOrder"])["order"]["contractId"]
    published = await s.step(
        d1,
        "xn.purchaser",
        "Publish the contract (within contract_publication, 2 working days)",
        "mutation($id: ID!) { publishContract(id: $id) { contract { status publishedOn } "
        "errors { code } } }",
        {"id": contract},
    )
    assert ok(published["publishContract"])["contract"]["status"] == "PUBLISHED"
    delivered = await s.step(
        d3, supplier, "Delivered", ORDER_STEP % ("deliverMallOrder", ""), {"id": order}
    )
    assert ok(delivered["deliverMallOrder"])["order"]["status"] == "DELIVERED"
    accepted = await s.step(
        d5,
        "xn.purchaser",
        "Final acceptance (published as the contract's acceptance report)",
        ORDER_STEP % ("acceptMallOrder", f', findings: "{findings}", passed: true'),
        {"id": order},
    )
    assert ok(accepted["acceptMallOrder"])["order"]["status"] == "ACCEPTED"
    paid = await s.step(
        d5,
        "xn.purchaser",
        "Final payment from the plan's line",
        ORDER_STEP % ("payMallOrder", ""),
        {"id": order},
    )
    return ok(paid["payMallOrder"])["order"]


async def walk(s) -> dict:
    from gpcloud.core.clock import now

    d = date
    base = await setup(s)

    # Direct purchase (直购): a listed computer at its price, below the comparison band.
    items = await s.step(
        d(2026, 11, 3),
        "xn.purchaser",
        "Find the goods item in the catalogue",
        '{ goodsItems(filter: {code: "GD-A02010104-000001"}) { edges { node { id name } } } }',
    )
    item = items["goodsItems"]["edges"][0]["node"]["id"]
    offers = await s.step(
        d(2026, 11, 3),
        "xn.purchaser",
        "Its listings serving Xingning",
        'query($item: ID!) { supplierListings(filter: {goodsItemId: $item, region: "441481"}) '
        "{ edges { node { id price stock organisationId } } } }",
        {"item": item},
    )
    listing = offers["supplierListings"]["edges"][0]["node"]
    placed = await s.step(
        d(2026, 11, 3),
        "xn.purchaser",
        "Order 8 at the listed price: stock and the plan's line are held",
        "mutation($input: MallOrderInput!) { placeMallOrder(input: $input) { "
        + ORDER
        + " errors { code message } } }",
        {
            "input": {
                "listingId": listing["id"],
                "quantity": 8,
                "planId": base["plan"],
                "indicatorId": base["indicator"],
            }
        },
    )
    direct = ok(placed["placeMallOrder"])["order"]
    assert direct["amount"] == "40400.00"
    paid = await order_round(s, direct["id"], "xn.supplier", d(2026, 11, 3), "型号、数量相符")
    assert paid["status"] == "PAID"

    # Reverse auction (竞价): 30 computers, ceiling 4,300.00 a unit, four sealed quotes.
    closes = now() + timedelta(hours=2)
    posted = await s.step(
        d(2026, 11, 9),
        "xn.purchaser",
        "Post the demand to reverse auction",
        "mutation($input: MallDemandInput!) { postMallDemand(input: $input) "
        "{ demand { id status closesAt minQuotes } errors { code message } } }",
        {
            "input": {
                "planId": base["plan"],
                "indicatorId": base["indicator"],
                "categoryCode": "A02010104",
                "title": "教师办公台式计算机竞价采购",
                "quantity": 30,
                "unit": "台",
                "ceilingUnitPrice": "4300.00",
                "closesAt": closes.isoformat(),
                "delivery": "成交后15日内送达兴宁市第一中学",
                "specs": {"CPU": "6核及以上", "内存": "8GB及以上", "硬盘": "256GB SSD及以上"},
            }
        },
    )
    demand = ok(posted["postMallDemand"])["demand"]
    for supplier, price in (
        ("xn.supplier", "4200.00"),
        ("mz.bidder1", "4150.00"),
        ("xn.bidder2", "4120.00"),
        ("mz.bidder3", "4180.00"),
    ):
        quoted = await s.step(
            d(2026, 11, 9),
            supplier,
            f"Sealed quote of {price}",
            "mutation($id: ID!, $p: Decimal!) { submitMallQuote(demandId: $id, unitPrice: $p, "
            'offer: "通用办公型台式计算机，满足全部参数") { quote { id unitPrice } errors { code } } }',
            {"id": demand["id"], "p": price},
        )
        ok(quoted["submitMallQuote"])
    sealed = await s.step(
        d(2026, 11, 9),
        "xn.purchaser",
        "Before the close the purchaser sees how many quotes, not their prices",
        "query($id: ID!) { mallDemand(id: $id) { status quoteCount quotes { unitPrice } } }",
        {"id": demand["id"]},
    )
    assert sealed["mallDemand"]["quoteCount"] == 4 and sealed["mallDemand"]["quotes"] == []
    from datetime import datetime

    ran = await tick(datetime.fromisoformat(demand["closesAt"]) + timedelta(seconds=1))
    # The demand closes (other due items of the demo data may run in the same tick).
    assert ("e-mall demand", "close") in [(r.machine, r.action) for r in ran], ran
    ranked = await s.step(
        d(2026, 11, 10),
        "xn.purchaser",
        "Closed by the scheduler: quotes unsealed and ranked",
        "query($id: ID!) { mallDemand(id: $id) { status outcome quotes { supplierName unitPrice "
        "rank compliant } } }",
        {"id": demand["id"]},
    )
    quotes = ranked["mallDemand"]["quotes"]
    assert [q["unitPrice"] for q in quotes] == ["4120.00", "4150.00", "4180.00", "4200.00"]
    awarded = await s.step(
        d(2026, 11, 10),
        "xn.purchaser",
        "Confirm the lowest: the result is published, the quote becomes an order",
        ORDER_STEP % ("awardMallDemand", ""),
        {"id": demand["id"]},
    )
    won = ok(awarded["awardMallDemand"])["order"]
    assert won["amount"] == "123600.00"
    notices = await s.step(
        d(2026, 11, 10),
        "xn.purchaser",
        "The result on the portal",
        '{ notices(filter: {method: "reverse_auction"}) { edges { node { kind title body } } } }',
    )
    assert "4120.00" in notices["notices"]["edges"][0]["node"]["body"]
    paid_auction = await order_round(s, won["id"], "xn.bidder2", d(2026, 11, 10), "验收合格")
    assert paid_auction["status"] == "PAID"
    # Designated procurement (定点): Meizhou's vehicle repair agreement, a Xingning order under it.
    garages = await s.step(
        d(2026, 11, 12),
        "mz.admin",
        "The garages the city's framework procedure designated",
        '{ organisations(kind: SUPPLIER, search: "汽车") { edges { node { id name } } } }',
    )
    chosen = [e["node"]["id"] for e in garages["organisations"]["edges"]]
    assert len(chosen) == 2
    recorded = await s.step(
        d(2026, 11, 12),
        "mz.admin",
        "Record the framework agreement (4 entered, 2 designated, maximum unit prices)",
        "mutation($input: FrameworkAgreementInput!) { recordFrameworkAgreement(input: $input) "
        "{ agreement { id status endsOn } errors { field code message } } }",
        {
            "input": {
                "title": "梅州市公务车辆定点维修",
                "categoryCode": "C0301",
                "kind": "services",
                "startsOn": "2026-11-12",
                "endsOn": "2027-11-11",
                "entrants": 4,
                "suppliers": [
                    {
                        "organisationId": g,
                        "item": "小型客车维修工时",
                        "unit": "工时",
                        "maxUnitPrice": "120.00",
                    }
                    for g in chosen
                ],
            }
        },
    )
    ok(recorded["recordFrameworkAgreement"])
    listed = await s.step(
        d(2026, 11, 12),
        "xn.purchaser",
        "The agreements the school may order under",
        "{ frameworkAgreements { edges { node { id title designatedSuppliers "
        "{ id supplierName maxUnitPrice } } } } }",
    )
    designated = listed["frameworkAgreements"]["edges"][0]["node"]["designatedSuppliers"]
    garage = next(x for x in designated if x["supplierName"] == "梅州市安达汽车维修服务有限公司")
    placed = await s.step(
        d(2026, 11, 12),
        "xn.purchaser",
        "Order 20 hours of repair from a designated garage, within its maximum",
        "mutation($input: DesignatedOrderInput!) { placeDesignatedOrder(input: $input) { "
        + ORDER
        + " errors { code message } } }",
        {
            "input": {
                "designatedSupplierId": garage["id"],
                "quantity": 20,
                "unitPrice": "110.00",
                "planId": base["plan"],
                "indicatorId": base["indicator"],
            }
        },
    )
    service = ok(placed["placeDesignatedOrder"])["order"]
    assert service["amount"] == "2200.00"
    paid_service = await order_round(s, service["id"], "mz.garage1", d(2026, 11, 12), "维修完成")
    assert paid_service["status"] == "PAID"

    group = await group_buy(s, base)

    budget = await s.step(
        d(2026, 11, 30),
        "xn.purchaser",
        "The budget line after the four payments",
        "{ budgetIndicators { edges { node { code amount reserved paid balance } } } }",
    )
    line = budget["budgetIndicators"]["edges"][0]["node"]
    assert line["paid"] == "183000.00"
    return {
        "direct": direct["id"],
        "auction": won["id"],
        "designated": service["id"],
        "group_buy": group["id"],
        "group_share": group["school_order"],
        "line": line,
    }


async def mall_plan(s, day: date, who: tuple[str, str, str], unit: str, code: str) -> dict:
    """Another unit's budget line (its region's admin imports it) and a filed plan of
    100,000.00 on it for e-mall purchases. `who`: admin, supervisor, purchaser."""
    admin, supervisor, purchaser = who
    started = await s.step(
        day,
        admin,
        f"Import the budget indicator of unit {unit}",
        'mutation($file: Upload!) { startImport(registry: "budget_indicators", file: $file) '
        "{ job { id status } errors { code message } } }",
        files=(
            "indicators.csv",
            (
                "code,budget_unit_code,fiscal_year,name,amount,funding_source\n"
                f"{code},{unit},2026,办公设备购置,200000.00,一般公共预算\n"
            ).encode(),
            "text/csv",
        ),
    )
    ok(started["startImport"])
    await s.jobs(day)
    lines = await s.step(
        day, purchaser, "Its budget line", "{ budgetIndicators { edges { node { id code } } } }"
    )
    indicator = next(
        e["node"]["id"] for e in lines["budgetIndicators"]["edges"] if e["node"]["code"] == code
    )
    created = await s.step(
        day,
        purchaser,
        "Declare, submit and have filed a plan for its share of the group buy",
        "mutation($input: PlanInput!) { createProcurementPlan(input: $input) "
        "{ plan { id status amount } errors { code message } } }",
        {
            "input": {
                "title": "批量集采台式计算机",
                "objectType": "GOODS",
                "method": "REQUEST_FOR_QUOTATION",
                "intentionExemption": "AGREEMENT_OR_DESIGNATED_SMALL",
                "categoryCode": "A02010104",
                "lines": [{"indicatorId": indicator, "amount": "100000.00"}],
            }
        },
    )
    plan = ok(created["createProcurementPlan"])["plan"]["id"]
    submitted = await s.step(
        day,
        purchaser,
        "Submit it",
        "mutation($id: ID!) { submitProcurementPlan(id: $id) { plan { status } errors { code } } }",
        {"id": plan},
    )
    ok(submitted["submitProcurementPlan"])
    filed = await s.step(
        day,
        supervisor,
        "File it",
        "mutation($id: ID!) { fileProcurementPlan(id: $id) { plan { status } errors { code } } }",
        {"id": plan},
    )
    assert ok(filed["fileProcurementPlan"])["plan"]["status"] == "FILED"
    return {"plan": plan, "indicator": indicator, "purchaser": purchaser}


async def group_buy(s, base: dict) -> dict:
    """Group buy (批量集采): Meizhou gathers the demand of three purchasers (its education
    bureau, the Xingning school and a Xingning street office), procures once, records the award;
    each share becomes an order at the awarded price, the school's goes round to payment."""
    from datetime import datetime

    from gpcloud.core.clock import now

    d = date
    day = d(2026, 11, 16)
    # The street office's clerk logs in for the first time: new password and profile first.
    changed = await s.step(
        day,
        "xn.newclerk",
        "First login of the street office's clerk: a new password",
        "mutation($old: String!, $new: String!) { changePassword(currentPassword: $old, "
        "newPassword: $new) { token errors { code message } } }",
        {"old": cl.PASSWORD, "new": "Ningxin#Clerk2026"},
    )
    s.tokens["xn.newclerk"] = ok(changed["changePassword"])["token"]
    profile = await s.step(
        day,
        "xn.newclerk",
        "and the profile the first-login rule asks for",
        "mutation($input: ProfileInput!) { completeProfile(input: $input) "
        "{ errors { code message } } }",
        {
            "input": {
                "displayName": "宁新街道采购经办",
                "mobile": "0753-3263280",
                "email": "caigou@ningxin.example",
            }
        },
    )
    ok(profile["completeProfile"])
    buyers = [
        await mall_plan(
            s, day, ("mz.admin", "mz.supervisor", "mz.purchaser"), "441400301", "ZB2026-441400-G01"
        ),
        {**base, "purchaser": "xn.purchaser"},
        await mall_plan(
            s, day, ("xn.admin", "xn.supervisor", "xn.newclerk"), "441481501", "ZB2026-441481-G01"
        ),
    ]
    closes = now() + timedelta(days=3)
    opened = await s.step(
        day,
        "mz.admin",
        "Meizhou opens a group buy of desktop computers, ceiling 5,000.00 a unit",
        "mutation($input: MallGroupBuyInput!) { openMallGroupBuy(input: $input) "
        "{ groupBuy { id status joinsCloseAt } errors { code message } } }",
        {
            "input": {
                "title": "梅州市2026年台式计算机批量集中采购",
                "categoryCode": "A02010104",
                "unit": "台",
                "ceilingUnitPrice": "5000.00",
                "joinsCloseAt": closes.isoformat(),
                "specs": {"处理器": "不低于8核", "内存": "16GB及以上"},
            }
        },
    )
    group = ok(opened["openMallGroupBuy"])["groupBuy"]
    for buyer, quantity in zip(buyers, (10, 4, 2), strict=True):
        joined = await s.step(
            day,
            buyer["purchaser"],
            f"Join with {quantity}: quantity x the ceiling is held on the plan's line",
            "mutation($g: ID!, $q: Int!, $p: ID!, $i: ID!) { joinMallGroupBuy(groupBuyId: $g, "
            "quantity: $q, planId: $p, indicatorId: $i) { share { quantity held status } "
            "errors { code message } } }",
            {"g": group["id"], "q": quantity, "p": buyer["plan"], "i": buyer["indicator"]},
        )
        assert ok(joined["joinMallGroupBuy"])["share"]["held"] == f"{quantity * 5000}.00"
    ran = await tick(datetime.fromisoformat(group["joinsCloseAt"]) + timedelta(seconds=1))
    assert ("group buy", "close") in [(r.machine, r.action) for r in ran], ran
    suppliers = await s.step(
        d(2026, 11, 20),
        "mz.admin",
        "Joining closed (scheduler): 16 units. The supplier the city's procurement chose",
        '{ organisations(kind: SUPPLIER, search: "合水电子") { edges { node { id name } } } }',
    )
    supplier = suppliers["organisations"]["edges"][0]["node"]["id"]
    awarded = await s.step(
        d(2026, 11, 20),
        "mz.admin",
        "Record the award at 4,200.00 a unit: each share becomes an order, the result is published",
        "mutation($g: ID!, $s: ID!) { awardMallGroupBuy(groupBuyId: $g, supplierOrganisationId: "
        '$s, unitPrice: "4200.00", reference: "MZCG-2026-0188") { groupBuy { status quantity '
        "unitPrice } orders { id tenantCode amount status } errors { code message } } }",
        {"g": group["id"], "s": supplier},
    )
    result = ok(awarded["awardMallGroupBuy"])
    assert result["groupBuy"]["quantity"] == 16
    assert [o["amount"] for o in result["orders"]] == ["42000.00", "16800.00", "8400.00"]
    school = result["orders"][1]
    paid = await order_round(s, school["id"], "xn.supplier", d(2026, 11, 20), "16台全部验收合格")
    assert paid["status"] == "PAID"
    return {**group, "school_order": school["id"]}


async def run_standalone():
    import httpx

    from gpcloud.app import create_app
    from gpcloud.core import redis as redis_module
    from gpcloud.core.db import close_pool, open_pool
    from gpcloud.core.migrations import migrate
    from gpcloud.core.tenancy.files import apply_tenant_files
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.demo import seed_demo
    from gpcloud.emall import demo as emall_demo
    from gpcloud.settings import get_settings
    from gpcloud.worker import drain

    settings = get_settings()
    await migrate()
    await open_pool(settings.db_pool_min, settings.db_pool_max)
    try:
        with all_tenants("e-mall walk: set up the demo"):
            await apply_tenant_files(settings.tenants_dir)
        await seed_demo()
        await emall_demo.seed()
        transport = httpx.ASGITransport(app=create_app(run_worker=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://gpcloud.local") as http:
            session = cl.Session(http, drain)
            await walk(session)
        return session
    finally:
        await close_pool()
        redis_module.stop_embedded()


def main() -> None:
    os.environ["GPCLOUD_VAR"] = tempfile.mkdtemp(prefix="gpcloud-emall-walk-")
    os.environ.pop("GPCLOUD_DB", None)
    os.environ.pop("GPCLOUD_REDIS", None)
    os.environ.setdefault("GPCLOUD_TENANTS_DIR", str(HERE.parent / "tenants"))
    import logging

    logging.disable(logging.INFO)
    session = asyncio.run(run_standalone())
    text = (
        cl.markdown(session.transcript)
        .replace("# The closed loop as a GraphQL session", "# The e-mall as a GraphQL session", 1)
        .replace("docs/closed_loop.py --write", "docs/emall_walk.py --write", 1)
    )
    if "--write" in sys.argv:
        (HERE / "emall-walk.md").write_text(text + "\n", encoding="utf-8")
        print(f"wrote docs/emall-walk.md ({len(session.transcript)} steps)")
    else:
        print(text)


if __name__ == "__main__":
    main()
