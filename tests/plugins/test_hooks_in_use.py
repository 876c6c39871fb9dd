"""Each hook where the platform calls it, with two or more approved plugins of one tenant: the
live adapters (firstresult, `call`), lifecycle vetoes (`call`), config summaries and readiness
items (`call_robust`)."""

import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest

from gpcloud.contracts import performance
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.integrations.digital_finance import service as budget
from gpcloud.integrations.digital_finance.tables import BudgetIndicator
from gpcloud.registries.purchasers import demo as purchasers_demo
from gpcloud.supervision import plans
from tests.integration.contracts.test_performance import pay, world  # noqa: F401 (fixture)
from tests.integration.procurement import actor, school_indicator, school_plan
from tests.plugins.exercise import exercised
from tests.plugins.test_approvals import approved, edit
from tests.plugins.test_training_setup import ON_SITE
from tests.support import data, drain_jobs, gql, login

ADAPTER = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "NAME", "description": "live adapter for the tests"}
CALLS = []


@hookimpl
def gpcloud_push_payment(tenant, payment):
    CALLS.append(payment["reference"])
    PUSH


@hookimpl
def gpcloud_fetch_budget_indicators(tenant, fiscal_year):
    CALLS.append(fiscal_year)
    FETCH
"""
EXCHANGE = "mutation { exchangePayments { job { id } errors { code } } }"
FETCH = "mutation { fetchBudgetIndicators(fiscalYear: 2026) { job { id } errors { code } } }"
JOB = "query($id: ID!) { job(id: $id) { status counts errorCode errorMessage } }"


@pytest.fixture
def adapter(install_plugin):
    def install(name, push="return None", fetch="return None"):
        source = ADAPTER.replace("NAME", name).replace("PUSH", push).replace("FETCH", fetch)
        install_plugin(name, source, version="1.0.0")
        return sys.modules[f"gpcloud_{name}"]

    return install


async def run_job(client, mutation) -> dict:
    admin = await login(client, "xn.admin")
    started = data(await gql(client, mutation, token=admin))
    (payload,) = started.values()
    await drain_jobs()
    return data(await gql(client, JOB, {"id": payload["job"]["id"]}, token=admin))["job"]


@pytest.mark.day(date(2026, 11, 2))
async def test_two_payment_adapters_push_a_payment_once(client, world, adapter):  # noqa: F811
    """Regression: every adapter used to be called and each pushed the payment."""
    first = adapter("pay_a", "return {'accepted': True, 'reference': 'A', 'message': ''}")
    second = adapter("pay_b", "return {'accepted': True, 'reference': 'B', 'message': ''}")
    await approved(client, "pay_a")
    await approved(client, "pay_b")
    with use_scope(world["scope"]):
        payment = await pay(world, "12")
    with exercised("gpcloud_push_payment") as ran:
        job = await run_job(client, EXCHANGE)
    assert job["counts"] == {"pushed": 1}
    # pluggy calls the last registered first: pay_b answers and pay_a is never asked.
    assert [r for r in ran if r[0] == "gpcloud_push_payment"] == [("gpcloud_push_payment", "pay_b")]
    assert (first.CALLS, second.CALLS) == ([], [f"payment:{payment['id']}"])
    with use_scope(world["scope"]):
        assert (await performance.get_payment(payment["id"]))["finance_reference"] == "B"
    assert (await run_job(client, EXCHANGE))["counts"] == {}
    assert second.CALLS == [f"payment:{payment['id']}"]


@pytest.mark.day(date(2026, 11, 2))
async def test_a_failing_payment_adapter_stops_the_exchange(client, world, adapter):  # noqa: F811
    first = adapter("pay_a", "return {'accepted': True, 'reference': 'A', 'message': ''}")
    adapter("pay_b", "raise ConnectionError('前置机无响应')")
    await approved(client, "pay_a")
    await approved(client, "pay_b")
    with use_scope(world["scope"]):
        payment = await pay(world, "12")
    job = await run_job(client, EXCHANGE)
    assert (job["status"], job["errorCode"]) == ("FAILED", "PLUGIN_FAILED")
    assert job["errorMessage"] == (
        "plugin pay_b failed in gpcloud_push_payment: ConnectionError: 前置机无响应"
    )
    assert first.CALLS == []  # no other adapter pushed it meanwhile
    with use_scope(world["scope"]):
        assert (await performance.get_payment(payment["id"]))["status"] == "requested"


async def test_the_first_budget_adapter_that_answers_is_imported(client, demo, adapter):
    await purchasers_demo.seed()
    row = {"code": "LIVE-A", "budget_unit_code": "441481311", "fiscal_year": "2026"}
    first = adapter("fin_a", fetch=f"return [{{**{row!r}, 'name': '实时', 'amount': '10'}}]")
    second = adapter("fin_b")  # answers None: not this tenant's finance system
    await approved(client, "fin_a")
    await approved(client, "fin_b")
    with exercised("gpcloud_fetch_budget_indicators") as ran:
        job = await run_job(client, FETCH)
    assert job["status"] == "SUCCEEDED" and job["counts"]["created"] == 1
    assert [plugin for _, plugin in ran] == ["fin_b", "fin_a"]
    assert (first.CALLS, second.CALLS) == ([2026], [2026])
    with all_tenants("test: the imported indicator"):
        assert await BudgetIndicator.exists().where(BudgetIndicator.code == "LIVE-A")


VETO = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "NAME", "description": "local plan rule"}


@hookimpl
def gpcloud_validate_event(event, tenant):
    BODY
"""


