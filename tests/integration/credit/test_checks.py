"""The mandatory check: one service, a stored snapshot whose digest covers what it says, and
the gpcloud_credit_check hook answered by the credit domain for every tenant (built in, no
approval), with a tenant's approved plugins asked once."""

from __future__ import annotations

from datetime import date

import pytest

from gpcloud.core.errors import DomainError
from gpcloud.core.plugins.hooks import builtin, builtins_of, collect
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.credit import service as credit
from gpcloud.credit.service import checks, records
from gpcloud.credit.tables import CreditCheck
from tests.integration.credit.support import blacklisted, credit_world
from tests.plugins.exercise import exercised
from tests.plugins.test_approvals import approved


@pytest.fixture
async def world(demo):
    return await credit_world()


async def test_a_blacklisted_supplier_is_found_and_the_snapshot_kept(world):
    """The scripted walk's core: a supplier on the serious-violation list is not clear at
    evaluation; the snapshot names the record, the lists consulted and the time."""
    supplier = world["supplier"]["id"]
    with use_scope(world["scope"]):
        before = await credit.check(supplier, "evaluation", date(2026, 7, 31))
        assert before.clear
        row = await blacklisted(world)
        found = await credit.check(supplier, "evaluation", date(2026, 9, 1))
        snapshot = await checks.get(found.snapshot["id"])
    assert not found.clear
    assert [r["record_id"] for r in snapshot["records"]] == [row["id"]]
    assert snapshot["records"][0]["kind"] == "blacklist" and snapshot["records"][0]["bars"]
    assert [entry["list"] for entry in snapshot["lists"]] == [
        "platform",
        "blacklist",
        "dishonest_debtor",
        "major_tax_violation",
    ]
    assert snapshot["tenant_id"] == "441481" and snapshot["purpose"] == "evaluation"
    assert checks.recompute_digest(snapshot) == snapshot["digest"]
    assert checks.recompute_digest({**snapshot, "clear": True}) != snapshot["digest"]
    assert found.answer()["snapshot_id"] == snapshot["id"]


async def test_the_period_decides_and_a_revoked_record_no_longer_counts(world):
    supplier = world["supplier"]["id"]
    row = await blacklisted(world)  # 2026-08-01 .. 2027-07-31
    with use_scope(world["scope"]):
        assert not (await credit.check(supplier, "bid_submission", date(2027, 7, 31))).clear
        assert (await credit.check(supplier, "bid_submission", date(2027, 8, 1))).clear
        await records.revoke(world["supervisor"], row["id"], "决定被撤销")
        assert (await credit.check(supplier, "bid_submission", date(2026, 9, 1))).clear


async def test_a_non_barring_record_is_reported_but_clear(world):
    supplier = world["supplier"]["id"]
    with use_scope(world["scope"]):
        await records.record(
            world["supervisor"],
            records.RecordInput(
                "supplier",
                supplier,
                "administrative_penalty",
                date(2026, 3, 1),
                None,
                "兴财〔2026〕3号",
            ),
        )
        result = await credit.check(supplier, "entrustment")
    assert result.clear and [r["kind"] for r in result.snapshot["records"]] == [
        "administrative_penalty"
    ]


async def test_bad_checks_are_refused(world):
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as refused:
            await credit.check(world["supplier"]["id"], "gossip")
        assert refused.value.code == "INVALID_PURPOSE"
        with pytest.raises(DomainError) as refused:
            await credit.check(999_999, "evaluation")
        assert refused.value.code == "NOT_FOUND"
        with pytest.raises(DomainError) as refused:
            await credit.check(world["supplier"]["id"], "evaluation", actor=world["seller"])
        assert refused.value.code == "FORBIDDEN"
        assert await CreditCheck.count() == 0


async def test_the_hook_is_answered_for_every_tenant_without_approval(world):
    """Every shipped tenant, none of which approved anything: the built-in answers, and the
    snapshot lands in the tenant that asked."""
    await blacklisted(world)
    codes = sorted((await tenant_tree()).nodes)
    assert len(codes) > 3
    with exercised("gpcloud_credit_check") as ran:
        for code in codes:
            with use_scope((await tenant_tree()).scope_for(code)):
                answers = await collect(
                    code,
                    "gpcloud_credit_check",
                    tenant=code,
                    organisation_id=world["supplier"]["id"],
                    purpose="bid_submission",
                    on_day=date(2026, 9, 1),
                )
            assert [a.plugin for a in answers] == ["builtin:credit"]
            assert answers[0].value["clear"] is False
            assert answers[0].value["source"] == "gpcloud.credit"
    assert {plugin for _, plugin in ran} == {"builtin:credit"}
    with all_tenants("test"):
        stored = await CreditCheck.select(CreditCheck.tenant_id)
    assert sorted(r["tenant_id"] for r in stored) == codes


async def test_the_hook_runs_outside_any_scope_in_the_tenant_asked_for(world):
    answers = await collect(
        "441424",
        "gpcloud_credit_check",
        tenant="441424",
        organisation_id=world["supplier"]["id"],
        purpose="emall_order",
        on_day=date(2026, 9, 1),
    )
    assert answers[0].value["clear"] is True
    with all_tenants("test"):
        assert [r["tenant_id"] for r in await CreditCheck.select(CreditCheck.tenant_id)] == [
            "441424"
        ]


LIST_PLUGIN = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "local_list", "description": "a city's own list"}
CALLS = []


@hookimpl
def gpcloud_credit_check(tenant, organisation_id, purpose, on_day):
    CALLS.append((tenant, organisation_id, purpose, on_day))
    return {"clear": False, "records": [{"kind": "local", "reference": "MZ-1"}],
            "source": "meizhou.local"}
"""


async def test_an_approved_plugin_is_asked_once_and_recorded_in_the_snapshot(
    world, client, install_plugin
):
    import sys

    install_plugin("local_list", LIST_PLUGIN, version="1.0.0")
    plugin = sys.modules["gpcloud_local_list"]
    supplier = world["supplier"]["id"]
    with use_scope((await tenant_tree()).scope_for("441424")):  # Wuhua: not approved
        assert (await credit.check(supplier, "evaluation")).clear
    assert plugin.CALLS == []
    await approved(client, "local_list", tenant="441400", filer="mz.admin")
    with exercised("gpcloud_credit_check"):
        answers = await collect(
            "441481",
            "gpcloud_credit_check",
            tenant="441481",
            organisation_id=supplier,
            purpose="evaluation",
            on_day=date(2026, 9, 1),
        )
    assert [a.plugin for a in answers] == ["builtin:credit"]  # it asked the plugin itself
    assert plugin.CALLS == [("441481", supplier, "evaluation", date(2026, 9, 1))]
    assert answers[0].value["clear"] is False
    with all_tenants("test"):
        snapshot = await checks.get(answers[0].value["snapshot_id"])
    assert [s["source"] for s in snapshot["sources"]] == ["gpcloud.credit", "meizhou.local"]
    assert snapshot["sources"][1]["plugin"] == "local_list"


def test_a_builtin_must_match_its_hookspec():
    async def wrong(tenant, organisation_id):
        return None

    with pytest.raises(ValueError, match="must be async def"):
        builtin("gpcloud_credit_check", "wrong")(wrong)
    with pytest.raises(ValueError, match="firstresult"):
        builtin("gpcloud_push_payment", "wrong")(wrong)
    with pytest.raises(ValueError, match="no hookspec"):
        builtin("gpcloud_typo", "wrong")(wrong)
    with pytest.raises(ValueError, match="twice"):
        builtin("gpcloud_credit_check", "credit")(builtins_of("gpcloud_credit_check")[0].function)
