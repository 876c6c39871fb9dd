"""The finance department's views of publication overrides through the API: a county's
supervisor sees its county's, a city's its own and its counties', a sibling county's nothing;
filters narrow the connection; the XLSX export holds the same rows."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook

from gpcloud.core.auth import passwords
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.transaction import documents
from gpcloud.transaction import service as projects
from tests.integration.procurement import filed_plan
from tests.integration.supervision.test_publication_warnings import SEP_21, terms
from tests.integration.transaction.bidding import DEADLINE, tender
from tests.support import data, drain_jobs, error_codes, gql, login

OVERRIDE = """
mutation($plan: ID!, $kind: PublicationKind!, $rules: [String!]!, $reason: String!) {
  overridePublicationWarnings(planId: $plan, kind: $kind, rules: $rules, reason: $reason) {
    overrides { id status rule tenantCode }
    errors { code field }
  }
}"""
LIST = """
query($filter: PublicationOverrideFilter) {
  publicationOverrides(filter: $filter, first: 10) {
    edges { node { id tenantCode rule reason status publication warnings { rule article matched } } }
    pageInfo { hasNextPage }
  }
}"""
EXPORT = """
mutation($filter: PublicationOverrideFilter) {
  exportPublicationOverrides(filter: $filter) { job { id } errors { code } }
}"""
JOB = "query($id: ID!) { job(id: $id) { status resultUrl } }"


async def supervisor_of(region: str, username: str) -> None:
    """A finance supervisor account of `region` (password x*12)."""
    with all_tenants("test: an account of another county"):
        async with transaction():
            org = Organisation(name=f"{region}财政局", kind="finance_bureau", region=region)
            await org.save()
            user = User(
                tenant_id=region,
                organisation=org.id,
                username=username,
                password_hash=await passwords.hash_password("x" * 12),
                display_name="监管员",
                mobile="13800000001",
                email=f"{username}@example.com",
                must_change_password=False,
            )
            await user.save()
            await UserRole.insert(UserRole(tenant_id=region, user=user.id, role="supervisor"))


@pytest.fixture
async def overridden(client, demo) -> dict:
    """Xingning's plan entrusted; its documents published with a restrictive term the agency
    overrode through the API."""
    world = await filed_plan()
    with use_scope(world["scope"]):
        project = await projects.entrust(world["purchaser"], world["plan"], world["agency"])
    agency = await login(client, "mz.agency")
    variables = {
        "plan": str(world["plan"]),
        "kind": "DOCUMENTS",
        "rules": ["restrictive_terms"],
        "reason": "经采购人论证，售后须两小时到场",
    }
    purchaser = await login(client, "xn.purchaser")
    assert error_codes(await gql(client, OVERRIDE, variables, token=purchaser)) == ["FORBIDDEN"]
    bad = data(await gql(client, OVERRIDE, {**variables, "reason": ""}, token=agency))
    assert bad["overridePublicationWarnings"]["errors"] == [
        {"code": "REASON_REQUIRED", "field": "reason"}
    ]
    made = data(await gql(client, OVERRIDE, variables, token=agency))
    [asked] = made["overridePublicationWarnings"]["overrides"]
    assert (asked["status"], asked["tenantCode"]) == ("PENDING", "441481")
    with use_scope(world["scope"]):
        await documents.publish(
            world["agent"], project["id"], terms(qualification=[{"item": "须为本地注册企业"}])
        )
    return {"project": project["id"], "override": asked["id"]}


async def listed(client, username: str, password: str | None = None, **filters) -> list[dict]:
    token = await login(client, username, *([password] if password else []))
    found = data(await gql(client, LIST, {"filter": filters or None}, token=token))
    return [e["node"] for e in found["publicationOverrides"]["edges"]]


async def test_supervisors_see_the_overrides_of_their_region_only(client, overridden):
    [seen] = await listed(client, "xn.supervisor")
    assert seen["status"] == "USED"
    assert seen["publication"] == f"project:{overridden['project']}:documents"
    [warning] = seen["warnings"]
    assert warning["rule"] == "restrictive_terms" and "本地注册企业" in warning["matched"]
    assert "Implementing Regulation art. 20" in warning["article"]
    assert [o["id"] for o in await listed(client, "mz.supervisor")] == [seen["id"]]  # the city
    await supervisor_of("441402", "mj.supervisor")
    assert await listed(client, "mj.supervisor", "x" * 12) == []  # a sibling county
    # Filters narrow.
    assert await listed(client, "xn.supervisor", status="PENDING") == []
    assert await listed(client, "xn.supervisor", rule="brand_names") == []
    assert (
        len(await listed(client, "xn.supervisor", kind="DOCUMENTS", rule="restrictive_terms")) == 1
    )
    assert await listed(client, "xn.supervisor", requestedTo="2026-08-31") == []
    assert len(await listed(client, "xn.supervisor", requestedFrom="2026-09-01")) == 1
    agency = await login(client, "mz.agency")
    assert error_codes(await gql(client, LIST, {}, token=agency)) == ["FORBIDDEN"]


async def test_the_export_writes_the_region_s_overrides_to_xlsx(client, overridden):
    token = await login(client, "mz.supervisor")
    started = data(await gql(client, EXPORT, {"filter": {"status": "USED"}}, token=token))
    job_id = started["exportPublicationOverrides"]["job"]["id"]
    await drain_jobs()
    job = data(await gql(client, JOB, {"id": job_id}, token=token))["job"]
    assert job["status"] == "SUCCEEDED"
    response = await client.get(job["resultUrl"], headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    rows = list(book.active.values)
    assert rows[0][:5] == ("id", "region", "plan", "kind", "rule")
    [row] = rows[1:]
    assert row[1] == "441481" and row[4] == "restrictive_terms" and "本地注册企业" in row[6]


PROJECTS = """
query($filter: SupervisedProjectFilter) {
  supervisedProjects(filter: $filter, first: 10) {
    edges { node { stage failureReason project { id tenantCode }
                   nextDeadline { at action rule about } } }
  }
}"""
EXPORT_PROJECTS = """
mutation($filter: SupervisedProjectFilter) {
  exportSupervisedProjects(filter: $filter) { job { id } errors { code } }
}"""


async def supervised(client, username: str, password: str | None = None, **filters) -> list:
    token = await login(client, username, *([password] if password else []))
    found = data(await gql(client, PROJECTS, {"filter": filters or None}, token=token))
    return [e["node"] for e in found["supervisedProjects"]["edges"]]


async def test_the_region_s_projects_with_stage_next_deadline_and_failure(client, demo):
    world = await filed_plan()
    with use_scope(world["scope"]):
        project = await projects.entrust(world["purchaser"], world["plan"], world["agency"])
        await projects.publish_tender(
            world["agent"], project["id"], "招标公告", "正文", date(2026, 10, 12), on=SEP_21
        )
    [tendering] = await supervised(client, "xn.supervisor")
    assert tendering["stage"] == "TENDERING"
    # The announcement's period: 5 wd from Mon 21 Sep, the Mid-autumn holiday (25-27 Sep)
    # skipped, is over at the end of Tue 29 Sep (Asia/Shanghai).
    assert tendering["nextDeadline"]["action"] == "end_period"
    assert tendering["nextDeadline"]["at"] == "2026-09-30T00:00:00+08:00"
    assert tendering["nextDeadline"]["about"].startswith("announcement:")
    assert tendering["failureReason"] is None
    # dueBefore reads the project's own timers: a simplified tender has none.
    assert await supervised(client, "xn.supervisor", dueBefore="2027-01-01T00:00:00+08:00") == []

    with use_scope(world["scope"]):
        await projects.declare_failed(world["agent"], project["id"], "实质性响应供应商不足三家")
    [failed] = await supervised(client, "mz.supervisor", stage="FAILED")  # the city sees it
    assert failed["failureReason"] == "实质性响应供应商不足三家"
    assert failed["nextDeadline"]["action"] == "end_period"  # the announcement still runs
    assert await supervised(client, "xn.supervisor", stage="AWARDED") == []
    assert await supervised(client, "mz.supervisor", tenant="441402") == []
    assert len(await supervised(client, "mz.supervisor", tenant="441481")) == 1
    await supervisor_of("441402", "mj.supervisor")
    assert await supervised(client, "mj.supervisor", "x" * 12) == []  # a sibling county
    token = await login(client, "mj.supervisor", "x" * 12)
    result = await gql(client, PROJECTS, {"filter": {"tenant": "441481"}}, token=token)
    assert error_codes(result) == ["NOT_FOUND"]  # not its region

    token = await login(client, "xn.supervisor")
    started = data(await gql(client, EXPORT_PROJECTS, {"filter": {"stage": "FAILED"}}, token=token))
    job_id = started["exportSupervisedProjects"]["job"]["id"]
    await drain_jobs()
    job = data(await gql(client, JOB, {"id": job_id}, token=token))["job"]
    response = await client.get(job["resultUrl"], headers={"authorization": f"Bearer {token}"})
    [header, row] = list(load_workbook(BytesIO(response.content)).active.values)
    assert header[4] == "stage" and row[4] == "failed"
    assert row[-1] == "实质性响应供应商不足三家" and row[9] == "end_period"


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def test_due_before_selects_by_the_project_s_own_timer(client, demo, traveller):
    """A sealed tender's bid deadline is the project's timer (close_bidding)."""
    world = await filed_plan()
    project = await tender(world, traveller)
    [row] = await supervised(client, "xn.supervisor", dueBefore=DEADLINE.isoformat())
    assert row["project"]["id"] == str(project)
    # Its announcement's period ends first, so that is the next deadline shown.
    assert row["nextDeadline"]["action"] == "end_period"
    early = (DEADLINE - timedelta(seconds=1)).isoformat()
    assert await supervised(client, "xn.supervisor", dueBefore=early) == []


TENDER = """
mutation($project: ID!, $body: String!) {
  publishTenderAnnouncement(projectId: $project, title: "招标公告", body: $body,
                            bidDeadline: "2026-10-12") {
    project { status }
    errors { code field message }
  }
}"""


async def test_the_publish_mutation_names_the_warnings_and_the_override_lets_it_through(
    client, demo
):
    world = await filed_plan()
    with use_scope(world["scope"]):
        project = await projects.entrust(world["purchaser"], world["plan"], world["agency"])
    agency = await login(client, "mz.agency")
    variables = {
        "project": str(project["id"]),
        "body": "投标人须为本地注册企业；注册资本不低于1000万元",
    }
    refused = data(await gql(client, TENDER, variables, token=agency))["publishTenderAnnouncement"]
    assert refused["project"] is None
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("PUBLICATION_WARNINGS", "warnings.restrictive_terms")
    ] * 2
    assert any("注册资本不低于" in e["message"] for e in refused["errors"])
    override = {
        "plan": str(world["plan"]),
        "kind": "TENDER",
        "rules": ["restrictive_terms"],
        "reason": "经财政部门同意的特殊资质要求",
    }
    data(await gql(client, OVERRIDE, override, token=agency))
    published = data(await gql(client, TENDER, variables, token=agency))
    assert published["publishTenderAnnouncement"] == {
        "project": {"status": "TENDERING"},
        "errors": [],
    }
