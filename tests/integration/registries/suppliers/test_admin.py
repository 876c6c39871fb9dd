"""Admins suspend and reactivate suppliers of their region; provincial admins correct identities."""

from datetime import timedelta

import pytest

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.clock import today
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.suppliers.service import admin, records
from gpcloud.registries.suppliers.tables import Supplier
from tests.integration.registries.suppliers.helpers import (
    MZ_SUPPLIER,
    TEA,
    WUHUA_SUPPLIER,
    XN_SUPPLIER,
    bad_check,
    code,
    organisation,
    supplier_id,
    supplier_row,
)
from tests.support import drain_jobs, error_codes, gql, login

SUSPEND = """mutation($id: ID!, $reason: String!) {
  suspendSupplier(id: $id, reason: $reason) { supplier { status statusReason usable } errors { field code message } }
}"""
REACTIVATE = """mutation($id: ID!, $reason: String!) {
  reactivateSupplier(id: $id, reason: $reason) { supplier { status statusReason usable } errors { field code message } }
}"""
CORRECT = """mutation($id: ID!, $name: String, $uscc: String, $reason: String!) {
  correctSupplier(id: $id, name: $name, uscc: $uscc, reason: $reason) {
    supplier { name uscc status } errors { field code message }
  }
}"""


async def act(client, token, mutation, **variables):
    result = await gql(client, mutation, variables, token=token)
    assert "errors" not in result, result
    return next(iter(result["data"].values()))


async def test_a_county_admin_suspends_and_reactivates_a_supplier_of_its_county(client, suppliers):
    token = await login(client, "xn.admin")
    target = await supplier_id(XN_SUPPLIER)
    suspended = await act(
        client, token, SUSPEND, id=target, reason="  提供虚假材料，暂停参与采购  "
    )
    assert suspended["errors"] == []
    assert suspended["supplier"] == {
        "status": "SUSPENDED",
        "statusReason": "提供虚假材料，暂停参与采购",
        "usable": False,
    }
    row = await supplier_row(XN_SUPPLIER)
    with pytest.raises(DomainError) as info:
        await records.usable_supplier(row["organisation"])
    assert info.value.code == "SUPPLIER_NOT_USABLE"
    twice = await act(client, token, SUSPEND, id=target, reason="again")
    assert [e["code"] for e in twice["errors"]] == ["WRONG_STATE"]

    back = await act(client, token, REACTIVATE, id=target, reason="调查结束")
    assert back["supplier"] == {"status": "ACTIVE", "statusReason": "", "usable": True}
    assert (await records.usable_supplier(row["organisation"]))["id"] == row["id"]
    again = await act(client, token, REACTIVATE, id=target, reason="调查结束")
    assert [e["code"] for e in again["errors"]] == ["WRONG_STATE"]
    with all_tenants("test: audit"):
        entries = (
            await AuditEntry.select(AuditEntry.action, AuditEntry.tenant_id, AuditEntry.detail)
            .where(AuditEntry.object_type == "supplier")
            .order_by(AuditEntry.id)
        )
    assert [
        (e["action"], e["tenant_id"]) for e in entries if e["action"] != "suppliers.register"
    ] == [("suppliers.suspend", "441481"), ("suppliers.reactivate", "441481")]


async def test_reactivating_an_incomplete_supplier_leaves_it_incomplete(client, suppliers):
    token = await login(client, "gd.admin")
    target = await supplier_id(TEA)
    assert (await act(client, token, SUSPEND, id=target, reason="核查"))["supplier"][
        "status"
    ] == "SUSPENDED"
    assert (await act(client, token, REACTIVATE, id=target, reason="核查完毕"))["supplier"][
        "status"
    ] == "INCOMPLETE"


async def test_who_may_suspend_which_supplier(client, suppliers):
    xingning = await supplier_id(XN_SUPPLIER)
    wuhua = await supplier_id(WUHUA_SUPPLIER)
    meizhou = await supplier_id(MZ_SUPPLIER)
    county = await login(client, "xn.admin")
    for other in (wuhua, meizhou):  # another county, and the city above
        refused = await act(client, county, SUSPEND, id=other, reason="越权")
        assert refused["supplier"] is None
        assert [(e["field"], e["code"]) for e in refused["errors"]] == [("id", "FORBIDDEN")]
    assert (await supplier_row(WUHUA_SUPPLIER))["status"] == "active"
    city = await login(client, "mz.admin")
    assert (await act(client, city, SUSPEND, id=wuhua, reason="市级暂停"))["errors"] == []
    province = await login(client, "gd.admin")
    assert (await act(client, province, REACTIVATE, id=wuhua, reason="省级恢复"))["errors"] == []
    for username in ("xn.supervisor", "xn.purchaser", "xn.supplier", "xn.agency"):
        token = await login(client, username)
        assert error_codes(
            await gql(client, SUSPEND, {"id": xingning, "reason": "x"}, token=token)
        ) == ["FORBIDDEN"]
    assert error_codes(await gql(client, SUSPEND, {"id": xingning, "reason": "x"})) == [
        "UNAUTHENTICATED"
    ]
    assert (await supplier_row(XN_SUPPLIER))["status"] == "active"


