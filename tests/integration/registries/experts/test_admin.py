"""The province keeps the pool: status changes (reason required, entry rules re-checked on the
way in), bad records, corrections, account links and the audited reveal of an ID number;
admins and supervisors of every region read the pool with the ID number masked."""

from datetime import date, timedelta

import pytest

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.clock import today
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.experts.service import identity
from gpcloud.registries.experts.tables import Expert
from tests.integration.registries.experts.conftest import (
    OTHER_USCC,
    apply,
    born_years_ago,
    change_status,
    id_number,
    registered,
)
from tests.support import error_codes, gql, login

REVEAL = """mutation($id: ID!, $reason: String!) {
  revealExpertIdNumber(id: $id, reason: $reason) { idNumber errors { field code message } }
}"""
UPDATE = """mutation($id: ID!, $input: ExpertChangesInput!) {
  updateExpert(id: $id, input: $input) {
    expert { id name idNumberMasked birthDate titleLevel yearsOfExperience employerUscc
             specialties { categoryCode primary } regions { regionCode } }
    errors { field code message }
  }
}"""
BAD_RECORD = """mutation($id: ID!, $on: Date!, $reason: String!) {
  recordExpertBadRecord(id: $id, recordedOn: $on, reason: $reason) {
    expert { status statusReason badRecordUntil } errors { field code }
  }
}"""
LINK = """mutation($id: ID!, $username: String) {
  linkExpertAccount(id: $id, username: $username) { expert { hasAccount } errors { field code } }
}"""
READ = """query($id: ID!) { expert(id: $id) {
  id name idNumberMasked phone status specialties { categoryCode } regions { regionCode }
  leaves { startDate } avoidances { organisationName } } }"""


async def actions() -> list[str]:
    with all_tenants("test: read the audit"):
        rows = (
            await AuditEntry.select(AuditEntry.action)
            .where(AuditEntry.object_type == "expert")
            .order_by(AuditEntry.id)
        )
    return [r["action"] for r in rows]


async def test_application_is_approved_then_suspended_reactivated_and_retired(
    client, demo, catalogue
):
    applied = await apply(client, await login(client, "mz.expert"))
    assert applied["errors"] == [] and applied["expert"]["status"] == "PENDING"
    expert_id = applied["expert"]["id"]
    province = await login(client, "gd.admin")
    assert (await change_status(client, province, "suspendExpert", expert_id))["errors"][0][
        "code"
    ] == "WRONG_STATE"
    steps = [
        ("approveExpert", "ACTIVE"),
        ("suspendExpert", "SUSPENDED"),
        ("reactivateExpert", "ACTIVE"),
        ("retireExpert", "RETIRED"),
    ]
    for action, status in steps:
        payload = await change_status(client, province, action, expert_id, reason=f"{action}理由")
        assert payload["errors"] == [] and payload["expert"]["status"] == status
        assert payload["expert"]["statusReason"] == f"{action}理由"
    for action in ("approveExpert", "reactivateExpert", "suspendExpert", "retireExpert"):
        payload = await change_status(client, province, action, expert_id)
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("status", "WRONG_STATE")]
    assert await actions() == [
        "experts.apply",
        "experts.approve",
        "experts.suspend",
        "experts.reactivate",
        "experts.retire",
    ]


@pytest.mark.parametrize(
    "reason,code",
    [("", "REASON_REQUIRED"), ("  ", "REASON_REQUIRED"), ("因" * 501, "INVALID_REASON")],
)
async def test_a_status_change_needs_a_reason(client, demo, catalogue, reason, code):
    province = await login(client, "gd.admin")
    expert_id = await registered(client, province)
    payload = await change_status(client, province, "suspendExpert", expert_id, reason=reason)
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("reason", code)]
    assert (await Expert.select(Expert.status).first())["status"] == "active"


async def test_approval_rechecks_age_and_title(client, demo, catalogue):
    """Applicants who turned 70, or whose record no longer qualifies, while pending stay out."""
    applied = await apply(client, await login(client, "mz.expert"))
    expert_id = applied["expert"]["id"]
    old = born_years_ago(70)
    await Expert.update({Expert.birth_date: old}).where(Expert.id == int(expert_id))
    province = await login(client, "gd.admin")
    payload = await change_status(client, province, "approveExpert", expert_id)
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("idNumber", "EXPERT_TOO_OLD")]
    await Expert.update(
        {
            Expert.birth_date: date(1980, 1, 1),
            Expert.title_level: "intermediate",
            Expert.years_of_experience: 3,
        }
    ).where(Expert.id == int(expert_id))
    payload = await change_status(client, province, "approveExpert", expert_id)
    assert [e["code"] for e in payload["errors"]] == ["EXPERT_NOT_QUALIFIED"]
    assert (await Expert.select(Expert.status).first())["status"] == "pending"


