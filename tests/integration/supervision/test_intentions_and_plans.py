"""Intentions and plans: the intention lead time, declaring against indicators, thresholds,
filing and return by supervisors, recall, the cutover states, and who may touch what."""

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import pytest

from gpcloud.core.clock import today
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.integrations.digital_finance import service as budget
from gpcloud.registries.purchasers import demo as purchasers_demo
from gpcloud.supervision import intentions, plans
from tests.integration.procurement import actor, school_indicator
from tests.support import gql, login

INTENTION = """mutation($input: IntentionInput!) { createProcurementIntention(input: $input) {
  intention { id status } errors { code } } }"""
PUBLISH = """mutation($id: ID!) { publishProcurementIntention(id: $id) {
  intention { status publishedOn earliestStart deadlineSteps } errors { code message } } }"""
PLAN = """mutation($input: PlanInput!) { createProcurementPlan(input: $input) {
  plan { id status amount lines { indicatorId amount } } errors { field code message } } }"""
ACT = """mutation($id: ID!) { %s(id: $id) { plan { status } errors { code message } } }"""
RETURN = """mutation($id: ID!, $reason: String!) { returnProcurementPlan(id: $id, reason: $reason) {
  plan { status returnReason } errors { code } } }"""
PLANS = """query($status: PlanStatus) { procurementPlans(status: $status) {
  edges { node { id title status } } } }"""


@pytest.fixture
async def school(demo):
    """兴宁市第一中学 (xn.purchaser's unit) with one indicator of 5,000,000.00 yuan."""
    await purchasers_demo.seed()
    with use_scope((await tenant_tree()).scope_for("441481")):
        unit, indicator = await school_indicator()
    return {"unit": unit, "indicator": indicator}


async def published_intention(client, token, start=None):
    start = start or (today() + timedelta(days=60))
    created = await gql(
        client,
        INTENTION,
        {
            "input": {
                "projectName": "教学设备采购项目",
                "requirementSummary": "多媒体教室设备一批",
                "budget": "4500000.00",
                "objectType": "GOODS",
                "expectedStart": start.isoformat(),
            }
        },
        token=token,
    )
    assert created["data"]["createProcurementIntention"]["errors"] == [], created
    intention = created["data"]["createProcurementIntention"]["intention"]
    published = await gql(client, PUBLISH, {"id": intention["id"]}, token=token)
    return intention["id"], published["data"]["publishProcurementIntention"]


def plan_input(indicator, amount="4500000.00", method="OPEN_TENDER", intention=None, **extra):
    data = {
        "title": "教学设备采购",
        "objectType": "GOODS",
        "method": method,
        "lines": [{"indicatorId": str(indicator), "amount": amount}],
        **extra,
    }
    if intention:
        data["intentionId"] = intention
    else:
        data.setdefault("intentionExemption", "URGENT")
    return {"input": data}


async def test_intention_lead_time_is_checked_on_the_calendar(client, school):
    token = await login(client, "xn.purchaser")
    _, too_soon = await published_intention(client, token, today() + timedelta(days=10))
    assert [e["code"] for e in too_soon["errors"]] == ["INTENTION_TOO_LATE"]
    assert "intention_lead = 30 d" in too_soon["errors"][0]["message"]
    _, ok = await published_intention(client, token)
    intention = ok["intention"]
    assert ok["errors"] == [] and intention["status"] == "PUBLISHED"
    assert intention["deadlineSteps"][0].startswith("intention_lead = 30 d (Caiku [2020] 10")


async def test_intention_lead_on_a_fixed_day(school):
    """Published 2026-09-02: 30 days end on 2 Oct, a holiday, so the earliest start is 8 Oct."""
    with use_scope((await tenant_tree()).scope_for("441481")):
        purchaser = await actor("xn.purchaser")
        row = await intentions.create(
            purchaser,
            intentions.IntentionInput("项目", "摘要", Decimal("1000"), "goods", date(2026, 10, 7)),
        )
        with pytest.raises(DomainError) as info:
            await intentions.publish(purchaser, row["id"], on=date(2026, 9, 2))
        assert info.value.code == "INTENTION_TOO_LATE" and "2026-10-08" in str(info.value)


