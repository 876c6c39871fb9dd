"""Provincial approval of tenant plugins, and that approved plugins change only their tenant."""

import pytest

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.plugins.hooks import PluginState, plugin_statuses, tenant_hooks
from gpcloud.core.plugins.registry import get_registry
from gpcloud.core.tenancy.config import effective_config
from gpcloud.core.tenancy.scope import all_tenants
from tests.support import error_codes, gql, login

FILE = """mutation($input: PluginRequestInput!) {
  filePluginRequest(input: $input) { request { id status version codeDigest } errors { field code message } }
}"""
DECIDE = """mutation($id: ID!, $reason: String!) {
  approvePluginRequest(id: $id, reason: $reason) { request { id status } errors { code message } }
}"""
REVOKE = """mutation($id: ID!) {
  revokePluginApproval(id: $id, reason: "需求已变更") { request { status } errors { code } }
}"""
QUEUE = """{ pluginRequests(status: REQUESTED) { edges { node { id plugin tenant { regionCode } } } } }"""
PLUGINS = """query($code: String!) { tenantPlugins(regionCode: $code) { plugin { name } state config } }"""
EDIT = """mutation($code: String!, $changes: [ConfigChangeInput!]!) {
  editTenantConfig(regionCode: $code, changes: $changes, reason: "培训与运维方案") {
    config { editVersion summaries { plugin label value } } errors { field code message }
  }
}"""
STATEMENT = "兴宁市需在本地组织现场培训，按工作指引第六部分准备教室与设备。"


async def file(
    client, token, plugin, tenant="441481", version="1.0.0", config=None, statement=STATEMENT
):
    variables = {
        "input": {
            "tenant": tenant,
            "plugin": plugin,
            "version": version,
            "requirementStatement": statement,
            "config": config or {},
        }
    }
    return (await gql(client, FILE, variables, token=token))["data"]["filePluginRequest"]


async def approve(client, token, request_id, reason="同意"):
    return (await gql(client, DECIDE, {"id": request_id, "reason": reason}, token=token))["data"][
        "approvePluginRequest"
    ]


async def approved(client, plugin, tenant="441481", config=None, filer="xn.admin") -> str:
    filed = await file(client, await login(client, filer), plugin, tenant, config=config)
    assert filed["errors"] == [], filed["errors"]
    done = await approve(client, await login(client, "gd.admin"), filed["request"]["id"])
    assert done["errors"] == [], done["errors"]
    return filed["request"]["id"]


async def states(client, token, code) -> dict[str, str]:
    rows = (await gql(client, PLUGINS, {"code": code}, token=token))["data"]["tenantPlugins"]
    return {r["plugin"]["name"]: r["state"] for r in rows}


async def edit(client, token, code, **changes):
    variables = {
        "code": code,
        "changes": [{"path": p.replace("__", "."), "value": v} for p, v in changes.items()],
    }
    return (await gql(client, EDIT, variables, token=token))["data"]["editTenantConfig"]


ON_SITE_OK = {
    "modes": ["online", "video_self_study", "on_site"],
}


async def test_request_queue_approval_and_only_xingning_changes(client, demo):
    xn = await login(client, "xn.admin")
    filed = await file(client, xn, "training_setup")
    assert filed["errors"] == [] and filed["request"]["status"] == "REQUESTED"
    assert filed["request"]["codeDigest"] == get_registry().plugins["training_setup"].digest
    province = await login(client, "gd.admin")
    queue = (await gql(client, QUEUE, token=province))["data"]["pluginRequests"]["edges"]
    assert [(e["node"]["plugin"], e["node"]["tenant"]["regionCode"]) for e in queue] == [
        ("training_setup", "441481")
    ]
    assert (await states(client, xn, "441481"))["training_setup"] == "NOT_APPROVED"

    assert (await approve(client, province, filed["request"]["id"]))["request"][
        "status"
    ] == "APPROVED"
    assert (await states(client, xn, "441481"))["training_setup"] == "ACTIVE"
    city = await login(client, "mz.admin")
    assert (await states(client, city, "441424"))["training_setup"] == "NOT_APPROVED"
    assert (await states(client, city, "441400"))["training_setup"] == "NOT_APPROVED"
    assert (await tenant_hooks("441481")).active == ("training_setup",)
    assert (await tenant_hooks("441424")).active == ()

    # Xingning's config now takes a training plan, checked by the plugin; Wuhua's does not.
    missing = await edit(client, xn, "441481", training__modes=["on_site"])
    assert missing["config"] is None
    assert {e["code"] for e in missing["errors"]} == {"PLUGIN_RULE"}
    assert all(e["message"].startswith("training_setup: ") for e in missing["errors"])
    online = await edit(client, xn, "441481", training__modes=["online", "video_self_study"])
    assert online["errors"] == [] and online["config"]["editVersion"] == 1
    wuhua = await edit(client, city, "441424", training__modes=["online"])
    assert [e["code"] for e in wuhua["errors"]] == ["PLUGIN_NOT_ACTIVE"]

    with all_tenants("test: read the audit"):
        actions = [
            r["action"]
            for r in await AuditEntry.select(AuditEntry.action)
            .where(AuditEntry.object_type == "plugin_request")
            .order_by(AuditEntry.id)
        ]
    assert actions == ["plugin_request.file", "plugin_request.approve"]


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        ({"plugin": "no_such_plugin"}, ("plugin", "UNKNOWN_PLUGIN")),
        ({"plugin": "om_service", "version": "9.9.9"}, ("version", "UNKNOWN_VERSION")),
        (
            {"plugin": "om_service", "statement": "要"},
            ("requirementStatement", "STATEMENT_REQUIRED"),
        ),
        (
            {"plugin": "om_service", "config": {"rates": {"resident_per_person_day": "贵"}}},
            ("config.rates.resident_per_person_day", "CONFIG_INVALID"),
        ),
        ({"plugin": "om_service", "tenant": "441424"}, ("tenant", "TENANT_NOT_FOUND")),
        ({"plugin": "om_service", "tenant": "441400"}, ("tenant", "TENANT_NOT_FOUND")),
    ],
)
async def test_bad_requests(client, demo, kwargs, expected):
    payload = await file(client, await login(client, "xn.admin"), **kwargs)
    assert payload["request"] is None
    assert expected in [(e["field"], e["code"]) for e in payload["errors"]]


