"""An expert applies for the pool and keeps their own phone, leave and avoidance relations;
another expert's record is simply not found."""

from datetime import date, timedelta

import pytest

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.clock import today
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.experts.tables import Expert, ExpertAvoidance, ExpertLeave
from tests.integration.registries.experts.conftest import (
    SUPPLIER_USCC,
    apply,
    born_years_ago,
    id_number,
    registered,
)
from tests.support import error_codes, gql, login

PHONE = """mutation($id: ID!, $phone: String!) {
  setExpertPhone(id: $id, phone: $phone) { expert { phone } errors { field code } }
}"""
ADD_LEAVE = """mutation($id: ID!, $input: ExpertLeaveInput!) {
  addExpertLeave(expertId: $id, input: $input) { leave { id expertId startDate endDate reason } errors { field code } }
}"""
REMOVE_LEAVE = (
    """mutation($id: ID!) { removeExpertLeave(id: $id) { leave { id } errors { field code } } }"""
)
ADD_AVOIDANCE = """mutation($id: ID!, $input: ExpertAvoidanceInput!) {
  addExpertAvoidance(expertId: $id, input: $input) {
    avoidance { id organisationName organisationUscc relation startDate endDate } errors { field code }
  }
}"""
UPDATE_AVOIDANCE = """mutation($id: ID!, $input: ExpertAvoidanceInput!) {
  updateExpertAvoidance(id: $id, input: $input) { avoidance { id endDate } errors { field code } }
}"""
REMOVE_AVOIDANCE = """mutation($id: ID!, $reason: String!) {
  removeExpertAvoidance(id: $id, reason: $reason) { avoidance { id } errors { field code } }
}"""
MINE = "{ myExpert { id status phone leaves { startDate endDate } avoidances { organisationName relation } } }"


def day(offset: int) -> str:
    return (today() + timedelta(days=offset)).isoformat()


def avoidance(**overrides) -> dict:
    values = {
        "organisationName": "兴宁市合水电子科技有限公司",
        "organisationUscc": SUPPLIER_USCC,
        "relation": "SHAREHOLDER",
        "startDate": day(-400),
    }
    values.update(overrides)
    return values


@pytest.fixture
async def experts(client, demo, catalogue):
    """mz.expert and xn.expert with records of their own: {username: (token, expert id)}."""
    made = {}
    for i, username in enumerate(("mz.expert", "xn.expert")):
        token = await login(client, username)
        payload = await apply(
            client, token, idNumber=id_number(date(1970 + i, 5, 5)), name=f"示例专家{i}"
        )
        assert payload["errors"] == [], payload["errors"]
        made[username] = (token, payload["expert"]["id"])
    return made


async def test_an_expert_applies_for_themselves_once(client, demo, catalogue):
    token = await login(client, "mz.expert")
    payload = await apply(client, token, employer=None)
    assert payload["errors"] == []
    assert payload["expert"]["status"] == "PENDING" and payload["expert"]["hasAccount"] is True
    # The employer defaults to the account's organisation (嘉应学院 in the demo).
    assert payload["expert"]["employer"] == "嘉应学院" and payload["expert"][
        "employerUscc"
    ].startswith("12441400")
    again = await apply(client, token, idNumber=id_number(date(1981, 1, 1)))
    assert [e["code"] for e in again["errors"]] == ["ALREADY_REGISTERED"]
    mine = await gql(client, MINE, token=token)
    assert mine["data"]["myExpert"]["id"] == payload["expert"]["id"]
    assert mine["data"]["myExpert"]["status"] == "PENDING"


async def test_an_application_meets_the_entry_rules_and_cannot_take_a_registered_number(
    client, demo, catalogue
):
    province = await login(client, "gd.admin")
    taken = id_number(date(1975, 6, 12), sequence=9)
    await registered(client, province, idNumber=taken)
    token = await login(client, "xn.expert")
    cases = [
        ({"idNumber": taken}, ("idNumber", "DUPLICATE_ID_NUMBER")),
        ({"idNumber": id_number(born_years_ago(71))}, ("idNumber", "EXPERT_TOO_OLD")),
        (
            {"titleLevel": "INTERMEDIATE", "yearsOfExperience": 2},
            ("yearsOfExperience", "EXPERT_NOT_QUALIFIED"),
        ),
        ({"specialties": ["Z99"]}, ("specialties", "UNKNOWN_CATEGORY")),
    ]
    for overrides, expected in cases:
        payload = await apply(client, token, **overrides)
        assert expected in [(e["field"], e["code"]) for e in payload["errors"]], payload["errors"]
    assert await Expert.count() == 1
    for username in ("mz.admin", "xn.supplier", "gd.admin"):
        result = await gql(
            client,
            "mutation($i: ExpertApplicationInput!) { applyAsExpert(input: $i) { errors { code } } }",
            {
                "i": {
                    "name": "示例",
                    "idNumber": id_number(date(1980, 1, 1)),
                    "titleLevel": "SENIOR",
                    "yearsOfExperience": 1,
                    "specialties": ["A"],
                    "regions": ["441400"],
                }
            },
            token=await login(client, username),
        )
        assert error_codes(result) == ["FORBIDDEN"]


