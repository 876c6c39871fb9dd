"""An agency registers and keeps its own record; the province approves, rejects, suspends."""

import asyncio

import pytest

from gpcloud.core.audit.service import verify
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.agencies.tables import Agency, AgencyTenant
from tests.integration.registries.agencies.helpers import (
    DECIDE,
    MY_AGENCY,
    REGISTER,
    UPDATE,
    XN_AGENCY,
    add_room,
    decide,
    errors,
    later,
    org_uscc,
    profile,
    register,
    uscc,
)
from tests.support import error_codes, gql, login


async def audit_actions(object_type="agency") -> list[tuple[str, str]]:
    with all_tenants("test: read the audit"):
        rows = (
            await AuditEntry.select(AuditEntry.action, AuditEntry.tenant_id)
            .where(AuditEntry.object_type == object_type)
            .order_by(AuditEntry.id)
        )
    return [(r["action"], r["tenant_id"]) for r in rows]


async def test_an_agency_user_registers_their_agency_pending_approval(client, demo):
    payload = await register(client, tenants=["441481", "441400"])
    assert payload["errors"] == []
    agency = payload["agency"]
    assert agency["name"] == XN_AGENCY
    assert agency["uscc"] == await org_uscc(XN_AGENCY)
    assert agency["status"] == "PENDING"
    assert agency["region"] == {"regionCode": "441481"}
    assert agency["tenants"] == [{"regionCode": "441400"}, {"regionCode": "441481"}]
    assert agency["contactPhone"] == "0753-3000001" and agency["caValidUntil"] == later()
    mine = await gql(client, MY_AGENCY, token=await login(client, "xn.agency"))
    assert mine["data"]["myAgency"]["id"] == agency["id"]
    assert await audit_actions() == [("agencies.register", "441481")]


async def test_tenants_default_to_the_region_and_ca_may_come_later(client, demo):
    payload = await register(client, tenants=..., caSerial=..., caIssuer=..., caValidUntil=...)
    assert payload["errors"] == []
    assert payload["agency"]["tenants"] == [{"regionCode": "441481"}]
    assert payload["agency"]["caValidUntil"] is None


async def test_registering_twice_is_refused(client, demo):
    assert (await register(client))["errors"] == []
    assert errors(await register(client)) == [(None, "ALREADY_REGISTERED")]
    with all_tenants("test"):
        assert await Agency.count() == 1


@pytest.mark.parametrize(
    "overrides,expected",
    [
        ({"uscc": "91441481MA4W00013X"}, ("uscc", "INVALID_USCC")),
        ({"uscc": "9144148"}, ("uscc", "INVALID_USCC")),
        ({"contactPhone": "12345"}, ("contactPhone", "INVALID_PHONE")),
        ({"contactPhone": "１３８００００００００"}, ("contactPhone", "INVALID_PHONE")),
        ({"contactPhone": ...}, ("contactPhone", "REQUIRED")),
        ({"contactName": "  "}, ("contactName", "INVALID_NAME")),
        ({"contactName": "名" * 100_000}, ("contactName", "INVALID_NAME")),
        ({"contactName": ...}, ("contactName", "REQUIRED")),
        ({"name": "x"}, ("name", "INVALID_NAME")),
        ({"caValidUntil": "2020-12-31"}, ("caValidUntil", "CA_EXPIRED")),
        ({"caValidUntil": later(-1)}, ("caValidUntil", "CA_EXPIRED")),
        ({"caIssuer": ..., "caValidUntil": ...}, ("caIssuer", "CA_INCOMPLETE")),
        ({"caSerial": "!!"}, ("caSerial", "INVALID_CA_SERIAL")),
        ({"caIssuer": "证" * 129}, ("caIssuer", "INVALID_CA_ISSUER")),
        ({"tenants": ["999999"]}, ("tenants", "TENANT_NOT_FOUND")),
        ({"tenants": ["abc"]}, ("tenants", "TENANT_NOT_FOUND")),
        ({"tenants": ["440300"]}, ("tenants", "TENANT_NOT_ACTIVE")),
        ({"tenants": []}, ("tenants", "TENANTS_REQUIRED")),
        ({"tenants": [f"{n:06d}" for n in range(65)]}, ("tenants", "TOO_MANY_TENANTS")),
    ],
)
async def test_bad_registrations_change_nothing(client, demo, overrides, expected):
    payload = await register(client, **overrides)
    assert payload["agency"] is None
    assert expected in errors(payload)
    with all_tenants("test"):
        assert await Agency.count() == 0 and await AgencyTenant.count() == 0


