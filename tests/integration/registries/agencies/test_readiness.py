"""Readiness: an agency against a tenant's requirements (seed 三(一)), as tenants configure them."""

from datetime import date

import pytest

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.agencies import demo as agency_demo
from gpcloud.registries.agencies.tables import Agency, AgencyRoom
from tests.integration.registries.agencies.helpers import (
    EDIT_CONFIG,
    MZ_AGENCY,
    UPDATE,
    UPDATE_ROOM,
    XN_AGENCY,
    add_room,
    decide,
    gap_codes,
    readiness,
    ready_agency,
    register,
)
from tests.support import error_codes, gql, login

DEFAULTS = {
    "openingRoomRequired": True,
    "evaluationRoomRequired": True,
    "minComputersPerOpeningRoom": 1,
    "minComputersPerEvaluationRoom": 8,
    "minCameraResolution": 720,
    "avMonitoringRequired": True,
    "avRecordingRetained": True,
}


async def check(client, agency_id, region="441481", username="gd.admin") -> dict:
    result = await readiness(client, agency_id, region, username)
    assert "errors" not in result, result
    return result["data"]["agencyReadiness"]


async def room_id(name: str) -> str:
    with all_tenants("test"):
        return str(
            (await AgencyRoom.select(AgencyRoom.id).where(AgencyRoom.name == name).first())["id"]
        )


async def change_room(client, name: str, **values) -> None:
    token = await login(client, "xn.agency")
    result = await gql(
        client, UPDATE_ROOM, {"id": await room_id(name), "input": values}, token=token
    )
    assert result["data"]["updateAgencyRoom"]["errors"] == []


async def test_an_agency_meeting_the_defaults_is_ready(client, demo):
    agency_id = await ready_agency(client)
    result = await check(client, agency_id)
    assert result["ready"] is True and result["missing"] == [] and result["gaps"] == []
    assert result["requirements"] == DEFAULTS
    assert result["region"] == {"regionCode": "441481"}
    assert result["agency"]["name"] == XN_AGENCY


@pytest.mark.parametrize(
    "room,changes,code,message",
    [
        (
            "开标室",
            {"computers": 0},
            "OPENING_ROOM_COMPUTERS",
            "开标室“开标室”有计算机 0 台，少于要求的 1 台",
        ),
        (
            "评标室",
            {"computers": 6},
            "EVALUATION_ROOM_COMPUTERS",
            "评标室“评标室”有计算机 6 台，少于要求的 8 台",
        ),
        (
            "评标室",
            {"cameraResolution": 480},
            "CAMERA_RESOLUTION",
            "评标室“评标室”摄像头分辨率 480P，低于要求的 720P",
        ),
        (
            "评标室",
            {"cameraResolution": 0},
            "CAMERA_RESOLUTION",
            "评标室“评标室”计算机未配备摄像头（要求 720P 及以上）",
        ),
        (
            "开标室",
            {"avMonitoring": False},
            "AV_MONITORING",
            "开标室“开标室”未实现全程无死角音视频监控",
        ),
        (
            "评标室",
            {"recordingRetained": False},
            "RECORDING_NOT_RETAINED",
            "评标室“评标室”音视频资料未由代理机构存储并随时可调用",
        ),
    ],
)
async def test_each_room_shortfall_is_named(client, demo, room, changes, code, message):
    agency_id = await ready_agency(client)
    await change_room(client, room, **changes)
    result = await check(client, agency_id)
    assert result["ready"] is False
    assert result["missing"] == [message]
    assert result["gaps"] == [{"code": code, "message": message, "roomId": await room_id(room)}]
    with all_tenants("test"):
        assert (await Agency.select(Agency.status).first())[
            "status"
        ] == "approved"  # still approved