async def test_phone_is_kept_by_the_expert_or_the_province(client, experts):
    token, own = experts["mz.expert"]
    _, other = experts["xn.expert"]
    assert (await gql(client, PHONE, {"id": own, "phone": "0753-2345678"}, token=token))["data"][
        "setExpertPhone"
    ] == {"expert": {"phone": "0753-2345678"}, "errors": []}
    bad = await gql(client, PHONE, {"id": own, "phone": "110"}, token=token)
    assert bad["data"]["setExpertPhone"]["errors"] == [{"field": "phone", "code": "INVALID_PHONE"}]
    theirs = await gql(client, PHONE, {"id": other, "phone": "13900000000"}, token=token)
    assert theirs["data"]["setExpertPhone"] == {
        "expert": None,
        "errors": [{"field": None, "code": "NOT_FOUND"}],
    }
    province = await login(client, "gd.admin")
    assert (await gql(client, PHONE, {"id": other, "phone": "13900000000"}, token=province))[
        "data"
    ]["setExpertPhone"]["errors"] == []
    city = await gql(
        client, PHONE, {"id": other, "phone": "13900000001"}, token=await login(client, "mz.admin")
    )
    assert error_codes(city) == ["FORBIDDEN"]
    phones = {r["id"]: r["phone"] for r in await Expert.select(Expert.id, Expert.phone)}
    assert phones == {int(own): "0753-2345678", int(other): "13900000000"}


async def test_leave_periods(client, experts):
    token, own = experts["mz.expert"]
    _, other = experts["xn.expert"]
    added = await gql(
        client,
        ADD_LEAVE,
        {"id": own, "input": {"startDate": day(3), "endDate": day(10), "reason": "出国访问"}},
        token=token,
    )
    leave = added["data"]["addExpertLeave"]["leave"]
    assert added["data"]["addExpertLeave"]["errors"] == [] and leave["expertId"] == own
    one_day = await gql(
        client,
        ADD_LEAVE,
        {"id": own, "input": {"startDate": day(0), "endDate": day(0)}},
        token=token,
    )
    assert one_day["data"]["addExpertLeave"]["errors"] == []
    cases = [
        ({"startDate": day(5), "endDate": day(4)}, ("endDate", "INVALID_PERIOD")),
        ({"startDate": day(-5), "endDate": day(-1)}, ("endDate", "LEAVE_IN_PAST")),
        ({"startDate": day(10), "endDate": day(20)}, ("startDate", "LEAVE_OVERLAPS")),
        ({"startDate": day(-3), "endDate": day(3)}, ("startDate", "LEAVE_OVERLAPS")),
        (
            {"startDate": day(30), "endDate": day(31), "reason": "因" * 201},
            ("reason", "INVALID_REASON"),
        ),
    ]
    for values, expected in cases:
        result = await gql(client, ADD_LEAVE, {"id": own, "input": values}, token=token)
        assert result["data"]["addExpertLeave"]["errors"] == [
            dict(zip(("field", "code"), expected, strict=True))
        ]
    theirs = await gql(
        client,
        ADD_LEAVE,
        {"id": other, "input": {"startDate": day(1), "endDate": day(2)}},
        token=token,
    )
    assert theirs["data"]["addExpertLeave"] == {
        "leave": None,
        "errors": [{"field": None, "code": "NOT_FOUND"}],
    }
    assert await ExpertLeave.count() == 2
    # xn.expert cannot remove mz.expert's leave; mz.expert can.
    xn_token = experts["xn.expert"][0]
    refused = await gql(client, REMOVE_LEAVE, {"id": leave["id"]}, token=xn_token)
    assert refused["data"]["removeExpertLeave"]["errors"] == [{"field": None, "code": "NOT_FOUND"}]
    removed = await gql(client, REMOVE_LEAVE, {"id": leave["id"]}, token=token)
    assert removed["data"]["removeExpertLeave"] == {"leave": {"id": leave["id"]}, "errors": []}
    mine = (await gql(client, MINE, token=token))["data"]["myExpert"]
    assert mine["leaves"] == [{"startDate": day(0), "endDate": day(0)}]
    with all_tenants("test: read the audit"):
        audited = [
            r["action"]
            for r in await AuditEntry.select(AuditEntry.action)
            .where(AuditEntry.object_type == "expert_leave")
            .order_by(AuditEntry.id)
        ]
    assert audited == ["experts.add_leave", "experts.add_leave", "experts.remove_leave"]