@pytest.mark.parametrize(
    "target,reason,field,code_",
    [
        (None, "  ", "reason", "REASON_REQUIRED"),
        (None, "因" * 256, "reason", "INVALID_REASON"),
        ("987654", "x", "id", "NOT_FOUND"),
        ("abc", "x", "id", "NOT_FOUND"),
        ("99999999999", "x", "id", "NOT_FOUND"),
    ],
)
async def test_bad_suspensions_change_nothing(client, suppliers, target, reason, field, code_):
    token = await login(client, "gd.admin")
    payload = await act(
        client, token, SUSPEND, id=target or await supplier_id(XN_SUPPLIER), reason=reason
    )
    assert payload["supplier"] is None
    assert [e["code"] for e in payload["errors"]] == [code_]
    assert (await supplier_row(XN_SUPPLIER))["status"] == "active"


async def test_the_province_corrects_a_name_and_credit_code(client, suppliers):
    token = await login(client, "gd.admin")
    target = await supplier_id(TEA)
    fixed = await act(
        client,
        token,
        CORRECT,
        id=target,
        name="兴宁市罗岗生态茶业有限公司",
        uscc=code(5).lower(),
        reason="工商变更登记",
    )
    assert fixed["errors"] == []
    assert fixed["supplier"] == {
        "name": "兴宁市罗岗生态茶业有限公司",
        "uscc": code(5),
        "status": "INCOMPLETE",
    }
    with all_tenants("test: audit"):
        entry = (
            await AuditEntry.select(AuditEntry.tenant_id, AuditEntry.detail)
            .where(AuditEntry.action == "suppliers.correct")
            .first()
        )
    assert entry["tenant_id"] == "441481" and "工商变更登记" in entry["detail"]

    taken = (await organisation(XN_SUPPLIER))["uscc"]
    cases = [
        ({"uscc": taken}, "uscc", "DUPLICATE_USCC"),
        ({"uscc": bad_check(code(6))}, "uscc", "INVALID_USCC"),
        ({"name": "茶"}, "name", "INVALID_NAME"),
        ({"name": "茶" * 129}, "name", "INVALID_NAME"),
        ({"name": "兴宁市罗岗茶业", "reason": ""}, "reason", "REASON_REQUIRED"),
    ]
    for values, field, code_ in cases:
        payload = await act(client, token, CORRECT, **{"id": target, "reason": "更正", **values})
        assert (field, code_) in [(e["field"], e["code"]) for e in payload["errors"]], values
    assert (await organisation("兴宁市罗岗生态茶业有限公司"))["uscc"] == code(5)


async def test_only_the_province_corrects_identities(client, suppliers):
    target = await supplier_id(XN_SUPPLIER)
    for username in ("xn.admin", "mz.admin", "xn.supervisor"):
        token = await login(client, username)
        result = await gql(
            client, CORRECT, {"id": target, "name": "改名有限公司", "reason": "x"}, token=token
        )
        assert error_codes(result) == ["FORBIDDEN"]
    assert await organisation(XN_SUPPLIER) is not None


async def test_expired_certificates_turn_active_suppliers_incomplete(client, suppliers):
    expired = await supplier_row(XN_SUPPLIER)
    await Supplier.update({Supplier.ca_valid_until: today() - timedelta(days=1)}).where(
        Supplier.id == expired["id"]
    )
    # Until the daily job runs, the record says active, but nobody may use it.
    assert not records.usable(await records.get(expired["id"]))
    with pytest.raises(DomainError):
        await records.usable_supplier(expired["organisation"])

    from gpcloud.core.jobs.service import enqueue
    from gpcloud.core.jobs.tables import Job

    with use_scope((await tenant_tree()).scope_for("440000")):
        job = await enqueue("suppliers.expire_certificates", {})
    with use_scope((await tenant_tree()).scope_for("441481")):
        county_job = await enqueue("suppliers.expire_certificates", {})
    await drain_jobs()
    with all_tenants("test: jobs"):
        rows = {j["id"]: j for j in await Job.select().output(load_json=True)}
    assert (rows[job["id"]]["status"], rows[job["id"]]["counts"]) == ("succeeded", {"expired": 1})
    assert rows[county_job["id"]]["error_code"] == "FORBIDDEN"
    row = await supplier_row(XN_SUPPLIER)
    assert row["status"] == "incomplete"
    assert (await supplier_row(MZ_SUPPLIER))["status"] == "active"
    with use_scope((await tenant_tree()).scope_for("440000")):
        assert await admin.expire_certificates() == 0
    with all_tenants("test: audit"):
        assert (
            await AuditEntry.count().where(AuditEntry.action == "suppliers.expire_certificate") == 1
        )