async def test_an_opening_room_in_the_wrong_kind_or_region_does_not_count(client, demo):
    agency_id = await ready_agency(client)
    await change_room(client, "开标室", kind="EVALUATION")
    assert gap_codes(await check(client, agency_id)) == ["OPENING_ROOM_MISSING"]
    assert (await check(client, agency_id))["missing"] == ["在兴宁市没有独立的开标室"]
    token = await login(client, "xn.agency")
    await gql(client, UPDATE, {"input": {"tenants": ["441481", "441400"]}}, token=token)
    await change_room(client, "评标室", tenant="441400")
    await change_room(client, "开标室", kind="OPENING", tenant="441400")
    assert gap_codes(await check(client, agency_id)) == [
        "OPENING_ROOM_MISSING",
        "EVALUATION_ROOM_MISSING",
    ]
    assert (await check(client, agency_id, "441400"))["ready"] is True


async def test_one_good_evaluation_room_is_enough_but_every_camera_counts(client, demo):
    agency_id = await ready_agency(client)
    token = await login(client, "xn.agency")
    assert (await add_room(client, token, name="小评标室", computers=4, cameraResolution=1080))[
        "errors"
    ] == []
    assert (await check(client, agency_id))["ready"] is True
    await change_room(client, "小评标室", cameraResolution=480)
    assert gap_codes(await check(client, agency_id)) == ["CAMERA_RESOLUTION"]


async def test_a_pending_or_suspended_agency_is_not_ready(client, demo):
    registered = await register(client)
    pending = await check(client, registered["agency"]["id"])
    assert "NOT_APPROVED" in gap_codes(pending)
    assert "代理机构尚未通过省财政厅审核（当前状态：待审核）" in pending["missing"]
    agency_id = registered["agency"]["id"]
    await decide(client, "approveAgency", agency_id)
    token = await login(client, "xn.agency")
    for values in ({"kind": "OPENING", "name": "开标室", "computers": 1}, {"name": "评标室"}):
        await add_room(client, token, **values)
    assert (await check(client, agency_id))["ready"] is True
    await decide(client, "suspendAgency", agency_id, "暂停")
    assert gap_codes(await check(client, agency_id)) == ["NOT_APPROVED"]


async def test_the_region_must_be_listed(client, demo):
    agency_id = await ready_agency(client)
    result = await check(client, agency_id, "441424")
    assert gap_codes(result)[:1] == ["TENANT_NOT_LISTED"]
    assert result["missing"][0] == "代理机构未将五华县列为业务地区"


async def test_the_ca_must_be_valid_today(client, demo):
    agency_id = await ready_agency(client, caSerial=..., caIssuer=..., caValidUntil=...)
    result = await check(client, agency_id)
    assert gap_codes(result) == ["CA_MISSING"] and result["missing"] == ["未办理 CA 证书"]
    with all_tenants("test: the certificate expired since it was recorded"):
        await Agency.update(
            {
                Agency.ca_serial: "5B2C3D4E",
                Agency.ca_issuer: "示例CA",
                Agency.ca_valid_until: date(2021, 6, 30),
            }
        ).where(Agency.id == int(agency_id))
    result = await check(client, agency_id)
    assert gap_codes(result) == ["CA_EXPIRED"] and result["missing"] == [
        "CA 证书已于 2021-06-30 过期"
    ]
    token = await login(client, "xn.agency")
    renewed = await gql(client, UPDATE, {"input": {"caValidUntil": "2099-12-31"}}, token=token)
    assert renewed["data"]["updateMyAgency"]["agency"]["status"] == "APPROVED"
    assert (await check(client, agency_id))["ready"] is True


async def edit(client, username, region, **changes):
    variables = {
        "code": region,
        "changes": [{"path": f"agency_readiness.{k}", "value": v} for k, v in changes.items()],
    }
    result = await gql(client, EDIT_CONFIG, variables, token=await login(client, username))
    assert result["data"]["editTenantConfig"]["errors"] == [], result