async def test_a_bad_record_suspends_and_bars_reactivation_for_three_years(client, demo, catalogue):
    province = await login(client, "gd.admin")
    expert_id = await registered(client, province)
    recorded = today() - timedelta(days=10)
    payload = (
        await gql(
            client,
            BAD_RECORD,
            {"id": expert_id, "on": recorded.isoformat(), "reason": "评审中违规"},
            token=province,
        )
    )["data"]["recordExpertBadRecord"]
    assert payload["errors"] == []
    assert (
        payload["expert"]["status"] == "SUSPENDED"
        and payload["expert"]["statusReason"] == "评审中违规"
    )
    until = date.fromisoformat(payload["expert"]["badRecordUntil"])
    assert until == recorded.replace(year=recorded.year + 3) - timedelta(days=1)
    again = await change_status(client, province, "reactivateExpert", expert_id)
    assert [e["code"] for e in again["errors"]] == ["EXPERT_BAD_RECORD"]
    for on, code in (
        (today() + timedelta(days=1), "INVALID_DATE"),
        (today().replace(year=today().year - 4), "BAD_RECORD_EXPIRED"),
    ):
        bad = await gql(
            client,
            BAD_RECORD,
            {"id": expert_id, "on": on.isoformat(), "reason": "x"},
            token=province,
        )
        assert bad["data"]["recordExpertBadRecord"]["errors"] == [
            {"field": "recordedOn", "code": code}
        ]
    assert "experts.record_bad_record" in await actions()


async def test_reveal_is_for_the_province_only_and_audited_with_its_reason(client, demo, catalogue):
    province = await login(client, "gd.admin")
    number = id_number(date(1975, 6, 12), sequence=456)
    expert_id = await registered(client, province, idNumber=number)
    for username in ("mz.admin", "xn.supervisor", "mz.expert"):
        result = await gql(
            client, REVEAL, {"id": expert_id, "reason": "核对"}, token=await login(client, username)
        )
        assert error_codes(result) == ["FORBIDDEN"] and result["data"] is None
    missing = await gql(client, REVEAL, {"id": expert_id, "reason": " "}, token=province)
    assert missing["data"]["revealExpertIdNumber"] == {
        "idNumber": None,
        "errors": [{"field": "reason", "code": "REASON_REQUIRED", "message": "请说明理由"}],
    }
    unknown = await gql(client, REVEAL, {"id": "987654", "reason": "核对"}, token=province)
    assert [e["code"] for e in unknown["data"]["revealExpertIdNumber"]["errors"]] == ["NOT_FOUND"]
    assert "experts.reveal_id_number" not in await actions()
    shown = await gql(
        client, REVEAL, {"id": expert_id, "reason": "投诉处理需核对身份"}, token=province
    )
    assert shown["data"]["revealExpertIdNumber"] == {"idNumber": number, "errors": []}
    with all_tenants("test: read the audit"):
        entry = (
            await AuditEntry.select().where(AuditEntry.action == "experts.reveal_id_number").first()
        )
    assert entry["object_id"] == expert_id and entry["detail"] == '{"reason":"投诉处理需核对身份"}'
    assert entry["actor_id"] is not None and number not in str(entry)


async def test_a_number_sealed_under_another_key_is_not_revealed(client, demo, catalogue):
    province = await login(client, "gd.admin")
    expert_id = await registered(client, province)
    await Expert.update({Expert.id_number_cipher: identity.seal("x", "z" * 48)}).where(
        Expert.id == int(expert_id)
    )
    result = await gql(client, REVEAL, {"id": expert_id, "reason": "核对"}, token=province)
    assert [e["code"] for e in result["data"]["revealExpertIdNumber"]["errors"]] == [
        "CANNOT_REVEAL"
    ]


