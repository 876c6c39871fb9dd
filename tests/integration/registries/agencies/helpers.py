"""GraphQL operations and setup shared by the agency registry tests."""

from __future__ import annotations

from datetime import timedelta

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import today
from gpcloud.core.validation import uscc_check_char
from tests.support import gql, login

XN_AGENCY = "兴宁市宁江工程咨询有限公司"  # xn.agency's organisation, region 441481
MZ_AGENCY = "梅州嘉应招标代理有限公司"  # mz.agency's organisation, region 441400

AGENCY_FIELDS = """id name uscc status statusReason contactName contactPhone caSerial caIssuer
  caValidUntil decidedAt region { regionCode } tenants { regionCode }
  rooms { id kind name computers cameraResolution avMonitoring recordingRetained tenant { regionCode } }"""
REGISTER = f"""mutation($input: AgencyInput!) {{
  registerAgency(input: $input) {{ agency {{ {AGENCY_FIELDS} }} errors {{ field code message }} }}
}}"""
UPDATE = f"""mutation($input: AgencyInput!) {{
  updateMyAgency(input: $input) {{ agency {{ {AGENCY_FIELDS} }} errors {{ field code message }} }}
}}"""
DECIDE = """mutation($id: ID!, $reason: String!) {
  %s(id: $id, reason: $reason) { agency { id status statusReason decidedAt } errors { field code message } }
}"""
ROOM_FIELDS = "id agencyId kind name computers cameraResolution avMonitoring recordingRetained tenant { regionCode }"
ADD_ROOM = f"""mutation($input: AgencyRoomInput!) {{
  addAgencyRoom(input: $input) {{ room {{ {ROOM_FIELDS} }} errors {{ field code message }} }}
}}"""
UPDATE_ROOM = f"""mutation($id: ID!, $input: AgencyRoomInput!) {{
  updateAgencyRoom(id: $id, input: $input) {{ room {{ {ROOM_FIELDS} }} errors {{ field code message }} }}
}}"""
REMOVE_ROOM = f"""mutation($id: ID!) {{
  removeAgencyRoom(id: $id) {{ room {{ {ROOM_FIELDS} }} errors {{ field code message }} }}
}}"""
AGENCIES = f"""query($filter: AgencyFilter, $first: Int, $after: String) {{
  agencies(filter: $filter, first: $first, after: $after) {{
    edges {{ cursor node {{ {AGENCY_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }}
  }}
}}"""
AGENCY = f"query($id: ID!) {{ agency(id: $id) {{ {AGENCY_FIELDS} }} }}"
MY_AGENCY = f"{{ myAgency {{ {AGENCY_FIELDS} }} }}"
READINESS = """query($agency: ID!, $region: String!) {
  agencyReadiness(agencyId: $agency, regionCode: $region) {
    ready missing gaps { code message roomId } region { regionCode }
    agency { id name contactName }
    requirements { openingRoomRequired evaluationRoomRequired minComputersPerOpeningRoom
      minComputersPerEvaluationRoom minCameraResolution avMonitoringRequired avRecordingRetained }
  }
}"""
EDIT_CONFIG = """mutation($code: String!, $changes: [ConfigChangeInput!]!) {
  editTenantConfig(regionCode: $code, changes: $changes, reason: "提高代理机构场所要求") {
    config { editVersion } errors { field code message }
  }
}"""


def uscc(head17: str) -> str:
    return head17 + uscc_check_char(head17)


def later(days: int = 365) -> str:
    return (today() + timedelta(days=days)).isoformat()


def profile(**overrides) -> dict:
    values = {
        "contactName": "招标部",
        "contactPhone": "0753-3000001",
        "caSerial": "5B2C3D4E5F607182",
        "caIssuer": "广东数字证书认证中心",
        "caValidUntil": later(),
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not ...}


def errors(payload: dict) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


def gap_codes(readiness: dict) -> list[str]:
    return [g["code"] for g in readiness["gaps"]]


async def org_uscc(name: str) -> str:
    return (await Organisation.select(Organisation.uscc).where(Organisation.name == name).first())[
        "uscc"
    ]


async def register(client, username="xn.agency", **overrides) -> dict:
    token = await login(client, username)
    result = await gql(client, REGISTER, {"input": profile(**overrides)}, token=token)
    return result["data"]["registerAgency"]


async def decide(
    client, decision: str, agency_id: str, reason: str = "材料齐全", username="gd.admin"
) -> dict:
    token = await login(client, username)
    result = await gql(client, DECIDE % decision, {"id": agency_id, "reason": reason}, token=token)
    return result["data"][decision]


async def add_room(client, token, **values) -> dict:
    room = {
        "kind": "EVALUATION",
        "name": "第一评标室",
        "tenant": "441481",
        "computers": 8,
        "cameraResolution": 720,
        "avMonitoring": True,
        "recordingRetained": True,
    }
    room.update(values)
    return (await gql(client, ADD_ROOM, {"input": room}, token=token))["data"]["addAgencyRoom"]


async def ready_agency(client, username="xn.agency", tenant="441481", **overrides) -> str:
    """An approved agency with an opening and an evaluation room meeting the defaults in `tenant`."""
    registered = await register(client, username, tenants=[tenant], **overrides)
    assert registered["errors"] == [], registered["errors"]
    agency_id = registered["agency"]["id"]
    assert (await decide(client, "approveAgency", agency_id))["errors"] == []
    token = await login(client, username)
    for values in (
        {"kind": "OPENING", "name": "开标室", "tenant": tenant, "computers": 1},
        {"kind": "EVALUATION", "name": "评标室", "tenant": tenant, "computers": 8},
    ):
        added = await add_room(client, token, **values)
        assert added["errors"] == [], added["errors"]
    return agency_id


async def readiness(
    client, agency_id: str, region: str = "441481", username: str = "gd.admin"
) -> dict:
    token = await login(client, username)
    return await gql(client, READINESS, {"agency": agency_id, "region": region}, token=token)
