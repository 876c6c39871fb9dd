"""Tenant configuration: layers and sources, admin edits, schema and parent bounds."""

import asyncio
from decimal import Decimal

import pytest

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.tenancy.config import effective_config
from gpcloud.core.tenancy.files import TenantFileError, apply_tenant_files
from gpcloud.core.tenancy.scope import all_tenants
from tests.support import ROOT_TENANTS, error_codes, gql, login

CONFIG = """query($code: String!) { tenantConfig(regionCode: $code) {
  editVersion values entries { path value sourceLayer sourceTenant sourceVersion } problems { field code }
} }"""
EDIT = """mutation($code: String!, $changes: [ConfigChangeInput!]!, $reason: String!) {
  editTenantConfig(regionCode: $code, changes: $changes, reason: $reason) {
    config { editVersion values } errors { field code message }
  }
}"""


async def edit(client, token, code, reason="按本地管理要求调整", **changes):
    variables = {
        "code": code,
        "changes": [{"path": p.replace("__", "."), "value": v} for p, v in changes.items()],
        "reason": reason,
    }
    return (await gql(client, EDIT, variables, token=token))["data"]["editTenantConfig"]


def codes(payload):
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def test_effective_config_layers_and_sources(client):
    xingning = await effective_config("441481")
    meizhou = await effective_config("441400")
    assert xingning.values["go_live"]["transaction"] == "2021-08-01"  # all units
    assert meizhou.values["go_live"]["transaction"] == "2021-05-01"  # the city level
    assert xingning.values["thresholds"]["open_tender_threshold"] == 4000000
    assert xingning.values["fees"]["e_signature_per_use"] == 10  # from the province's file
    assert xingning.values["trial_run"]["expert_draw_type"] == "non_review"
    sources = {".".join(p): str(s) for p, s in xingning.sources.items()}
    assert sources["contacts.office"] == "file:441481"
    assert sources["fees.e_signature_per_use"] == "file:440000"
    assert sources["thresholds.open_tender_threshold"] == "default"


async def test_read_through_graphql_within_the_region(client, demo):
    token = await login(client, "xn.admin")
    config = (await gql(client, CONFIG, {"code": "441481"}, token=token))["data"]["tenantConfig"]
    assert config["editVersion"] == 0 and config["problems"] == []
    entry = next(e for e in config["entries"] if e["path"] == "contacts.office")
    assert entry == {
        "path": "contacts.office",
        "value": "兴宁市财政局政府采购管理办公室",
        "sourceLayer": "FILE",
        "sourceTenant": "441481",
        "sourceVersion": None,
    }
    assert error_codes(await gql(client, CONFIG, {"code": "441424"}, token=token)) == [
        "TENANT_NOT_FOUND"
    ]
    assert error_codes(
        await gql(client, CONFIG, {"code": "441481"}, token=await login(client, "xn.purchaser"))
    ) == ["FORBIDDEN"]
    supervisor = await gql(
        client, CONFIG, {"code": "441481"}, token=await login(client, "xn.supervisor")
    )
    assert supervisor["data"]["tenantConfig"]["editVersion"] == 0


async def test_an_edit_is_a_version_with_author_reason_and_audit(client, demo):
    token = await login(client, "xn.admin")
    done = await edit(client, token, "441481", thresholds__open_tender_threshold=2999999.5)
    assert done["errors"] == []
    assert done["config"]["editVersion"] == 1
    config = await effective_config("441481")
    assert config.values["thresholds"]["open_tender_threshold"] == Decimal("2999999.5")
    assert str(config.sources[("thresholds", "open_tender_threshold")]) == "edit:441481@v1"
    removed = await edit(client, token, "441481", thresholds__open_tender_threshold=None)
    assert removed["config"]["editVersion"] == 2
    assert (await effective_config("441481")).values["thresholds"][
        "open_tender_threshold"
    ] == 4000000
    with all_tenants("test: read the audit"):
        entries = (
            await AuditEntry.select()
            .where(AuditEntry.action == "config.edit")
            .order_by(AuditEntry.id)
        )
    assert [e["object_id"] for e in entries] == ["441481", "441481"]
    assert '"reason":"按本地管理要求调整"' in entries[0]["detail"]
    assert entries[0]["actor_id"] is not None