async def test_update_corrects_fields_and_keeps_the_rules(client, demo, catalogue):
    province = await login(client, "gd.admin")
    expert_id = await registered(client, province, employerUscc=OTHER_USCC)
    first = await gql(
        client,
        UPDATE,
        {"id": expert_id, "input": {"titleLevel": "INTERMEDIATE", "yearsOfExperience": 5}},
        token=province,
    )
    assert [e["code"] for e in first["data"]["updateExpert"]["errors"]] == ["EXPERT_NOT_QUALIFIED"]
    corrected = id_number(date(1978, 2, 3), area="441424", sequence=77)
    payload = (
        await gql(
            client,
            UPDATE,
            {
                "id": expert_id,
                "input": {
                    "name": "示例专家丙",
                    "idNumber": corrected,
                    "titleLevel": "INTERMEDIATE",
                    "yearsOfExperience": 9,
                    "employerUscc": "",
                    "specialties": ["A02010104", "C0202"],
                    "regions": ["440000"],
                },
            },
            token=province,
        )
    )["data"]["updateExpert"]
    assert payload["errors"] == []
    expert = payload["expert"]
    assert (
        expert["name"] == "示例专家丙"
        and expert["idNumberMasked"] == f"441424********{corrected[-4:]}"
    )
    assert expert["birthDate"] == "1978-02-03" and expert["employerUscc"] is None
    assert expert["specialties"] == [
        {"categoryCode": "A02010104", "primary": True},
        {"categoryCode": "C0202", "primary": False},
    ]
    assert expert["regions"] == [{"regionCode": "440000"}]
    row = await Expert.select(Expert.id_number_digest).first()
    assert row["id_number_digest"] == identity.digest(corrected)
    other = await registered(client, province, idNumber=id_number(date(1980, 1, 1)))
    duplicate = await gql(
        client, UPDATE, {"id": other, "input": {"idNumber": corrected}}, token=province
    )
    assert [e["code"] for e in duplicate["data"]["updateExpert"]["errors"]] == [
        "DUPLICATE_ID_NUMBER"
    ]
    before = await actions()
    same = await gql(client, UPDATE, {"id": other, "input": {"name": "示例专家甲"}}, token=province)
    assert (
        same["data"]["updateExpert"]["errors"] == [] and await actions() == before
    )  # nothing changed
    for bad, code in (
        ({"specialties": []}, "SPECIALTIES_REQUIRED"),
        ({"regions": ["440300"]}, "UNKNOWN_REGION"),
    ):
        result = await gql(client, UPDATE, {"id": other, "input": bad}, token=province)
        assert [e["code"] for e in result["data"]["updateExpert"]["errors"]] == [code]
    forbidden = await gql(
        client,
        UPDATE,
        {"id": other, "input": {"name": "改名"}},
        token=await login(client, "mz.admin"),
    )
    assert error_codes(forbidden) == ["FORBIDDEN"]
    missing = await gql(client, UPDATE, {"id": "abc", "input": {"name": "改名"}}, token=province)
    assert missing["data"]["updateExpert"]["errors"] == [
        {"field": "id", "code": "NOT_FOUND", "message": "未找到专家 abc"}
    ]


async def test_link_account_checks_the_account(client, demo, catalogue):
    province = await login(client, "gd.admin")
    first = await registered(client, province)
    second = await registered(client, province, idNumber=id_number(date(1980, 1, 1)))
    cases = [("no.such.user", "NOT_FOUND"), ("xn.supplier", "NOT_AN_EXPERT_ACCOUNT")]
    for username, code in cases:
        result = await gql(client, LINK, {"id": first, "username": username}, token=province)
        assert result["data"]["linkExpertAccount"]["errors"] == [
            {"field": "username", "code": code}
        ]
    linked = await gql(client, LINK, {"id": first, "username": "XN.Expert"}, token=province)
    assert linked["data"]["linkExpertAccount"] == {"expert": {"hasAccount": True}, "errors": []}
    taken = await gql(client, LINK, {"id": second, "username": "xn.expert"}, token=province)
    assert taken["data"]["linkExpertAccount"]["errors"] == [
        {"field": "username", "code": "ACCOUNT_LINKED"}
    ]
    mine = await gql(client, "{ myExpert { id } }", token=await login(client, "xn.expert"))
    assert mine["data"]["myExpert"] == {"id": first}
    unlinked = await gql(client, LINK, {"id": first}, token=province)
    assert unlinked["data"]["linkExpertAccount"]["expert"] == {"hasAccount": False}
    assert (await gql(client, "{ myExpert { id } }", token=await login(client, "xn.expert")))[
        "data"
    ] == {"myExpert": None}
    assert (await actions()).count("experts.link_account") == 2


async def test_admins_and_supervisors_everywhere_read_the_masked_pool(client, demo, catalogue):
    province = await login(client, "gd.admin")
    number = id_number(date(1975, 6, 12))
    expert_id = await registered(client, province, idNumber=number)
    for username in ("gd.admin", "mz.admin", "xn.admin", "mz.supervisor", "xn.supervisor"):
        result = await gql(client, READ, {"id": expert_id}, token=await login(client, username))
        assert "errors" not in result, result
        assert result["data"]["expert"]["idNumberMasked"] == identity.mask(number)
        assert number not in str(result)
    for username in ("mz.purchaser", "xn.agency", "mz.supplier", "mz.bank", "mz.expert"):
        token = await login(client, username)
        assert error_codes(await gql(client, READ, {"id": expert_id}, token=token)) == ["FORBIDDEN"]
        listing = await gql(client, "{ experts { edges { node { id } } } }", token=token)
        assert error_codes(listing) == ["FORBIDDEN"]
    assert (await gql(client, READ, {"id": "99999"}, token=province))["data"]["expert"] is None
    assert (await gql(client, READ, {"id": "-1"}, token=province))["data"]["expert"] is None