async def test_a_plan_from_declaration_to_filing(client, school):
    purchaser = await login(client, "xn.purchaser")
    intention, published = await published_intention(client, purchaser)
    assert published["errors"] == [], published["errors"]
    created = await gql(
        client, PLAN, plan_input(school["indicator"], intention=intention), token=purchaser
    )
    plan = created["data"]["createProcurementPlan"]["plan"]
    assert plan["status"] == "DRAFT" and plan["amount"] == "4500000.00"
    submitted = await gql(
        client, ACT % "submitProcurementPlan", {"id": plan["id"]}, token=purchaser
    )
    assert submitted["data"]["submitProcurementPlan"]["plan"]["status"] == "SUBMITTED"
    with use_scope((await tenant_tree()).scope_for("441481")):
        line = await budget.get(None, school["indicator"])
    assert line["reserved_fen"] == 450_000_000

    supervisor = await login(client, "xn.supervisor")
    waiting = await gql(client, PLANS, {"status": "SUBMITTED"}, token=supervisor)
    assert [e["node"]["id"] for e in waiting["data"]["procurementPlans"]["edges"]] == [plan["id"]]
    city = await login(client, "mz.supervisor")  # the city sees its counties' plans too
    assert (
        len(
            (await gql(client, PLANS, {"status": "SUBMITTED"}, token=city))["data"][
                "procurementPlans"
            ]["edges"]
        )
        == 1
    )
    empty = await gql(client, RETURN, {"id": plan["id"], "reason": " "}, token=supervisor)
    assert empty["data"]["returnProcurementPlan"]["errors"][0]["code"] == "REASON_REQUIRED"
    returned = await gql(
        client, RETURN, {"id": plan["id"], "reason": "参数需细化"}, token=supervisor
    )
    assert returned["data"]["returnProcurementPlan"]["plan"]["status"] == "RETURNED"
    with use_scope((await tenant_tree()).scope_for("441481")):
        assert (await budget.get(None, school["indicator"]))["reserved_fen"] == 0
    again = await gql(client, ACT % "submitProcurementPlan", {"id": plan["id"]}, token=purchaser)
    assert again["data"]["submitProcurementPlan"]["plan"]["status"] == "SUBMITTED"
    filed = await gql(client, ACT % "fileProcurementPlan", {"id": plan["id"]}, token=supervisor)
    assert filed["data"]["fileProcurementPlan"]["plan"]["status"] == "FILED"
    refiled = await gql(client, ACT % "fileProcurementPlan", {"id": plan["id"]}, token=supervisor)
    assert refiled["data"]["fileProcurementPlan"]["errors"][0]["code"] == "WRONG_STATE"
    recalled = await gql(client, ACT % "recallProcurementPlan", {"id": plan["id"]}, token=purchaser)
    assert recalled["data"]["recallProcurementPlan"]["plan"]["status"] == "RECALLED"
    with use_scope((await tenant_tree()).scope_for("441481")):
        assert (await budget.get(None, school["indicator"]))["reserved_fen"] == 0


async def test_bad_plans_are_refused_and_reserve_nothing(client, school):
    purchaser = await login(client, "xn.purchaser")
    over = await gql(client, PLAN, plan_input(school["indicator"], "5000000.01"), token=purchaser)
    plan_id = over["data"]["createProcurementPlan"]["plan"]["id"]
    refused = await gql(client, ACT % "submitProcurementPlan", {"id": plan_id}, token=purchaser)
    assert refused["data"]["submitProcurementPlan"]["errors"][0]["code"] == "INSUFFICIENT_BALANCE"
    below = await gql(
        client,
        PLAN,
        plan_input(school["indicator"], method="REQUEST_FOR_QUOTATION"),
        token=purchaser,
    )
    plan_id = below["data"]["createProcurementPlan"]["plan"]["id"]
    refused = await gql(client, ACT % "submitProcurementPlan", {"id": plan_id}, token=purchaser)
    assert refused["data"]["submitProcurementPlan"]["errors"][0]["code"] == "METHOD_BELOW_THRESHOLD"
    excepted = await gql(
        client,
        PLAN,
        plan_input(
            school["indicator"],
            method="COMPETITIVE_CONSULTATION",
            methodException="梅财采〔2026〕12号",
        ),
        token=purchaser,
    )
    plan_id = excepted["data"]["createProcurementPlan"]["plan"]["id"]
    ok = await gql(client, ACT % "submitProcurementPlan", {"id": plan_id}, token=purchaser)
    assert ok["data"]["submitProcurementPlan"]["errors"] == []
    invalid = await gql(
        client,
        PLAN,
        {
            "input": {
                "title": "x",
                "objectType": "GOODS",
                "method": "OPEN_TENDER",
                "lines": [{"indicatorId": "999999", "amount": "0.001"}],
            }
        },
        token=purchaser,
    )
    codes = {e["code"] for e in invalid["data"]["createProcurementPlan"]["errors"]}
    assert codes == {"INVALID_TITLE", "UNKNOWN_INDICATOR", "INTENTION_REQUIRED", "INVALID_AMOUNT"}
    draft_intention = await gql(
        client,
        INTENTION,
        {
            "input": {
                "projectName": "未发布",
                "requirementSummary": "x",
                "budget": "1",
                "objectType": "GOODS",
                "expectedStart": "2026-12-31",
            }
        },
        token=purchaser,
    )
    unpublished = draft_intention["data"]["createProcurementIntention"]["intention"]["id"]
    refused = await gql(
        client, PLAN, plan_input(school["indicator"], intention=unpublished), token=purchaser
    )
    assert [e["code"] for e in refused["data"]["createProcurementPlan"]["errors"]] == [
        "INTENTION_NOT_PUBLISHED"
    ]


