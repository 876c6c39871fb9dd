"""Who finds which agencies, with which details; search and pages."""

import pytest

from tests.integration.registries.agencies.helpers import (
    AGENCIES,
    AGENCY,
    MY_AGENCY,
    MZ_AGENCY,
    XN_AGENCY,
    add_room,
    decide,
    org_uscc,
    register,
)
from tests.support import error_codes, gql, login


async def setup(client) -> dict[str, str]:
    """xn: pending, works in Xingning; mz: approved, works in Meizhou only (with a room)."""
    xn = (await register(client))["agency"]["id"]
    mz = (await register(client, "mz.agency", tenants=["441400"]))["agency"]["id"]
    await decide(client, "approveAgency", mz)
    await add_room(client, await login(client, "mz.agency"), tenant="441400")
    return {"xn": xn, "mz": mz}


async def listing(client, username, **flt) -> dict[str, dict]:
    result = await gql(client, AGENCIES, {"filter": flt}, token=await login(client, username))
    assert "errors" not in result, result
    return {edge["node"]["name"]: edge["node"] for edge in result["data"]["agencies"]["edges"]}


@pytest.mark.parametrize(
    "username,visible,full",
    [
        ("gd.admin", {XN_AGENCY, MZ_AGENCY}, {XN_AGENCY, MZ_AGENCY}),
        ("mz.admin", {XN_AGENCY, MZ_AGENCY}, {XN_AGENCY, MZ_AGENCY}),  # Xingning is in Meizhou
        ("mz.supervisor", {XN_AGENCY, MZ_AGENCY}, {XN_AGENCY, MZ_AGENCY}),
        ("xn.admin", {XN_AGENCY, MZ_AGENCY}, {XN_AGENCY}),  # Meizhou's agency: approved, not here
        ("xn.supervisor", {XN_AGENCY, MZ_AGENCY}, {XN_AGENCY}),
        ("xn.agency", {XN_AGENCY, MZ_AGENCY}, {XN_AGENCY}),  # its own, pending
        ("mz.agency", {MZ_AGENCY}, {MZ_AGENCY}),  # not the other's pending registration
        ("xn.purchaser", {MZ_AGENCY}, set()),
        ("xn.supplier", {MZ_AGENCY}, set()),
        ("xn.expert", {MZ_AGENCY}, set()),
    ],
)
async def test_visibility_and_contacts_by_role(client, demo, username, visible, full):
    await setup(client)
    found = await listing(client, username)
    assert set(found) == visible
    for name, node in found.items():
        shown = node["contactPhone"] is not None
        assert shown == (name in full), (name, node)
        assert (node["rooms"] is not None) == shown and (node["caSerial"] is not None) == shown
        assert node["tenants"]  # where an agency works is never secret


async def test_one_agency_by_id_follows_the_same_rules(client, demo):
    ids = await setup(client)
    mz_agency = await login(client, "mz.agency")
    assert (await gql(client, AGENCY, {"id": ids["xn"]}, token=mz_agency))["data"]["agency"] is None
    xn_agency = await login(client, "xn.agency")
    other = (await gql(client, AGENCY, {"id": ids["mz"]}, token=xn_agency))["data"]["agency"]
    assert other["name"] == MZ_AGENCY and other["contactName"] is None and other["rooms"] is None
    purchaser = await login(client, "xn.purchaser")
    assert (await gql(client, AGENCY, {"id": ids["xn"]}, token=purchaser))["data"]["agency"] is None
    admin = (await gql(client, AGENCY, {"id": ids["mz"]}, token=await login(client, "mz.admin")))[
        "data"
    ]["agency"]
    assert admin["contactName"] == "招标部" and [r["name"] for r in admin["rooms"]] == [
        "第一评标室"
    ]
    for bad in ("987654", "abc"):
        assert (await gql(client, AGENCY, {"id": bad}, token=purchaser))["data"]["agency"] is None
    assert error_codes(await gql(client, AGENCY, {"id": ids["mz"]})) == ["UNAUTHENTICATED"]


async def test_my_agency_is_for_agency_users(client, demo):
    await setup(client)
    mine = (await gql(client, MY_AGENCY, token=await login(client, "mz.agency")))["data"][
        "myAgency"
    ]
    assert mine["name"] == MZ_AGENCY and mine["contactName"] == "招标部"
    assert error_codes(await gql(client, MY_AGENCY, token=await login(client, "xn.purchaser"))) == [
        "FORBIDDEN"
    ]


async def test_search_by_name_code_status_and_region(client, demo):
    await setup(client)
    assert set(await listing(client, "gd.admin", search="嘉应")) == {MZ_AGENCY}
    assert set(await listing(client, "gd.admin", search="%宁江")) == set()  # "%" is typed text
    assert set(await listing(client, "gd.admin", search="宁江招标")) == set()
    assert set(await listing(client, "gd.admin", search=(await org_uscc(XN_AGENCY)).lower())) == {
        XN_AGENCY
    }
    assert set(await listing(client, "gd.admin", status="PENDING")) == {XN_AGENCY}
    assert set(await listing(client, "xn.purchaser", status="PENDING")) == set()
    assert set(await listing(client, "gd.admin", worksIn="441481")) == {XN_AGENCY}
    assert set(await listing(client, "gd.admin", worksIn="441400")) == {MZ_AGENCY}
    assert set(await listing(client, "gd.admin", worksIn="441400", includeSubtree=True)) == {
        XN_AGENCY,
        MZ_AGENCY,
    }
    assert set(await listing(client, "gd.admin", worksIn="999999")) == set()
    too_long = await gql(
        client, AGENCIES, {"filter": {"search": "长" * 129}}, token=await login(client, "gd.admin")
    )
    assert error_codes(too_long) == ["INVALID_SEARCH"]


async def test_pages(client, demo):
    await setup(client)
    token = await login(client, "gd.admin")
    first = (await gql(client, AGENCIES, {"first": 1}, token=token))["data"]["agencies"]
    assert len(first["edges"]) == 1 and first["pageInfo"]["hasNextPage"] is True
    rest = await gql(
        client, AGENCIES, {"first": 1, "after": first["pageInfo"]["endCursor"]}, token=token
    )
    page = rest["data"]["agencies"]
    assert page["pageInfo"]["hasNextPage"] is False
    assert {e["node"]["name"] for e in first["edges"] + page["edges"]} == {XN_AGENCY, MZ_AGENCY}
    assert error_codes(await gql(client, AGENCIES, {"first": 101}, token=token)) == [
        "PAGE_SIZE_TOO_LARGE"
    ]
    assert error_codes(await gql(client, AGENCIES, {"after": "bogus"}, token=token)) == [
        "INVALID_CURSOR"
    ]
