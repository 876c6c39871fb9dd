"""The go-live checklist: the seed's functional confirmation plus plugin items."""

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.tenancy.readiness import MANUAL
from gpcloud.core.tenancy.scope import all_tenants
from tests.plugins.test_approvals import approved
from tests.support import data, error_codes, gql, login

READINESS = """query($code: String!) { readiness(regionCode: $code) {
  ready blocking items { key source automatic status missing evidence tickedAt }
} }"""
TICK = """mutation($code: String!, $key: String!, $evidence: String!) {
  tickReadinessItem(regionCode: $code, key: $key, evidence: $evidence) {
    readiness { ready blocking } errors { field code }
  }
}"""
UNTICK = """mutation($code: String!, $key: String!, $reason: String!) {
  untickReadinessItem(regionCode: $code, key: $key, reason: $reason) { readiness { blocking } errors { code } }
}"""


async def checklist(client, token, code):
    return data(await gql(client, READINESS, {"code": code}, token=token))["readiness"]


async def tick(client, token, key, evidence="联合测试记录 2020-12-20", code="441481"):
    variables = {"code": code, "key": key, "evidence": evidence}
    return (await gql(client, TICK, variables, token=token))["data"]["tickReadinessItem"]


async def test_core_items_and_the_automatic_accounts_check(client, demo):
    xn = await login(client, "xn.admin")
    result = await checklist(client, xn, "441481")
    items = {i["key"]: i for i in result["items"]}
    assert set(items) == {key for key, _, _ in MANUAL} | {"users_permissions"}
    assert (
        items["users_permissions"]["automatic"] and items["users_permissions"]["status"] == "DONE"
    )
    assert not result["ready"] and "base_data" in result["blocking"]
    city = await login(client, "mz.admin")
    wuhua = {i["key"]: i for i in (await checklist(client, city, "441424"))["items"]}
    assert wuhua["users_permissions"]["status"] == "OPEN"
    assert len(wuhua["users_permissions"]["missing"]) == 2


async def test_ticking_every_manual_item_makes_a_tenant_ready(client, demo):
    xn = await login(client, "xn.admin")
    for key, _, _ in MANUAL:
        payload = await tick(client, xn, key)
        assert payload["errors"] == [], (key, payload)
    assert payload["readiness"] == {"ready": True, "blocking": []}
    items = {i["key"]: i for i in (await checklist(client, xn, "441481"))["items"]}
    assert (
        items["base_data"]["evidence"] == "联合测试记录 2020-12-20"
        and items["base_data"]["tickedAt"]
    )
    undone = await gql(
        client, UNTICK, {"code": "441481", "key": "reports", "reason": "报表需重新确认"}, token=xn
    )
    assert undone["data"]["untickReadinessItem"]["readiness"]["blocking"] == ["reports"]
    with all_tenants("test: audit"):
        actions = {
            r["action"]
            for r in await AuditEntry.select(AuditEntry.action).where(
                AuditEntry.object_type == "readiness_item"
            )
        }
    assert actions == {"readiness.tick", "readiness.untick"}


async def test_bad_ticks(client, demo):
    xn = await login(client, "xn.admin")
    assert (await tick(client, xn, "base_data"))["errors"] == []
    cases = [
        (("base_data",), ("key", "ALREADY_TICKED")),
        (("users_permissions",), ("key", "ITEM_IS_AUTOMATIC")),
        (("no_such_item",), ("key", "UNKNOWN_ITEM")),
        (("workflows", "ok"), ("evidence", "EVIDENCE_REQUIRED")),
        (("workflows", "联合测试记录", "441424"), ("regionCode", "TENANT_NOT_FOUND")),
    ]
    for args, expected in cases:
        assert [(e["field"], e["code"]) for e in (await tick(client, xn, *args))["errors"]] == [
            expected
        ], args
    untick = await gql(
        client, UNTICK, {"code": "441481", "key": "workflows", "reason": "x"}, token=xn
    )
    assert untick["data"]["untickReadinessItem"]["errors"] == [{"code": "NOT_TICKED"}]
    purchaser = await gql(
        client, READINESS, {"code": "441481"}, token=await login(client, "xn.purchaser")
    )
    assert error_codes(purchaser) == ["FORBIDDEN"]


async def test_plugins_add_items_only_where_approved(client, demo):
    await approved(client, "training_setup")
    xn = await login(client, "xn.admin")
    items = {i["key"]: i for i in (await checklist(client, xn, "441481"))["items"]}
    assert items["training_setup.training_plan"]["source"] == "training_setup"
    assert items["training_setup.training_plan"]["automatic"]
    assert items["training_setup.training_plan"]["status"] == "OPEN"
    assert not items["training_setup.training_plan_confirmed"]["automatic"]
    assert (
        await tick(client, xn, "training_setup.training_plan_confirmed", "粤财采函〔2021〕1号 确认")
    )["errors"] == []
    wuhua = {
        i["key"]
        for i in (await checklist(client, await login(client, "mz.admin"), "441424"))["items"]
    }
    assert not any(key.startswith("training_setup.") for key in wuhua)