async def test_who_decides(client, demo):
    xn, province = await login(client, "xn.admin"), await login(client, "gd.admin")
    filed = (await file(client, xn, "om_service"))["request"]["id"]
    assert [e["code"] for e in (await file(client, xn, "om_service"))["errors"]] == [
        "DUPLICATE_REQUEST"
    ]
    own = await gql(client, DECIDE, {"id": filed, "reason": "自己批"}, token=xn)
    assert error_codes(own) == ["FORBIDDEN"]
    self_filed = (await file(client, province, "training_setup", tenant="441481"))["request"]["id"]
    assert [e["code"] for e in (await approve(client, province, self_filed))["errors"]] == [
        "SELF_APPROVAL"
    ]
    reject = await gql(
        client,
        'mutation($id: ID!) { rejectPluginRequest(id: $id, reason: " ") { errors { code } } }',
        {"id": filed},
        token=province,
    )
    assert reject["data"]["rejectPluginRequest"]["errors"] == [{"code": "REASON_REQUIRED"}]
    assert (await approve(client, province, filed))["errors"] == []
    assert [e["code"] for e in (await approve(client, province, filed))["errors"]] == [
        "WRONG_STATE"
    ]
    assert [e["code"] for e in (await approve(client, province, "424242"))["errors"]] == [
        "NOT_FOUND"
    ]


async def test_revocation_takes_effect_on_the_next_call(client, demo):
    request_id = await approved(client, "om_service")
    cached = await tenant_hooks("441481")
    assert cached.active == ("om_service",) and await tenant_hooks("441481") is cached
    revoked = await gql(client, REVOKE, {"id": request_id}, token=await login(client, "gd.admin"))
    assert revoked["data"]["revokePluginApproval"]["request"]["status"] == "REVOKED"
    assert (await tenant_hooks("441481")).active == ()
    assert (await states(client, await login(client, "xn.admin"), "441481"))[
        "om_service"
    ] == "NOT_APPROVED"


async def test_disabling_pauses_a_plugin(client, demo):
    request_id = await approved(client, "om_service")
    xn = await login(client, "xn.admin")
    paused = await gql(
        client,
        "mutation($id: ID!) { setPluginEnabled(id: $id, enabled: false) { errors { code } } }",
        {"id": request_id},
        token=xn,
    )
    assert paused["data"]["setPluginEnabled"]["errors"] == []
    assert (await states(client, xn, "441481"))["om_service"] == "DISABLED"
    assert (await tenant_hooks("441481")).active == ()


async def test_a_city_approval_reaches_its_counties_and_configs_merge_county_first(client, demo):
    await approved(
        client,
        "om_service",
        tenant="441400",
        filer="mz.admin",
        config={"rates": {"resident_per_person_day": 1000, "remote_per_person_month": 2500}},
    )
    xingning = await plugin_statuses("441481")
    assert xingning["om_service"].state is PluginState.ACTIVE
    assert xingning["om_service"].config["rates"]["resident_per_person_day"] == 1000
    await approved(client, "om_service", config={"rates": {"resident_per_person_day": 900}})
    xingning = await plugin_statuses("441481")
    assert xingning["om_service"].config["rates"]["resident_per_person_day"] == 900
    assert xingning["om_service"].approval["tenant_id"] == "441481"
    assert (await plugin_statuses("441424"))["om_service"].config["rates"][
        "resident_per_person_day"
    ] == 1000
    assert (await plugin_statuses("441402"))["om_service"].state is PluginState.ACTIVE
    assert (await plugin_statuses("440100"))["om_service"].state is PluginState.NOT_APPROVED