async def draft_plan() -> tuple[dict, int]:
    await purchasers_demo.seed()
    _, indicator = await school_indicator()
    return await plans.create(await actor("xn.purchaser"), school_plan(indicator)), indicator


@pytest.mark.parametrize(
    "body,code,message",
    [
        (
            "if event['kind'] == 'plan.submit':\n"
            "        return [{'path': 'amount', 'message': '超过一百万元须经本级审议'}]",
            "PLUGIN_RULE",
            "veto_b: 超过一百万元须经本级审议",
        ),
        (
            "raise LookupError('审议名单不可用')",
            "PLUGIN_FAILED",
            "plugin veto_b failed in gpcloud_validate_event: LookupError: 审议名单不可用",
        ),
    ],
)
async def test_a_veto_refuses_a_submit_before_the_budget_moves(
    client, demo, install_plugin, body, code, message
):
    install_plugin("veto_a", VETO.replace("NAME", "veto_a").replace("BODY", "return []"), "1.0.0")
    install_plugin("veto_b", VETO.replace("NAME", "veto_b").replace("BODY", body), "1.0.0")
    await approved(client, "veto_a")
    await approved(client, "veto_b")
    with use_scope((await tenant_tree()).scope_for("441481")):
        plan, indicator = await draft_plan()
        with exercised("gpcloud_validate_event"), pytest.raises(DomainError) as info:
            await plans.submit(await actor("xn.purchaser"), plan["id"])
        assert (info.value.code, info.value.problems[0].message) == (code, message)
        assert (await plans.get(plan["id"]))["status"] == plan["status"]
        assert (await budget.get(None, indicator))["reserved_fen"] == 0


SHAKY = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "shaky", "description": "a plugin with a bug"}


@hookimpl
def gpcloud_config_summary(tenant):
    raise KeyError("rates")


@hookimpl
def gpcloud_readiness_items(tenant):
    return [{"key": "never", "title": "never seen"}][5]
"""
CONFIG = """query { tenantConfig(regionCode: "441481") {
  editVersion problems { code message } summaries { plugin label } } }"""
READINESS = """query { readiness(regionCode: "441481") {
  blocking items { key source status missing } } }"""
SUMMARIES = """query { tenantConfig(regionCode: "441481") {
  editVersion summaries { plugin label value } } }"""
RESIDENT = {"enabled": True, "place": "兴宁市财政局", "hours": "工作日 08:30-17:30", "headcount": 1}


async def test_a_failing_summary_is_reported_and_the_other_plugins_still_show(
    client, demo, install_plugin
):
    install_plugin("shaky", SHAKY, version="1.0.0")
    await approved(client, "shaky")
    await approved(client, "om_service")
    xn = await login(client, "xn.admin")
    with exercised("gpcloud_validate_config_section", "gpcloud_config_summary"):
        edited = await edit(client, xn, "441481", om_plan__resident=RESIDENT)
    assert edited["errors"] == [] and edited["config"]["editVersion"] == 1
    config = data(await gql(client, CONFIG, token=xn))["tenantConfig"]
    assert config["problems"] == [
        {
            "code": "PLUGIN_FAILED",
            "message": "plugin shaky failed in gpcloud_config_summary: KeyError: 'rates'",
        }
    ]
    assert {s["plugin"] for s in config["summaries"]} == {"om_service"}


async def test_a_failing_readiness_plugin_shows_as_an_open_item(client, demo, install_plugin):
    install_plugin("shaky", SHAKY, version="1.0.0")
    await approved(client, "shaky")
    await approved(client, "training_setup")
    with exercised("gpcloud_readiness_items"):
        readiness = data(await gql(client, READINESS, token=await login(client, "xn.admin")))[
            "readiness"
        ]
    items = {item["key"]: item for item in readiness["items"]}
    assert items["shaky.failed"] == {
        "key": "shaky.failed",
        "source": "shaky",
        "status": "OPEN",
        "missing": [
            "plugin shaky failed in gpcloud_readiness_items: IndexError: list index out of range"
        ],
    }
    assert "shaky.failed" in readiness["blocking"]
    assert "training_setup.training_plan" in items


DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


async def test_the_recorded_session_shows_what_the_platform_does(client, demo):
    """docs/plugins.md steps 6 and 8: the summaries and the plugin items, in pluggy's order."""
    text = DOCS.read_text(encoding="utf-8")
    step6 = json.loads(re.search(r'```json\n(\{"editVersion": 1.*?)```', text, re.S)[1])
    step8 = text[text.index("8. Xingning's") : text.index("9. `auditTrail")]
    await approved(client, "training_setup")
    await approved(client, "om_service", config={"rates": {"resident_per_person_day": 1100}})
    xn = await login(client, "xn.admin")
    done = await edit(
        client,
        xn,
        "441481",
        training__modes=["online", "on_site"],
        training__on_site={**ON_SITE, "venue": "兴宁市财政局培训室"},
        om_plan__resident=RESIDENT,
        om_plan__remote={"headcount": 1},
    )
    assert done["errors"] == [] and done["config"]["editVersion"] == 1
    config = data(await gql(client, SUMMARIES, token=xn))["tenantConfig"]
    assert config == step6
    items = data(await gql(client, READINESS, token=xn))["readiness"]["items"]
    plugin_items = [item["key"] for item in items if item["source"] != "core"]
    assert plugin_items == re.findall(r"`((?:training_setup|om_service)\.\w+)`", step8)