async def test_a_credit_code_held_by_another_organisation_is_refused(client, demo):
    taken = await org_uscc("兴宁市合水电子科技有限公司")
    assert errors(await register(client, uscc=taken)) == [("uscc", "DUPLICATE_USCC")]


async def test_a_new_name_and_code_are_saved_on_the_organisation(client, demo):
    code = uscc("91441481MA4W00099")
    payload = await register(client, name="兴宁市宁江工程咨询有限责任公司", uscc=code.lower())
    assert payload["errors"] == []
    org = await Organisation.select().where(Organisation.uscc == code).first()
    assert org["name"] == "兴宁市宁江工程咨询有限责任公司" and org["kind"] == "agency"


async def test_only_agency_users_of_agency_organisations_register(client, demo):
    supplier = await gql(
        client, REGISTER, {"input": profile()}, token=await login(client, "xn.supplier")
    )
    assert error_codes(supplier) == ["FORBIDDEN"]
    # An account holding the agency role for an organisation that is not an agency.
    with all_tenants("test: an agency account of a supplier"):
        user = await User.select(User.id).where(User.username == "xn.supplier").first()
        await UserRole.insert(UserRole(tenant_id="441481", user=user["id"], role="agency"))
    payload = await gql(
        client, REGISTER, {"input": profile()}, token=await login(client, "xn.supplier")
    )
    assert errors(payload["data"]["registerAgency"]) == [(None, "NOT_AN_AGENCY")]
    anonymous = await gql(client, REGISTER, {"input": profile()})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


async def test_update_keeps_blank_fields_and_an_approved_status(client, demo):
    agency_id = (await register(client))["agency"]["id"]
    assert (await decide(client, "approveAgency", agency_id))["errors"] == []
    token = await login(client, "xn.agency")
    renewed = later(730)
    payload = await gql(
        client,
        UPDATE,
        {
            "input": {
                "caSerial": "77AA88BB99CC",
                "caValidUntil": renewed,
                "tenants": ["441481", "441424"],
            }
        },
        token=token,
    )
    agency = payload["data"]["updateMyAgency"]["agency"]
    assert agency["status"] == "APPROVED"
    assert agency["caSerial"] == "77AA88BB99CC" and agency["caValidUntil"] == renewed
    assert agency["caIssuer"] == "广东数字证书认证中心" and agency["contactName"] == "招标部"
    assert [t["regionCode"] for t in agency["tenants"]] == ["441424", "441481"]
    assert [a for a, _ in await audit_actions()] == [
        "agencies.register",
        "agencies.approve",
        "agencies.update",
    ]
    same = await gql(client, UPDATE, {"input": {"contactName": "招标部"}}, token=token)
    assert same["data"]["updateMyAgency"]["errors"] == []
    assert len(await audit_actions()) == 3  # nothing changed, nothing recorded


@pytest.mark.parametrize(
    "changes,expected",
    [
        ({"contactPhone": "0753"}, ("contactPhone", "INVALID_PHONE")),
        ({"caValidUntil": "2021-01-01"}, ("caValidUntil", "CA_EXPIRED")),
        ({"tenants": ["440300"]}, ("tenants", "TENANT_NOT_ACTIVE")),
        ({"uscc": "NOT-A-CODE"}, ("uscc", "INVALID_USCC")),
    ],
)
async def test_bad_updates_change_nothing(client, demo, changes, expected):
    before = (await register(client))["agency"]
    token = await login(client, "xn.agency")
    payload = (await gql(client, UPDATE, {"input": changes}, token=token))["data"]["updateMyAgency"]
    assert expected in errors(payload)
    assert (await gql(client, MY_AGENCY, token=token))["data"]["myAgency"] == before