async def test_om_service_fee_estimate_and_resident_rule(client, demo):
    await approved(client, "om_service")
    xn = await login(client, "xn.admin")
    incomplete = await edit(
        client, xn, "441481", om_plan__resident={"enabled": True, "headcount": 1}
    )
    assert incomplete["config"] is None and {e["code"] for e in incomplete["errors"]} == {
        "PLUGIN_RULE"
    }
    assert any("place" in (e["field"] or "") for e in incomplete["errors"])
    done = await edit(
        client,
        xn,
        "441481",
        om_plan__resident={
            "enabled": True,
            "place": "兴宁市财政局",
            "hours": "工作日 08:30-17:30",
            "headcount": 2,
        },
    )
    assert done["errors"] == [], done["errors"]
    summaries = done["config"]["summaries"]
    assert summaries and {s["plugin"] for s in summaries} == {"om_service"}
    assert (await effective_config("441424")).values.get("om_plan") is None


# Plugins whose code changes or fails: real modules on disk, registered like installed ones.

PROBE = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "probe", "description": "test plugin", "config_schema": {"type": "object"}}


@hookimpl
def gpcloud_validate_config_section(section, value, tenant):
    {body}


@hookimpl
def gpcloud_validate_event(event, tenant):
    if event["kind"] == "plan.submit" and event["object"]["amount"] > 100:
        return [{"path": "amount", "message": f"{tenant.name}: plans over 100 need a local review"}]
    return []
"""


@pytest.fixture
def probe(install_plugin):
    """Install the plugin `probe`; `probe(body)` rewrites its config-section check."""
    return lambda body="return []": install_plugin("probe", PROBE.replace("{body}", body))


async def test_changed_code_stops_the_plugin_until_approved_again(client, demo, probe):
    first = probe()
    filed = await file(client, await login(client, "xn.admin"), "probe", version="0.1.0")
    await approve(client, await login(client, "gd.admin"), filed["request"]["id"])
    assert (await tenant_hooks("441481")).active == ("probe",)
    second = probe("return []  # a new release of the same version")
    assert second.digest != first.digest
    assert (await plugin_statuses("441481"))["probe"].state is PluginState.NEEDS_REAPPROVAL
    assert "probe" not in (await tenant_hooks("441481")).active
    stale = await approve(client, await login(client, "gd.admin"), filed["request"]["id"])
    assert [e["code"] for e in stale["errors"]] == ["WRONG_STATE"]
    again = await file(client, await login(client, "xn.admin"), "probe", version="0.1.0")
    await approve(client, await login(client, "gd.admin"), again["request"]["id"])
    assert (await plugin_statuses("441481"))["probe"].state is PluginState.ACTIVE


async def test_a_pending_request_for_code_that_changed_cannot_be_approved(client, demo, probe):
    probe()
    filed = await file(client, await login(client, "xn.admin"), "probe", version="0.1.0")
    probe("return None")
    result = await approve(client, await login(client, "gd.admin"), filed["request"]["id"])
    assert [e["code"] for e in result["errors"]] == ["PLUGIN_CHANGED"]


async def test_a_plugin_raising_fails_the_request_cleanly_naming_it(client, demo, probe):
    probe("raise RuntimeError('bug in the plugin')")
    filed = await file(client, await login(client, "xn.admin"), "probe", version="0.1.0")
    await approve(client, await login(client, "gd.admin"), filed["request"]["id"])
    before = await effective_config("441481")
    result = await edit(
        client, await login(client, "xn.admin"), "441481", thresholds__open_tender_threshold=3000000
    )
    assert result["config"] is None
    assert [e["code"] for e in result["errors"]] == ["PLUGIN_FAILED"]
    assert "plugin probe failed" in result["errors"][0]["message"]
    after = await effective_config("441481")
    assert after.edit_version == before.edit_version == 0
    with all_tenants("test: nothing recorded"):
        assert not await AuditEntry.exists().where(AuditEntry.action == "config.edit")


async def test_lifecycle_events_are_vetoed_only_where_approved(client, demo, probe):
    from gpcloud.core.errors import DomainError
    from gpcloud.core.plugins.hooks import validate_event
    from gpcloud.core.tenancy.scope import use_scope
    from gpcloud.core.tenancy.service import tenant_tree

    probe()
    filed = await file(client, await login(client, "xn.admin"), "probe", version="0.1.0")
    await approve(client, await login(client, "gd.admin"), filed["request"]["id"])
    with use_scope((await tenant_tree()).scope_for("441481")):
        await validate_event("441481", "plan.submit", {"amount": 50})
        with pytest.raises(DomainError) as info:
            await validate_event("441481", "plan.submit", {"amount": 500})
    assert info.value.problems[0].message == "probe: 兴宁市: plans over 100 need a local review"
    assert info.value.problems[0].field == "amount"
    with use_scope((await tenant_tree()).scope_for("441424")):
        await validate_event("441424", "plan.submit", {"amount": 500})