async def test_avoidance_relations(client, experts):
    token, own = experts["mz.expert"]
    xn_token, other = experts["xn.expert"]
    added = await gql(client, ADD_AVOIDANCE, {"id": own, "input": avoidance()}, token=token)
    assert added["data"]["addExpertAvoidance"]["errors"] == []
    relation = added["data"]["addExpertAvoidance"]["avoidance"]
    assert relation["relation"] == "SHAREHOLDER" and relation["endDate"] is None
    cases = [
        (avoidance(), ("organisationName", "DUPLICATE_AVOIDANCE")),
        (avoidance(startDate=day(-10), endDate=day(-11)), ("endDate", "INVALID_PERIOD")),
        (avoidance(startDate=day(1)), ("startDate", "INVALID_DATE")),
        (
            avoidance(
                organisationUscc=SUPPLIER_USCC[:17] + ("0" if SUPPLIER_USCC[17] != "0" else "1")
            ),
            ("organisationUscc", "INVALID_USCC"),
        ),
        (avoidance(organisationName="兴"), ("organisationName", "INVALID_NAME")),
        (avoidance(organisationName="兴" * 129), ("organisationName", "INVALID_NAME")),
        (avoidance(relation="OTHER", note="注" * 201), ("note", "INVALID_NOTE")),
    ]
    for values, expected in cases:
        result = await gql(client, ADD_AVOIDANCE, {"id": own, "input": values}, token=token)
        assert result["data"]["addExpertAvoidance"]["errors"] == [
            dict(zip(("field", "code"), expected, strict=True))
        ]
    without_code = await gql(
        client,
        ADD_AVOIDANCE,
        {
            "id": own,
            "input": avoidance(
                organisationName="梅州市示例科技有限公司",
                organisationUscc=None,
                relation="RELATIVE_OF_LEGAL_REPRESENTATIVE",
                startDate=day(-3000),
                endDate=day(-2000),
            ),
        },
        token=token,
    )
    assert without_code["data"]["addExpertAvoidance"]["errors"] == []
    theirs = await gql(client, ADD_AVOIDANCE, {"id": other, "input": avoidance()}, token=token)
    assert theirs["data"]["addExpertAvoidance"]["errors"] == [{"field": None, "code": "NOT_FOUND"}]
    ended = await gql(
        client,
        UPDATE_AVOIDANCE,
        {"id": relation["id"], "input": avoidance(endDate=day(-1))},
        token=token,
    )
    assert ended["data"]["updateExpertAvoidance"] == {
        "avoidance": {"id": relation["id"], "endDate": day(-1)},
        "errors": [],
    }
    for mutation, variables in (
        (UPDATE_AVOIDANCE, {"id": relation["id"], "input": avoidance()}),
        (REMOVE_AVOIDANCE, {"id": relation["id"], "reason": "误填"}),
    ):
        refused = await gql(client, mutation, variables, token=xn_token)
        assert list(refused["data"].values())[0]["errors"] == [{"field": None, "code": "NOT_FOUND"}]
    no_reason = await gql(
        client, REMOVE_AVOIDANCE, {"id": relation["id"], "reason": ""}, token=token
    )
    assert no_reason["data"]["removeExpertAvoidance"]["errors"] == [
        {"field": "reason", "code": "REASON_REQUIRED"}
    ]
    removed = await gql(
        client, REMOVE_AVOIDANCE, {"id": relation["id"], "reason": "误填"}, token=token
    )
    assert removed["data"]["removeExpertAvoidance"]["errors"] == []
    assert await ExpertAvoidance.count() == 1
    province = await login(client, "gd.admin")
    by_province = await gql(
        client,
        ADD_AVOIDANCE,
        {"id": other, "input": avoidance(relation="EMPLOYER")},
        token=province,
    )
    assert by_province["data"]["addExpertAvoidance"]["errors"] == []
    for username in ("mz.admin", "mz.supervisor", "xn.supplier"):
        result = await gql(
            client,
            ADD_AVOIDANCE,
            {"id": other, "input": avoidance()},
            token=await login(client, username),
        )
        assert error_codes(result) == ["FORBIDDEN"]
    with all_tenants("test: read the audit"):
        audited = [
            r["action"]
            for r in await AuditEntry.select(AuditEntry.action)
            .where(AuditEntry.object_type == "expert_avoidance")
            .order_by(AuditEntry.id)
        ]
    assert audited == [
        "experts.add_avoidance",
        "experts.add_avoidance",
        "experts.update_avoidance",
        "experts.remove_avoidance",
        "experts.add_avoidance",
    ]


async def test_an_unlinked_expert_role_reaches_no_record(client, demo, catalogue):
    province = await login(client, "gd.admin")
    expert_id = await registered(client, province)
    token = await login(client, "mz.expert")
    assert (await gql(client, MINE, token=token))["data"] == {"myExpert": None}
    result = await gql(
        client,
        ADD_LEAVE,
        {"id": expert_id, "input": {"startDate": day(1), "endDate": day(2)}},
        token=token,
    )
    assert result["data"]["addExpertLeave"]["errors"] == [{"field": None, "code": "NOT_FOUND"}]
