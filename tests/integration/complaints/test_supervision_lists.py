"""The finance department's lists of challenges and complaints through the API (issue 16,
supervision views): its region's and its sub-regions', a sibling county's nothing, a party
FORBIDDEN; filters by state, project, filing day and overdue narrow them; the XLSX export holds
the same rows. The platform's day is 2 Nov 2026: the second challenge (answer due 29 Oct) is
overdue."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.integration.complaints.support import answer, challenge, complain, complaint_world
from tests.integration.complaints.test_api import supervisor_of
from tests.support import data, drain_jobs, error_codes, gql, login

pytestmark = pytest.mark.day(date(2026, 11, 2))

CHALLENGES = """query($filter: ChallengeFilter) {
  supervisedChallenges(filter: $filter, first: 10) { edges { node { id status overdue } } } }"""
COMPLAINTS = """query($filter: ComplaintFilter) {
  supervisedComplaints(filter: $filter, first: 10) { edges { node { id status decisionDue } } } }"""
EXPORT = """mutation($filter: ChallengeFilter) {
  exportChallenges(filter: $filter) { job { id } errors { code } } }"""
EXPORT_COMPLAINTS = "mutation { exportComplaints { job { id } errors { code } } }"
JOB = "query($id: ID!) { job(id: $id) { status resultUrl } }"


@pytest.fixture
async def world(demo):
    world = await complaint_world()
    first = await challenge(world, date(2026, 10, 20))
    await answer(world, first["id"], date(2026, 10, 21))
    world["complaint"] = (await complain(world, first["id"], date(2026, 10, 22)))["id"]
    world["late"] = (await challenge(world, date(2026, 10, 20), who=world["other"]))["id"]
    world["answered"] = first["id"]
    return world


async def ids(client, token: str, query: str = CHALLENGES, **filters) -> list[int]:
    found = data(await gql(client, query, {"filter": filters or None}, token=token))
    key = "supervisedChallenges" if query == CHALLENGES else "supervisedComplaints"
    return [int(e["node"]["id"]) for e in found[key]["edges"]]


async def test_the_region_s_challenges_and_complaints_filtered(client, world):
    xn = await login(client, "xn.supervisor")
    both = sorted([world["answered"], world["late"]])
    assert await ids(client, xn) == both
    assert await ids(client, await login(client, "mz.supervisor")) == both  # the city
    sibling = await supervisor_of("441424")
    assert await ids(client, await login(client, sibling, "x" * 12)) == []
    assert await ids(client, xn, overdue=True) == [world["late"]]
    assert await ids(client, xn, overdue=False) == [world["answered"]]
    assert await ids(client, xn, status="COMPLAINED") == [world["answered"]]
    assert await ids(client, xn, filedTo="2026-10-19") == []
    assert await ids(client, xn, filedFrom="2026-10-20", projectId=str(world["project"])) == both
    assert await ids(client, xn, COMPLAINTS) == [world["complaint"]]
    assert await ids(client, xn, COMPLAINTS, overdue=True) == []
    bidder = await login(client, "gz.bidder1", "x" * 12)
    assert error_codes(await gql(client, CHALLENGES, {}, token=bidder)) == ["FORBIDDEN"]
    bad = await gql(
        client,
        CHALLENGES,
        {"filter": {"filedFrom": "2026-10-21", "filedTo": "2026-10-20"}},
        token=xn,
    )
    assert error_codes(bad) == ["INVALID_PERIOD"]


async def _download(client, token: str, started: dict) -> list:
    await drain_jobs()
    job = data(await gql(client, JOB, {"id": started["job"]["id"]}, token=token))["job"]
    assert job["status"] == "SUCCEEDED"
    response = await client.get(job["resultUrl"], headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return list(load_workbook(BytesIO(response.content)).active.values)


async def test_the_exports_hold_the_same_rows(client, world):
    token = await login(client, "mz.supervisor")
    started = data(await gql(client, EXPORT, {"filter": {"overdue": True}}, token=token))
    rows = await _download(client, token, started["exportChallenges"])
    assert rows[0][:4] == ("id", "region", "project", "supplier")
    [row] = rows[1:]
    assert (row[0], row[1], row[-2], row[-1]) == (world["late"], "441481", "claim", True)
    started = data(await gql(client, EXPORT_COMPLAINTS, token=token))
    rows = await _download(client, token, started["exportComplaints"])
    assert [r[0] for r in rows[1:]] == [world["complaint"]]
