"""The simplified flow: entrust a filed plan, publish tender / correction / result with the
periods of the rule sets on the calendar, record the winners; who may do what."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.supervision import intentions, plans
from gpcloud.transaction import service
from tests.integration.procurement import actor, filed_plan

SEP_21 = date(2026, 9, 21)  # a Monday; Mid-autumn 25-27 Sep and National Day 1-7 Oct follow


@pytest.fixture
async def world(demo):
    return await filed_plan()


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
        award = [service.AwardInput(world["supplier"]["uscc"], Decimal("4380000"))]
        with pytest.raises(DomainError) as info:
            await service.publish_result(
                agent, project, "中标公告", "正文", award, on=date(2026, 10, 15)
            )
        assert info.value.code == "BEFORE_DEADLINE"
        over = [service.AwardInput(world["supplier"]["uscc"], Decimal("4500000.01"))]
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


async def test_the_tender_waits_for_the_intention_lead(world):
    """An intention published on 2 Sep 2026 lets the procurement start on 8 Oct (30 days end on
    2 Oct, in the National Day holiday)."""
    purchaser = world["purchaser"]
    with use_scope(world["scope"]):
        intention = await intentions.create(
            purchaser,
            intentions.IntentionInput(
                "实验室设备", "实验室设备一批", Decimal("300000"), "goods", date(2026, 10, 20)
            ),
        )
        await intentions.publish(purchaser, intention["id"], on=date(2026, 9, 2))
        line = (await plans.lines(world["plan"]))[0]["indicator"]
        plan = await plans.create(
            purchaser,
            plans.PlanInput(
                "实验室设备采购",
                "goods",
                "request_for_quotation",
                [plans.LineInput(line, Decimal("300000"))],
                intention_id=intention["id"],
            ),
        )
        await plans.submit(purchaser, plan["id"])
        await plans.file(await actor("xn.supervisor"), plan["id"])
        project = (await service.entrust(purchaser, plan["id"], world["agency"]))["id"]
        with pytest.raises(DomainError) as info:
            await service.publish_tender(
                world["agent"],
                project,
                "询价公告",
                "正文",
                date(2026, 10, 30),
                on=date(2026, 9, 30),
            )
        assert info.value.code == "INTENTION_LEAD_NOT_MET" and "2026-10-08" in str(info.value)
        done = await service.publish_tender(
            world["agent"], project, "询价公告", "正文", date(2026, 10, 13), on=date(2026, 10, 8)
        )
        assert done["status"] == "tendering"


async def test_an_announcement_period_ends_through_the_scheduler(world):
    """The tender announcement published on 21 Sep stays up 5 wd, to 29 Sep: the scheduler
    ends it at the end of that day, not before."""
    from gpcloud.core.clock import end_of
    from gpcloud.core.scheduler import service as scheduler
    from gpcloud.core.tenancy.scope import all_tenants

    project = (await entrusted(world))["id"]
    with use_scope(world["scope"]):
        await service.publish_tender(
            world["agent"], project, "招标公告", "正文", date(2026, 10, 12), on=SEP_21
        )
    ends = end_of(date(2026, 9, 29))
    assert await scheduler.run_once(ends - timedelta(seconds=1)) == []
    [ran] = await scheduler.run_once(ends)
    assert (ran.machine, ran.action, ran.due_at) == ("announcement", "end_period", ends)
    with all_tenants("test"):
        [tender] = await service.announcements(project)
    assert tender["status"] == "ended" and tender["next_check"] is None