async def test_concurrent_submissions_race_for_the_last_yuan(school):
    """Ten plans of 600,000.00 against 5,000,000.00: eight are declared, two refused."""
    purchaser = await actor("xn.purchaser")
    scope = (await tenant_tree()).scope_for("441481")
    with use_scope(scope):
        ids = [
            (
                await plans.create(
                    purchaser,
                    plans.PlanInput(
                        f"计划{n}",
                        "goods",
                        "request_for_quotation",
                        [plans.LineInput(school["indicator"], Decimal("600000"))],
                        intention_exemption="urgent",
                    ),
                )
            )["id"]
            for n in range(10)
        ]

    async def submit(plan_id):
        with use_scope(scope):
            try:
                await plans.submit(purchaser, plan_id)
                return True
            except DomainError as exc:
                assert exc.code == "INSUFFICIENT_BALANCE"
                return False

    assert sum(await asyncio.gather(*(submit(i) for i in ids))) == 8
    with use_scope(scope):
        line = await budget.get(None, school["indicator"])
    assert line["reserved_fen"] == 480_000_000


async def test_other_units_and_counties_cannot_touch_a_plan(client, school):
    purchaser = await login(client, "xn.purchaser")
    created = await gql(client, PLAN, plan_input(school["indicator"]), token=purchaser)
    plan_id = created["data"]["createProcurementPlan"]["plan"]["id"]
    city_unit = await login(client, "mz.purchaser")  # another unit (the city's education bureau)
    foreign = await gql(client, ACT % "submitProcurementPlan", {"id": plan_id}, token=city_unit)
    assert foreign["data"]["submitProcurementPlan"]["errors"][0]["code"] == "NOT_FOUND"
    assert (await gql(client, PLANS, {}, token=city_unit))["data"]["procurementPlans"][
        "edges"
    ] == []
    await gql(client, ACT % "submitProcurementPlan", {"id": plan_id}, token=purchaser)
    with use_scope((await tenant_tree()).scope_for("441424")):  # Wuhua's supervisor's scope
        with pytest.raises(DomainError) as info:
            await plans.file(await _supervisor("441424"), int(plan_id))
    assert info.value.code == "NOT_FOUND"
    not_supervisor = await gql(
        client, ACT % "fileProcurementPlan", {"id": plan_id}, token=purchaser
    )
    assert [e["extensions"]["code"] for e in not_supervisor["errors"]] == ["FORBIDDEN"]


async def _supervisor(tenant):
    from gpcloud.core.auth.service import CurrentUser

    region = (await tenant_tree()).scope_for(tenant).visible
    return CurrentUser(
        0, "test.supervisor", tenant, 0, frozenset({"supervisor"}), False, (), region
    )


