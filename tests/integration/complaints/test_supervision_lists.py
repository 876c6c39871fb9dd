"""The finance department's lists of challenges and complaints through the API (issue 16,
supervision views): its region's and its sub-regions', a sibling county's nothing, a party
FORBIDDEN; filters by state, project, filing day and overdue narrow them; the XLSX export holds
the same rows. The platform's day is 2 Nov 2026: the second challenge (answer due 29 Oct) is
overdue. The suspensions' XLSX export is the region's likewise: another city's supervisor gets
none and may not name the region, a supplier may not export."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from gpcloud.complaints.service import suspensions
from tests.integration.complaints.support import (
    answer,
    call,
    challenge,
    complain,
    complaint_world,
)
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
EXPORT_SUSPENSIONS = """mutation($projectId: ID, $status: SuspensionStatus, $tenant: String) {
  exportSuspensions(projectId: $projectId, status: $status, tenant: $tenant) {
    job { id } errors { code field } } }"""
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


@pytest.fixture
async def suspended(world):
    """The complaint's procurement suspended on 23 Oct, lifted on 26 Oct, suspended again on
    27 Oct (still active)."""
    dept = world["department"]

    def suspend(days: int, day: date):
        return call(dept, day, lambda: suspensions.suspend(dept, world["complaint"], days, "调查"))

    world["lifted"] = (await suspend(10, date(2026, 10, 23)))["id"]
    await call(dept, date(2026, 10, 26), lambda: suspensions.lift(dept, world["lifted"]))
    world["active"] = (await suspend(10, date(2026, 10, 27)))["id"]
    return world


async def _started(client, token: str, **variables) -> dict:
    return data(await gql(client, EXPORT_SUSPENSIONS, variables, token=token))["exportSuspensions"]


async def _suspensions(client, token: str, **variables) -> list:
    started = await _started(client, token, **variables)
    assert started["errors"] == []
    return await _download(client, token, started)


async def test_the_suspensions_export_holds_the_region_s(client, suspended):
    world = suspended
    xn = await login(client, "xn.supervisor")
    rows = await _suspensions(client, xn)
    assert rows[0] == (
        "id",
        "region",
        "project",
        "project_region",
        "complaint",
        "reason",
        "ordered_at",
        "starts_on",
        "ends_on",
        "lifted_on",
        "status",
        "held_timer",
        "held_seconds",
        "held_due_at",
    )
    lifted, active = rows[1:]
    assert lifted[:6] == (
        world["lifted"],
        "441481",
        world["project"],
        "441481",
        world["complaint"],
        "调查",
    )
    assert [c.date() for c in lifted[7:10]] == [
        date(2026, 10, 23),
        date(2026, 11, 1),
        date(2026, 10, 26),
    ]
    assert (lifted[10], active[0], active[9], active[10]) == (
        "lifted",
        world["active"],
        None,
        "active",
    )
    # Filtered by state and project; the city sees its county's, for itself or named.
    mz = await login(client, "mz.supervisor")
    assert [r[0] for r in (await _suspensions(client, mz, status="ACTIVE"))[1:]] == [
        world["active"]
    ]
    named = await _suspensions(client, mz, tenant="441481", projectId=str(world["project"]))
    assert [r[0] for r in named[1:]] == [world["lifted"], world["active"]]
    assert (await _suspensions(client, xn, status="EXPIRED"))[1:] == []
    assert (await _suspensions(client, xn, projectId=str(world["project"] + 1000)))[1:] == []


async def test_the_suspensions_export_is_not_another_region_s(client, suspended):
    guangzhou = await login(client, await supervisor_of("440100"), "x" * 12)
    assert (await _suspensions(client, guangzhou))[1:] == []
    refused = await _started(client, guangzhou, tenant="441481")
    assert (refused["job"], refused["errors"]) == (
        None,
        [{"code": "TENANT_NOT_FOUND", "field": "tenant"}],
    )
    xn = await login(client, "xn.supervisor")
    upward = await _started(client, xn, tenant="441400")  # its own city: above it
    assert upward["errors"] == [{"code": "TENANT_NOT_FOUND", "field": "tenant"}]
    bidder = await login(client, "gz.bidder1", "x" * 12)
    assert error_codes(await gql(client, EXPORT_SUSPENSIONS, {}, token=bidder)) == ["FORBIDDEN"]
