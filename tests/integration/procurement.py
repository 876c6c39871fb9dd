"""A procurement set up step by step through the services, for the tests of later steps."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from gpcloud.core.auth.service import load_current_user
from gpcloud.core.auth.tables import Organisation, User
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.integrations.digital_finance.tables import BudgetIndicator
from gpcloud.registries.agencies import demo as agencies_demo
from gpcloud.registries.agencies.tables import Agency
from gpcloud.registries.purchasers import demo as purchasers_demo
from gpcloud.registries.purchasers import service as purchasers
from gpcloud.registries.suppliers import demo as suppliers_demo
from gpcloud.registries.suppliers.service import search as suppliers
from gpcloud.supervision import plans
from gpcloud.transaction import service as projects


async def actor(username: str):
    with all_tenants("test"):
        user = await User.select(User.id).where(User.username == username).first()
    return await load_current_user(user["id"])


async def school_indicator() -> tuple[int, int]:
    """(unit, indicator): 兴宁市第一中学, xn.purchaser's unit (purchasers demo seeded), and a
    budget indicator of 5,000,000.00 yuan, in a Xingning scope."""
    unit = (await purchasers.by_budget_unit_codes("441481", ["441481311"]))["441481311"]
    async with transaction():
        line = BudgetIndicator(
            tenant_id="441481",
            code="ZB-1",
            purchaser=unit["id"],
            fiscal_year=2026,
            name="教学设备购置",
            amount_fen=500_000_000,
        )
        await line.save()
    return unit["id"], line.id


def school_plan(indicator: int) -> plans.PlanInput:
    """An open-tender plan of 4,500,000.00 on the indicator (urgent: no intention)."""
    return plans.PlanInput(
        "教学设备采购",
        "goods",
        "open_tender",
        [plans.LineInput(indicator, Decimal("4500000"))],
        intention_exemption="urgent",
        category_code="A02010104",
    )


async def filed_plan() -> dict:
    """A filed open-tender plan of 兴宁市第一中学 (4,500,000.00 of a 5,000,000.00 indicator), the
    Meizhou agency and the supplier of xn.supplier (needs the `demo` accounts)."""
    for module in (purchasers_demo, agencies_demo, suppliers_demo):
        await module.seed()
    scope = (await tenant_tree()).scope_for("441481")
    with use_scope(scope):
        unit, indicator = await school_indicator()
        purchaser = await actor("xn.purchaser")
        plan = await plans.create(purchaser, school_plan(indicator))
        await plans.submit(purchaser, plan["id"])
        await plans.file(await actor("xn.supervisor"), plan["id"])
        seller = await actor("xn.supplier")
        with all_tenants("test"):
            org = (
                await Organisation.select().where(Organisation.id == seller.organisation_id).first()
            )
        supplier = (
            await suppliers.search(suppliers.SupplierFilter(uscc=org["uscc"]), 1, None)
        ).rows[0]
    with all_tenants("test"):
        agencies = {
            a["organisation.name"]: a["id"]
            for a in await Agency.select(Agency.id, Agency.organisation.name)
        }
    return {
        "scope": scope,
        "plan": plan["id"],
        "purchaser": purchaser,
        "indicator": indicator,
        "supplier": supplier,
        "agency": agencies["梅州嘉应招标代理有限公司"],
        "agent": await actor("mz.agency"),
        "seller": seller,
    }


async def awarded_project(world: dict, amount: str = "4380000") -> int:
    """The plan entrusted, tendered on 21 Sep 2026 and awarded on 16 Oct 2026."""
    with use_scope(world["scope"]):
        project = (await projects.entrust(world["purchaser"], world["plan"], world["agency"]))["id"]
        agent = world["agent"]
        await projects.publish_tender(
            agent, project, "招标公告", "正文", date(2026, 10, 12), on=date(2026, 9, 21)
        )
        await projects.publish_result(
            agent,
            project,
            "中标公告",
            "正文",
            [projects.AwardInput(world["supplier"]["uscc"], Decimal(amount))],
            on=date(2026, 10, 16),
        )
    return project