async def test_cutover_states(school):
    purchaser = await actor("xn.purchaser")
    scope = (await tenant_tree()).scope_for("441481")
    data = plans.PlanInput(
        "旧系统计划", "goods", "open_tender", [plans.LineInput(school["indicator"], Decimal("100"))]
    )
    with use_scope(scope):
        unexecuted = await plans.register_legacy(
            None, school["unit"], data, "filed_unexecuted", "JH2020-1"
        )
        assert unexecuted["status"] == "recalled"  # declared again on the platform
        running = await plans.register_legacy(None, school["unit"], data, "in_progress", "JH2020-2")
        assert running["status"] == "executing"
        failed = await plans.register_legacy(None, school["unit"], data, "failed", "JH2020-3")
        with pytest.raises(DomainError) as dup:
            await plans.register_legacy(None, school["unit"], data, "failed", "JH2020-3")
        assert dup.value.code == "DUPLICATE_LEGACY_PLAN"
        restarted = await plans.resolve_failed(purchaser, failed["id"], "restart")
        assert restarted["status"] == "executing"
        terminated = await plans.resolve_failed(purchaser, running["id"], "terminate")
        assert terminated["status"] == "terminated"
        with pytest.raises(DomainError) as wrong:
            await plans.resolve_failed(purchaser, unexecuted["id"], "restart")
        assert wrong.value.code == "WRONG_STATE"


async def test_a_purchaser_of_another_county_cannot_touch_the_plan(school):
    from gpcloud.core.auth.service import CurrentUser
    from gpcloud.registries.purchasers.tables import Purchaser
    from tests.tenancy.rows import make_purchaser

    purchaser = await actor("xn.purchaser")
    with use_scope((await tenant_tree()).scope_for("441481")):
        plan = await plans.create(
            purchaser,
            plans.PlanInput(
                "计划",
                "goods",
                "request_for_quotation",
                [plans.LineInput(school["indicator"], Decimal("1000"))],
                intention_exemption="urgent",
            ),
        )
    with all_tenants("test: a unit in Wuhua"):
        unit = await make_purchaser("441424")
        org = (await Purchaser.select(Purchaser.organisation).where(Purchaser.id == unit))[0]
    wuhua = CurrentUser(
        0,
        "wh.purchaser",
        "441424",
        org["organisation"],
        frozenset({"purchaser"}),
        False,
        (),
        frozenset({"441424"}),
    )
    with use_scope((await tenant_tree()).scope_for("441424")):
        for action in (plans.submit, plans.recall):
            with pytest.raises(DomainError) as info:
                await action(wuhua, plan["id"])
            assert info.value.code == "NOT_FOUND"
        with pytest.raises(DomainError) as info:
            await plans.create(
                wuhua,
                plans.PlanInput(
                    "挪用",
                    "goods",
                    "request_for_quotation",
                    [plans.LineInput(school["indicator"], Decimal("1"))],
                    intention_exemption="urgent",
                ),
            )
        assert info.value.code == "UNKNOWN_INDICATOR"  # Xingning's budget line is not there
    with use_scope((await tenant_tree()).scope_for("441481")):
        assert (await plans.get(plan["id"]))["status"] == "draft"


CARRY = """mutation($unit: ID!, $input: PlanInput!, $state: LegacyPlanState!, $ref: String!) {
  carryOverProcurementPlan(purchaserId: $unit, input: $input, legacyState: $state,
    legacyReference: $ref) { plan { id status origin legacyReference } errors { code } } }"""
RESOLVE = """mutation($id: ID!, $action: FailedPlanAction!) {
  resolveFailedProcurementPlan(id: $id, action: $action) { plan { status } errors { code } } }"""


async def test_cutover_through_graphql(client, school):
    admin = await login(client, "xn.admin")
    variables = {
        "unit": str(school["unit"]),
        "input": plan_input(school["indicator"], "300000")["input"],
        "state": "FAILED",
        "ref": "JH2020-441481-0099",
    }
    carried = (await gql(client, CARRY, variables, token=admin))["data"]["carryOverProcurementPlan"]
    assert carried["plan"]["status"] == "FAILED" and carried["plan"]["origin"] == "legacy"
    again = (await gql(client, CARRY, variables, token=admin))["data"]["carryOverProcurementPlan"]
    assert [e["code"] for e in again["errors"]] == ["DUPLICATE_LEGACY_PLAN"]
    purchaser = await login(client, "xn.purchaser")
    denied = await gql(client, CARRY, variables, token=purchaser)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    ended = await gql(
        client, RESOLVE, {"id": carried["plan"]["id"], "action": "TERMINATE"}, token=purchaser
    )
    assert ended["data"]["resolveFailedProcurementPlan"]["plan"]["status"] == "TERMINATED"