@pytest.mark.parametrize(
    "changes,expected",
    [
        (
            {"thresholds__open_tender_threshold": 5000000},
            ("thresholds.open_tender_threshold", "CONFIG_LOOSENS_PARENT"),
        ),
        (
            {"trial_run__expert_draw_type": "review"},
            ("trial_run.expert_draw_type", "CONFIG_LOOSENS_PARENT"),
        ),
        (
            {"agency_readiness__av_recording_retained": False},
            ("agency_readiness.av_recording_retained", "CONFIG_LOOSENS_PARENT"),
        ),
        ({"go_live__transaction": "2021-04-01"}, ("go_live.transaction", "CONFIG_LOOSENS_PARENT")),
        ({"fees__e_signature_per_use": 1}, ("fees.e_signature_per_use", "CONFIG_LOOSENS_PARENT")),
        (
            {"agency_readiness__min_computers_per_evaluation_room": 5},
            ("agency_readiness.min_computers_per_evaluation_room", "CONFIG_INVALID"),
        ),
        (
            {"thresholds__open_tender_threshold": "很多"},
            ("thresholds.open_tender_threshold", "CONFIG_INVALID"),
        ),
        ({"go_live__transaction": "2021-13-01"}, ("go_live.transaction", "CONFIG_INVALID")),
        ({"thresholds__no_such_limit": 1}, ("thresholds.no_such_limit", "CONFIG_UNKNOWN_PATH")),
        ({"training__modes": ["online"]}, ("training.modes", "PLUGIN_NOT_ACTIVE")),
    ],
)
async def test_bad_edits_are_refused_and_change_nothing(client, demo, changes, expected):
    token = await login(client, "xn.admin")
    payload = await edit(client, token, "441481", **changes)
    assert payload["config"] is None
    assert expected in codes(payload)
    assert (await effective_config("441481")).edit_version == 0


async def test_a_county_may_tighten_but_not_loosen_its_city(client, demo):
    city, county = await login(client, "mz.admin"), await login(client, "xn.admin")
    assert (await edit(client, city, "441400", thresholds__open_tender_threshold=3000000))[
        "errors"
    ] == []
    assert (
        await edit(
            client,
            county,
            "441481",
            thresholds__open_tender_threshold=2500000,
            agency_readiness__min_computers_per_evaluation_room=10,
            go_live__transaction="2021-09-01",
        )
    )["errors"] == []
    looser = await edit(client, county, "441481", thresholds__open_tender_threshold=3500000)
    assert codes(looser) == [("thresholds.open_tender_threshold", "CONFIG_LOOSENS_PARENT")]
    assert "梅州市" in looser["errors"][0]["message"]
    # The city cannot now tighten past the county's own setting without the county first.
    breaks = await edit(client, city, "441400", thresholds__open_tender_threshold=2000000)
    assert codes(breaks) == [("thresholds.open_tender_threshold", "CONFIG_BREAKS_CHILD")]
    assert "兴宁市" in breaks["errors"][0]["message"]


async def test_tenant_admins_edit_only_their_subtree(client, demo):
    county = await login(client, "xn.admin")
    for other in ("441400", "441424", "440000"):
        payload = await edit(client, county, other, thresholds__open_tender_threshold=1)
        assert codes(payload) == [("regionCode", "TENANT_NOT_FOUND")]
    city = await login(client, "mz.admin")
    assert (await edit(client, city, "441481", thresholds__open_tender_threshold=3900000))[
        "errors"
    ] == []
    purchaser = await gql(
        client,
        EDIT,
        {"code": "441481", "changes": [], "reason": "x"},
        token=await login(client, "xn.purchaser"),
    )
    assert error_codes(purchaser) == ["FORBIDDEN"]


async def test_reason_and_changes_are_required(client, demo):
    token = await login(client, "xn.admin")
    assert codes(
        await edit(client, token, "441481", reason="  ", thresholds__open_tender_threshold=1)
    ) == [("reason", "REASON_REQUIRED")]
    assert codes(await edit(client, token, "441481")) == [("changes", "NO_CHANGES")]
    assert codes(await edit(client, token, "441481", thresholds__open_tender_threshold=None)) == [
        ("changes", "NO_CHANGES")
    ]


async def test_concurrent_edits_get_distinct_versions(client, demo):
    token = await login(client, "xn.admin")
    results = await asyncio.gather(
        *(
            edit(client, token, "441481", thresholds__open_tender_threshold=3000000 + i)
            for i in range(5)
        )
    )
    assert all(r["errors"] == [] for r in results)
    assert sorted(r["config"]["editVersion"] for r in results) == [1, 2, 3, 4, 5]


async def test_a_tenant_file_may_not_loosen_its_parent(tmp_path):
    for path in ROOT_TENANTS.glob("*.toml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    xingning = tmp_path / "441481-xingning.toml"
    xingning.write_text(
        xingning.read_text(encoding="utf-8")
        + "\n[config.thresholds]\nopen_tender_threshold = 9000000\n"
        + "[config.agency_readiness]\nmin_computers_per_evaluation_room = 3\n",
        encoding="utf-8",
    )
    with pytest.raises(TenantFileError) as info:
        await apply_tenant_files(tmp_path)
    assert any(
        "config.agency_readiness.min_computers_per_evaluation_room" in p
        for p in info.value.problems
    )
    xingning.write_text(
        xingning.read_text(encoding="utf-8").replace("min_computers_per_evaluation_room = 3", ""),
        encoding="utf-8",
    )
    with pytest.raises(TenantFileError) as info:
        await apply_tenant_files(tmp_path)
    assert info.value.problems == [
        "441481: config.thresholds.open_tender_threshold: thresholds.open_tender_threshold = 9000000 "
        "may not be above 梅州市 (4000000)"
    ]
    assert (await effective_config("441481")).values["thresholds"][
        "open_tender_threshold"
    ] == 4000000
