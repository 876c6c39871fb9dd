"""The scripted walk through the API: a supervisor puts a supplier on the serious-violation
list, the public sees it on the portal's list, a purchaser's mandatory check at evaluation finds
it (the snapshot verifies), the supplier appeals, the supervisor upholds, and the list and the
check clear. (Evaluation itself belongs to a later issue: the check is run directly.)"""

from __future__ import annotations

from datetime import date

import pytest

from gpcloud.core.tenancy.scope import use_scope
from gpcloud.credit.service import records
from tests.integration.credit.support import blacklisted, credit_world
from tests.support import data, gql, login

RECORD = """mutation($i: CreditRecordInput!) { recordCredit(input: $i) {
  record { id status kindTitle bars public region evidence { title reference } }
  errors { code field } } }"""
PUBLIC = """{ seriousViolations(first: 10) { edges { node { subjectName subjectCode document
  startsOn endsOn } } } }"""
CHECK = """mutation($o: ID!) { checkCredit(organisationId: $o, purpose: EVALUATION) {
  check { id tenantCode clear digest digestMatches lists { list loadedAt }
          records { kind title bars reference } sources { source clear } }
  errors { code } } }"""
PROFILE = """query($o: ID!) { creditProfile(organisationId: $o) { name barred
  records { id kind status appeals { status decision } } } }"""
APPEAL = """mutation($id: ID!, $s: String!) { appealCreditRecord(id: $id, statement: $s) {
  appeal { id status } errors { code } } }"""
UPHOLD = """mutation($id: ID!, $d: String!) { upholdCreditAppeal(id: $id, decision: $d) {
  appeal { status } errors { code } } }"""


async def test_a_blacklisted_supplier_is_found_by_the_check_and_cleared_on_appeal(client, demo):
    world = await credit_world()
    org = str(world["supplier"]["id"])
    supervisor = await login(client, "xn.supervisor")
    record_input = {
        "subjectKind": "SUPPLIER",
        "subjectId": org,
        "kind": "BLACKLIST",
        "startsOn": "2026-08-01",
        "endsOn": "2027-07-31",
        "document": "兴财采处〔2026〕12号",
        "authority": "兴宁市财政局",
        "facts": "提供虚假材料谋取中标",
        "evidence": [{"title": "行政处罚决定书", "reference": "兴财采处〔2026〕12号"}],
    }
    seller = await login(client, "xn.supplier")
    refused = await gql(client, RECORD, {"i": record_input}, token=seller)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    recorded = data(await gql(client, RECORD, {"i": record_input}, token=supervisor))
    record = recorded["recordCredit"]["record"]
    assert recorded["recordCredit"]["errors"] == []
    assert record["status"] == "ACTIVE" and record["bars"] and record["region"] == "441481"

    listed = data(await gql(client, PUBLIC))["seriousViolations"]["edges"]  # anonymous
    assert [e["node"]["subjectName"] for e in listed] == [world["supplier"]["name"]]
    assert listed[0]["node"]["subjectCode"] == world["supplier"]["uscc"]

    purchaser = await login(client, "xn.purchaser")
    check = data(await gql(client, CHECK, {"o": org}, token=purchaser))["checkCredit"]["check"]
    assert check["clear"] is False and check["digestMatches"] and check["tenantCode"] == "441481"
    assert check["records"] == [
        {
            "kind": "BLACKLIST",
            "title": "政府采购严重违法失信行为记录名单",
            "bars": True,
            "reference": "兴财采处〔2026〕12号",
        }
    ]
    assert [entry["list"] for entry in check["lists"]][0] == "platform"

    profile = data(await gql(client, PROFILE, {"o": org}, token=seller))["creditProfile"]
    assert profile["barred"] and [r["status"] for r in profile["records"]] == ["ACTIVE"]
    filed = data(
        await gql(
            client, APPEAL, {"id": record["id"], "s": "所谓虚假材料系笔误，已更正。"}, token=seller
        )
    )["appealCreditRecord"]
    assert filed["errors"] == [] and filed["appeal"]["status"] == "FILED"
    upheld = data(
        await gql(client, UPHOLD, {"id": filed["appeal"]["id"], "d": "申诉成立"}, token=supervisor)
    )["upholdCreditAppeal"]
    assert upheld == {"appeal": {"status": "UPHELD"}, "errors": []}

    assert data(await gql(client, PUBLIC))["seriousViolations"]["edges"] == []
    again = data(await gql(client, CHECK, {"o": org}, token=purchaser))["checkCredit"]["check"]
    assert again["clear"] is True and again["records"] == []
    profile = data(await gql(client, PROFILE, {"o": org}, token=seller))["creditProfile"]
    assert not profile["barred"]
    assert profile["records"][0]["appeals"] == [{"status": "UPHELD", "decision": "申诉成立"}]


async def test_the_portal_page_lists_the_serious_violations_in_force(client, demo):
    world = await credit_world()
    row = await blacklisted(world)
    page = await client.get("/credit/serious-violations")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert world["supplier"]["name"] in page.text and "兴财采处〔2026〕12号" in page.text
    assert "2026-08-01 至 2027-07-31" in page.text
    with use_scope(world["scope"]):
        await records.revoke(world["supervisor"], row["id"], "决定被撤销")
    page = await client.get("/credit/serious-violations")
    assert world["supplier"]["name"] not in page.text and "暂无记录" in page.text
    home = await client.get("/")
    assert 'href="/credit/serious-violations"' in home.text


async def test_the_demo_has_a_serious_violation_and_seeds_it_once(client):
    from gpcloud.demo import seed_demo

    await seed_demo()
    await seed_demo()
    listed = data(await gql(client, PUBLIC))["seriousViolations"]["edges"]
    assert [e["node"]["subjectName"] for e in listed] == ["广东客都建设工程有限公司"]


@pytest.mark.day(date(2020, 12, 31))  # credit goes live on 2021-01-01 (tenant defaults)
async def test_credit_mutations_wait_for_credit_to_go_live(client, demo):
    world = await credit_world()
    record_input = {
        "subjectKind": "SUPPLIER",
        "subjectId": str(world["supplier"]["id"]),
        "kind": "ADMINISTRATIVE_PENALTY",
        "startsOn": "2020-12-01",
        "document": "兴财〔2020〕1号",
    }
    refused = await gql(
        client, RECORD, {"i": record_input}, token=await login(client, "xn.supervisor")
    )
    assert refused["errors"][0]["extensions"]["code"] == "SUBSYSTEM_NOT_LIVE"
    assert data(await gql(client, PUBLIC))["seriousViolations"]["edges"] == []  # reads stay open
