"""The simplified flow: entrust a filed plan, publish tender / correction / result with the
periods of the rule sets on the calendar, record the winners; who may do what."""

from datetime import date
from decimal import Decimal

import pytest

from gpcloud.core.auth.service import load_current_user
from gpcloud.core.auth.tables import User
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
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
from gpcloud.transaction import service

SEP_21 = date(2026, 9, 21)  # a Monday; Mid-autumn 25-27 Sep and National Day 1-7 Oct follow


async def actor(username):
    with all_tenants("test"):
        user = await User.select(User.id).where(User.username == username).first()
    return await load_current_user(user["id"])


@pytest.fixture
async def world(demo):
    """A filed plan of 兴宁市第一中学 (4,500,000.00, open tender), the Meizhou agency, a supplier."""
    for module in (purchasers_demo, agencies_demo, suppliers_demo):
        await module.seed()
    scope = (await tenant_tree()).scope_for("441481")
    with use_scope(scope):
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
        purchaser = await actor("xn.purchaser")
        plan = await plans.create(
            purchaser,
            plans.PlanInput(
                "教学设备采购",
                "goods",
                "open_tender",
                [plans.LineInput(line.id, Decimal("4500000"))],
                intention_exemption="urgent",
            ),
        )
        await plans.submit(purchaser, plan["id"])
        await plans.file(await actor("xn.supervisor"), plan["id"])
        supplier = (await suppliers.search(suppliers.SupplierFilter(), 1, None)).rows[0]
    with all_tenants("test"):
        agencies = {
            a["organisation.name"]: a["id"]
            for a in await Agency.select(Agency.id, Agency.organisation.name)
        }
    return {
        "scope": scope,
        "plan": plan["id"],
        "purchaser": purchaser,
        "supplier": supplier["uscc"],
        "agency": agencies["梅州嘉应招标代理有限公司"],
        "agent": await actor("mz.agency"),
    }


async def entrusted(world):
    with use_scope(world["scope"]):
        return await service.entrust(world["purchaser"], world["plan"], world["agency"])


async def test_entrusting_needs_a_filed_plan_of_your_own_and_an_available_agency(world):
    with use_scope((await tenant_tree()).scope_for("441400")):  # the city's unit sees the plan
        with pytest.raises(DomainError) as info:
            await service.entrust(await actor("mz.purchaser"), world["plan"], world["agency"])
        assert info.value.code == "NOT_FOUND"
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await service.entrust(world["purchaser"], world["plan"], 999999)
        assert info.value.code == "UNKNOWN_AGENCY"
    project = await entrusted(world)
    assert project["status"] == "entrusted"
    with use_scope(world["scope"]):
        assert (await plans.get(world["plan"]))["status"] == "executing"
        with pytest.raises(DomainError) as info:
            await service.entrust(world["purchaser"], world["plan"], world["agency"])
        assert info.value.code == "WRONG_STATE"  # one project per plan


async def test_announcement_periods_follow_the_rules_and_the_calendar(world):
    project = (await entrusted(world))["id"]
    agent = world["agent"]
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await service.publish_tender(
                agent, project, "招标公告", "正文", date(2026, 10, 9), on=SEP_21
            )
        # 20 days end on Sunday 11 Oct: the period ends on Monday 12 Oct.
        assert info.value.code == "PERIOD_TOO_SHORT" and "2026-10-12" in str(info.value)
        await service.publish_tender(
            agent, project, "招标公告", "正文", date(2026, 10, 12), on=SEP_21
        )
        tender = (await service.announcements(project))[0]
        assert tender["period_end"] == date(2026, 9, 29)  # 5 wd around Mid-autumn
        with pytest.raises(DomainError) as info:
            await service.publish_correction(
                agent, project, "更正公告", "技术参数调整", True, on=date(2026, 10, 1)
            )
        assert info.value.code == "CORRECTION_TOO_LATE" and "2026-10-16" in str(info.value)
        await service.publish_correction(
            agent,
            project,
            "更正公告",
            "技术参数调整",
            True,
            date(2026, 10, 16),
            on=date(2026, 10, 1),
        )
        await service.publish_correction(
            agent, project, "更正公告", "联系人变更", False, on=date(2026, 10, 8)
        )
        award = [service.AwardInput(world["supplier"], Decimal("4380000"))]
        with pytest.raises(DomainError) as info:
            await service.publish_result(
                agent, project, "中标公告", "正文", award, on=date(2026, 10, 15)
            )
        assert info.value.code == "BEFORE_DEADLINE"
        over = [service.AwardInput(world["supplier"], Decimal("4500000.01"))]
        with pytest.raises(DomainError) as info:
            await service.publish_result(
                agent, project, "中标公告", "正文", over, on=date(2026, 10, 16)
            )
        assert info.value.code == "OVER_BUDGET"
        nobody = [service.AwardInput("91441481MA4W0099XX", Decimal("1"))]
        with pytest.raises(DomainError) as info:
            await service.publish_result(
                agent, project, "中标公告", "正文", nobody, on=date(2026, 10, 16)
            )
        assert info.value.code == "UNKNOWN_SUPPLIER"
        done = await service.publish_result(
            agent, project, "中标公告", "正文", award, on=date(2026, 10, 16)
        )
        assert done["status"] == "awarded"
        result = (await service.announcements(project))[-1]
        assert result["period_end"] == date(2026, 10, 19)  # one working day, over the weekend
        assert [a["amount_fen"] for a in await service.awards(project)] == [438_000_000]


async def test_only_the_entrusted_agency_publishes(world):
    project = (await entrusted(world))["id"]
    with use_scope(world["scope"]):
        other = await actor("xn.agency")  # another agency, same county
        with pytest.raises(DomainError) as info:
            await service.publish_tender(other, project, "招标公告", "正文", date(2026, 12, 31))
        assert info.value.code == "NOT_FOUND"
    with use_scope((await tenant_tree()).scope_for("441424")):
        with pytest.raises(DomainError) as info:
            await service.publish_tender(
                world["agent"], project, "招标公告", "正文", date(2026, 12, 31)
            )
        assert info.value.code == "NOT_FOUND"  # outside the caller's region: not there at all


async def test_a_failed_procurement_fails_the_plan(world):
    project = (await entrusted(world))["id"]
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await service.declare_failed(world["agent"], project, " ")
        assert info.value.code == "REASON_REQUIRED"
        await service.declare_failed(world["agent"], project, "有效投标不足三家")
        assert (await plans.get(world["plan"]))["status"] == "failed"
        restarted = await plans.resolve_failed(world["purchaser"], world["plan"], "restart")
        assert restarted["status"] == "executing"