async def test_update_before_registering_is_not_found(client, demo):
    token = await login(client, "xn.agency")
    payload = (await gql(client, UPDATE, {"input": {"contactName": "新"}}, token=token))["data"][
        "updateMyAgency"
    ]
    assert errors(payload) == [(None, "NOT_FOUND")]
    assert (await gql(client, MY_AGENCY, token=token))["data"]["myAgency"] is None


async def test_a_tenant_with_rooms_cannot_be_dropped(client, demo):
    await register(client, tenants=["441481", "441400"])
    token = await login(client, "xn.agency")
    assert (await add_room(client, token, tenant="441400"))["errors"] == []
    payload = (await gql(client, UPDATE, {"input": {"tenants": ["441481"]}}, token=token))["data"][
        "updateMyAgency"
    ]
    assert errors(payload) == [("tenants", "TENANT_HAS_ROOMS")]
    ok = (await gql(client, UPDATE, {"input": {"tenants": ["441400"]}}, token=token))["data"][
        "updateMyAgency"
    ]
    assert ok["errors"] == [] and ok["agency"]["tenants"] == [{"regionCode": "441400"}]


async def test_a_new_name_sends_an_approved_agency_back_for_approval(client, demo):
    agency_id = (await register(client))["agency"]["id"]
    await decide(client, "approveAgency", agency_id)
    token = await login(client, "xn.agency")
    payload = await gql(client, UPDATE, {"input": {"name": "兴宁市宁江咨询有限公司"}}, token=token)
    agency = payload["data"]["updateMyAgency"]["agency"]
    assert agency["status"] == "PENDING" and "重新审核" in agency["statusReason"]
    assert (await decide(client, "approveAgency", agency_id))["agency"]["status"] == "APPROVED"


async def test_a_suspended_agency_cannot_rename_itself(client, demo):
    agency_id = (await register(client))["agency"]["id"]
    await decide(client, "approveAgency", agency_id)
    await decide(client, "suspendAgency", agency_id, "违规被暂停")
    token = await login(client, "xn.agency")
    payload = await gql(client, UPDATE, {"input": {"name": "另一个名字有限公司"}}, token=token)
    assert errors(payload["data"]["updateMyAgency"]) == [("name", "WRONG_STATE")]
    contact = await gql(client, UPDATE, {"input": {"contactName": "新联系人"}}, token=token)
    assert contact["data"]["updateMyAgency"]["agency"]["status"] == "SUSPENDED"


async def test_a_rejected_agency_resubmits_by_updating(client, demo):
    agency_id = (await register(client))["agency"]["id"]
    rejected = await decide(client, "rejectAgency", agency_id, "CA 证书信息不全")
    assert rejected["agency"]["status"] == "REJECTED"
    assert rejected["agency"]["statusReason"] == "CA 证书信息不全"
    token = await login(client, "xn.agency")
    payload = await gql(client, UPDATE, {"input": {"caSerial": "ABCDEF012345"}}, token=token)
    agency = payload["data"]["updateMyAgency"]["agency"]
    assert agency["status"] == "PENDING" and agency["statusReason"] == ""