async def test_a_tenant_that_tightens_its_requirements_changes_the_answer(client, demo):
    agency_id = await ready_agency(client)
    assert (await check(client, agency_id))["ready"] is True
    await edit(
        client,
        "xn.admin",
        "441481",
        min_computers_per_evaluation_room=10,
        min_camera_resolution=1080,
    )
    result = await check(client, agency_id)
    assert result["requirements"]["minComputersPerEvaluationRoom"] == 10
    assert result["requirements"]["minCameraResolution"] == 1080
    assert result["missing"] == [
        "评标室“评标室”有计算机 8 台，少于要求的 10 台",
        "评标室“评标室”摄像头分辨率 720P，低于要求的 1080P",
    ]
    await change_room(client, "评标室", computers=10, cameraResolution=1080)
    assert (await check(client, agency_id))["ready"] is True


async def test_a_city_requirement_reaches_its_counties(client, demo):
    agency_id = await ready_agency(client)
    await edit(client, "mz.admin", "441400", min_computers_per_opening_room=2)
    result = await check(client, agency_id)
    assert result["requirements"]["minComputersPerOpeningRoom"] == 2
    assert gap_codes(result) == ["OPENING_ROOM_COMPUTERS"]


async def test_who_may_ask(client, demo):
    xn = await ready_agency(client)
    mz = (await register(client, "mz.agency", tenants=["441400"]))["agency"]["id"]
    assert (await check(client, xn, username="xn.agency"))["ready"] is True
    assert (await check(client, xn, username="xn.admin"))["agency"]["name"] == XN_AGENCY
    assert (await check(client, xn, username="mz.supervisor"))["ready"] is True
    chosen = await check(client, xn, username="xn.purchaser")  # choosing an agency
    assert chosen["ready"] is True and chosen["agency"]["contactName"] is None
    assert (await check(client, xn, username="xn.admin"))["agency"]["contactName"] == "招标部"
    assert (await check(client, mz, "441400", username="mz.agency"))[
        "ready"
    ] is False  # its own, anywhere
    assert (await check(client, mz, "441481", username="mz.agency"))["ready"] is False
    cases = [
        (xn, "441481", "mz.agency", "NOT_FOUND"),  # another agency
        (mz, "441400", "mz.purchaser", "NOT_FOUND"),  # not approved: not for purchasers
        (mz, "441400", "xn.admin", "NOT_FOUND"),  # works outside Xingning
        (xn, "441400", "xn.purchaser", "TENANT_NOT_FOUND"),  # outside the caller's region
        (xn, "999999", "gd.admin", "TENANT_NOT_FOUND"),
        (xn, "441481", "xn.supplier", "FORBIDDEN"),
        (xn, "441481", "xn.expert", "FORBIDDEN"),
        ("987654", "441481", "gd.admin", "NOT_FOUND"),
    ]
    for agency_id, region, username, code in cases:
        assert error_codes(await readiness(client, agency_id, region, username)) == [code], (
            username,
            region,
        )


async def test_the_demo_agencies_show_both_answers(client, demo):
    await agency_demo.seed()
    await agency_demo.seed()  # idempotent
    with all_tenants("test"):
        ids = {
            r["name"]: str(r["id"])
            for r in await Agency.select(Agency.id, Agency.organisation.name.as_alias("name"))
        }
        assert await AgencyRoom.count() == 6
    assert set(ids) == {MZ_AGENCY, XN_AGENCY}
    assert (await check(client, ids[MZ_AGENCY]))["ready"] is True
    assert (await check(client, ids[MZ_AGENCY], "441400"))["ready"] is True
    missing = await check(client, ids[XN_AGENCY])
    assert gap_codes(missing) == [
        "CA_EXPIRED",
        "EVALUATION_ROOM_COMPUTERS",
        "RECORDING_NOT_RETAINED",
        "CAMERA_RESOLUTION",
    ]
    assert "评标室“宁江评标室”有计算机 6 台，少于要求的 8 台" in missing["missing"]


async def test_the_demo_seed_skips_missing_organisations(client):
    await agency_demo.seed()
    with all_tenants("test"):
        assert await Agency.count() == 0 and await Organisation.count() == 0
