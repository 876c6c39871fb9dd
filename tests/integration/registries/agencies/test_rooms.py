"""An agency keeps its own rooms; nobody else's."""

import pytest

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.agencies.tables import AgencyRoom
from tests.integration.registries.agencies.helpers import (
    ADD_ROOM,
    MY_AGENCY,
    REMOVE_ROOM,
    UPDATE_ROOM,
    add_room,
    decide,
    errors,
    register,
)
from tests.support import error_codes, gql, login


async def room_count() -> int:
    with all_tenants("test"):
        return await AgencyRoom.count()


async def test_rooms_are_added_changed_and_removed_with_audit(client, demo):
    agency_id = (await register(client))["agency"]["id"]
    await decide(client, "approveAgency", agency_id)
    token = await login(client, "xn.agency")
    added = await add_room(
        client, token, name="  第一评标室 ", cameraResolution=None, avMonitoring=None
    )
    assert added["errors"] == []
    room = added["room"]
    assert room["agencyId"] == agency_id and room["name"] == "第一评标室"
    assert (room["kind"], room["computers"], room["cameraResolution"], room["avMonitoring"]) == (
        "EVALUATION",
        8,
        0,
        False,
    )
    assert room["tenant"] == {"regionCode": "441481"}
    changed = (
        await gql(
            client,
            UPDATE_ROOM,
            {"id": room["id"], "input": {"computers": 10, "cameraResolution": 1080}},
            token=token,
        )
    )["data"]["updateAgencyRoom"]
    assert changed["errors"] == []
    assert (
        changed["room"]["computers"],
        changed["room"]["cameraResolution"],
        changed["room"]["name"],
    ) == (10, 1080, "第一评标室")
    mine = (await gql(client, MY_AGENCY, token=token))["data"]["myAgency"]
    assert mine["status"] == "APPROVED"  # rooms never change the status
    assert [r["computers"] for r in mine["rooms"]] == [10]
    removed = (await gql(client, REMOVE_ROOM, {"id": room["id"]}, token=token))["data"][
        "removeAgencyRoom"
    ]
    assert removed["errors"] == [] and removed["room"]["id"] == room["id"]
    assert await room_count() == 0
    again = (await gql(client, REMOVE_ROOM, {"id": room["id"]}, token=token))["data"][
        "removeAgencyRoom"
    ]
    assert errors(again) == [(None, "NOT_FOUND")]
    with all_tenants("test"):
        entries = (
            await AuditEntry.select(AuditEntry.action, AuditEntry.tenant_id)
            .where(AuditEntry.object_type == "agency_room")
            .order_by(AuditEntry.id)
        )
    assert [(e["action"], e["tenant_id"]) for e in entries] == [
        ("agencies.add_room", "441481"),
        ("agencies.update_room", "441481"),
        ("agencies.remove_room", "441481"),
    ]


@pytest.mark.parametrize(
    "values,expected",
    [
        ({"computers": -1}, ("computers", "INVALID_COMPUTERS")),
        ({"computers": 10_001}, ("computers", "INVALID_COMPUTERS")),
        ({"cameraResolution": -720}, ("cameraResolution", "INVALID_CAMERA_RESOLUTION")),
        ({"cameraResolution": 100_000}, ("cameraResolution", "INVALID_CAMERA_RESOLUTION")),
        ({"name": "   "}, ("name", "INVALID_NAME")),
        ({"name": "室" * 65}, ("name", "INVALID_NAME")),
        ({"kind": None}, ("kind", "REQUIRED")),
        ({"computers": None}, ("computers", "REQUIRED")),
        ({"tenant": None}, ("tenant", "REQUIRED")),
        ({"tenant": "441424"}, ("tenant", "TENANT_NOT_LISTED")),
        ({"tenant": "440300"}, ("tenant", "TENANT_NOT_LISTED")),
        ({"tenant": "x" * 10_000}, ("tenant", "TENANT_NOT_LISTED")),
    ],
)
async def test_bad_rooms_are_refused(client, demo, values, expected):
    await register(client)
    payload = await add_room(client, await login(client, "xn.agency"), **values)
    assert payload["room"] is None and expected in errors(payload)
    assert await room_count() == 0


async def test_room_names_are_unique_per_agency(client, demo):
    await register(client)
    await register(client, "mz.agency", tenants=["441481"])
    xn, mz = await login(client, "xn.agency"), await login(client, "mz.agency")
    first = await add_room(client, xn, name="评标室")
    assert first["errors"] == []
    assert errors(await add_room(client, xn, name="评标室", kind="OPENING")) == [
        ("name", "DUPLICATE_ROOM_NAME")
    ]
    assert (await add_room(client, mz, name="评标室"))["errors"] == []  # another agency may
    second = (await add_room(client, xn, name="小评标室"))["room"]
    renamed = await gql(
        client, UPDATE_ROOM, {"id": second["id"], "input": {"name": "评标室"}}, token=xn
    )
    assert errors(renamed["data"]["updateAgencyRoom"]) == [("name", "DUPLICATE_ROOM_NAME")]


async def test_a_huge_number_of_computers_is_a_graphql_error_not_a_crash(client, demo):
    await register(client)
    result = await gql(
        client,
        ADD_ROOM,
        {"input": {"kind": "OPENING", "name": "开标室", "tenant": "441481", "computers": 2**40}},
        token=await login(client, "xn.agency"),
    )
    assert result["data"] is None and result["errors"]
    assert "INTERNAL" not in error_codes(result)
    bad_kind = await gql(
        client, ADD_ROOM, {"input": {"kind": "KITCHEN"}}, token=await login(client, "xn.agency")
    )
    assert bad_kind["data"] is None and "INTERNAL" not in error_codes(bad_kind)
    assert await room_count() == 0


async def test_another_agencys_rooms_are_not_found(client, demo):
    await register(client)
    await register(client, "mz.agency", tenants=["441400"])
    xn, mz = await login(client, "xn.agency"), await login(client, "mz.agency")
    room = (await add_room(client, xn))["room"]
    for query, variables in (
        (UPDATE_ROOM, {"id": room["id"], "input": {"computers": 0}}),
        (REMOVE_ROOM, {"id": room["id"]}),
    ):
        payload = next(iter((await gql(client, query, variables, token=mz))["data"].values()))
        assert errors(payload) == [(None, "NOT_FOUND")]
    with all_tenants("test"):
        assert (await AgencyRoom.select(AgencyRoom.computers).first())["computers"] == 8


async def test_only_agency_users_keep_rooms(client, demo):
    await register(client)
    for username in ("xn.admin", "gd.admin", "xn.purchaser"):
        result = await gql(
            client,
            ADD_ROOM,
            {"input": {"kind": "OPENING", "name": "开标室", "tenant": "441481", "computers": 1}},
            token=await login(client, username),
        )
        assert error_codes(result) == ["FORBIDDEN"]
    unregistered = await add_room(client, await login(client, "mz.agency"))
    assert errors(unregistered) == [(None, "NOT_FOUND")]
    assert await room_count() == 0


async def test_the_same_room_added_twice_at_once_is_added_once(client, demo):
    import asyncio

    await register(client)
    token = await login(client, "xn.agency")
    results = await asyncio.gather(*(add_room(client, token, name="评标室") for _ in range(3)))
    assert sorted(errors(r)[0][1] if r["errors"] else "OK" for r in results) == [
        "DUPLICATE_ROOM_NAME",
        "DUPLICATE_ROOM_NAME",
        "OK",
    ]
    assert await room_count() == 1