async def test_the_province_decides_every_transition_with_reasons(client, demo):
    agency_id = (await register(client))["agency"]["id"]
    approved = await decide(client, "approveAgency", agency_id, "")
    assert approved["errors"] == [] and approved["agency"]["status"] == "APPROVED"
    assert approved["agency"]["decidedAt"] is not None
    for decision, reason in (("suspendAgency", "  "), ("reactivateAgency", "")):
        if decision == "reactivateAgency":
            assert (await decide(client, "suspendAgency", agency_id, "投诉查实"))["agency"][
                "status"
            ] == "SUSPENDED"
        assert errors(await decide(client, decision, agency_id, reason)) == [
            ("reason", "REASON_REQUIRED")
        ]
    assert errors(await decide(client, "reactivateAgency", agency_id, "长" * 501)) == [
        ("reason", "INVALID_REASON")
    ]
    back = await decide(client, "reactivateAgency", agency_id, "整改完成")
    assert back["agency"]["status"] == "APPROVED"
    actions = await audit_actions()
    assert actions == [
        ("agencies.register", "441481"),
        ("agencies.approve", "441481"),
        ("agencies.suspend", "441481"),
        ("agencies.reactivate", "441481"),
    ]
    with all_tenants("test"):
        detail = (
            await AuditEntry.select(AuditEntry.detail)
            .where(AuditEntry.action == "agencies.suspend")
            .first()
        )
    assert "投诉查实" in detail["detail"]
    assert (await verify()).ok


@pytest.mark.parametrize(
    "decision,status",
    [
        ("approveAgency", "APPROVED"),
        ("rejectAgency", "APPROVED"),
        ("suspendAgency", "PENDING"),
        ("reactivateAgency", "APPROVED"),
    ],
)
async def test_decisions_from_the_wrong_state_are_refused(client, demo, decision, status):
    agency_id = (await register(client))["agency"]["id"]
    if status == "APPROVED":
        await decide(client, "approveAgency", agency_id)
    payload = await decide(client, decision, agency_id, "理由")
    assert errors(payload) == [(None, "WRONG_STATE")]
    with all_tenants("test"):
        row = await Agency.select(Agency.status).where(Agency.id == int(agency_id)).first()
    assert row["status"] == status.lower()


async def test_approving_twice_at_once_approves_once(client, demo):
    agency_id = (await register(client))["agency"]["id"]
    token = await login(client, "gd.admin")
    results = await asyncio.gather(
        *(
            gql(client, DECIDE % "approveAgency", {"id": agency_id, "reason": "同意"}, token=token)
            for _ in range(4)
        )
    )
    outcomes = sorted(
        r["data"]["approveAgency"]["errors"][0]["code"]
        if r["data"]["approveAgency"]["errors"]
        else "OK"
        for r in results
    )
    assert outcomes == ["OK", "WRONG_STATE", "WRONG_STATE", "WRONG_STATE"]
    assert [a for a, _ in await audit_actions()].count("agencies.approve") == 1


@pytest.mark.parametrize(
    "username", ["xn.admin", "mz.admin", "xn.supervisor", "xn.agency", "xn.purchaser"]
)
async def test_only_the_province_decides(client, demo, username):
    agency_id = (await register(client))["agency"]["id"]
    for decision in ("approveAgency", "rejectAgency", "suspendAgency", "reactivateAgency"):
        token = await login(client, username)
        result = await gql(
            client, DECIDE % decision, {"id": agency_id, "reason": "理由"}, token=token
        )
        assert error_codes(result) == ["FORBIDDEN"]
    with all_tenants("test"):
        assert (await Agency.select(Agency.status).first())["status"] == "pending"


async def test_deciding_an_unknown_agency_is_not_found(client, demo):
    assert errors(await decide(client, "approveAgency", "987654")) == [(None, "NOT_FOUND")]
    for agency_id in ("abc", "-1", "99999999999"):
        assert errors(await decide(client, "approveAgency", agency_id)) == [("id", "NOT_FOUND")]


async def test_registering_twice_at_once_registers_once(client, demo):
    token = await login(client, "xn.agency")
    results = await asyncio.gather(
        *(gql(client, REGISTER, {"input": profile()}, token=token) for _ in range(3))
    )
    codes = sorted(
        [e["code"] for e in r["data"]["registerAgency"]["errors"]] or ["OK"] for r in results
    )
    assert codes == [["ALREADY_REGISTERED"], ["ALREADY_REGISTERED"], ["OK"]]
    with all_tenants("test"):
        assert await Agency.count() == 1 and await AgencyTenant.count() == 1
