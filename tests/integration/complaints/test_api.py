"""Through the API: a supplier sees its own filings, the respondents theirs, the department
those of its region (a city its counties'); another supplier, another region's supervisor and
a purchaser not concerned see nothing; decisions are public."""

from __future__ import annotations

from datetime import date

import pytest

from gpcloud.complaints.service import complaints, inquiries
from gpcloud.core.auth import passwords
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants
from tests.integration.complaints.support import (
    answer,
    call,
    challenge,
    complain,
    complaint_world,
)
from tests.support import data, error_codes, gql, login

LISTS = """query { challenges { edges { node { id status overdue answerDue
  clocks { name dueOn status steps } } } }
  complaints { edges { node { id status decisionDue departmentRegion } } }
  inquiries { edges { node { id } } } }"""
ONE = """query($id: ID!) { complaint(id: $id) { id items { item claim } } }"""
DECIDE = """mutation($id: ID!) { decideComplaint(id: $id, input: {outcome: DISMISSED,
  reasons: "缺乏事实依据", document: "兴财采决〔2026〕9号", groundless: true}) {
  decision { id outcome } errors { code field } } }"""
PUBLIC = "query { complaintDecisions { edges { node { outcome document groundless } } } }"
FILE = """mutation($p: ID!) { fileChallenge(projectId: $p, target: DOCUMENTS,
  items: [{claim: "资格条件限制地域", request: "修改采购文件"}]) {
  challenge { id knownOn windowEnd } errors { code field } } }"""


async def supervisor_of(region: str) -> str:
    name = f"sup.{region}"
    with all_tenants("test: a supervisor of another region"):
        async with transaction():
            org = Organisation(name=f"{region}财政局", kind="finance", region=region)
            await org.save()
            user = User(
                tenant_id=region,
                organisation=org.id,
                username=name,
                password_hash=await passwords.hash_password("x" * 12),
                display_name=name,
                mobile="13800000000",
                email=f"{name}@example.com",
                must_change_password=False,
            )
            await user.save()
            await UserRole.insert(UserRole(tenant_id=region, user=user.id, role="supervisor"))
    return name


async def seen(client, token: str) -> tuple[int, int, int]:
    found = data(await gql(client, LISTS, token=token))
    return tuple(len(found[k]["edges"]) for k in ("challenges", "complaints", "inquiries"))


@pytest.fixture
async def world(demo):
    world = await complaint_world()
    row = await challenge(world, date(2026, 10, 20))
    await answer(world, row["id"], date(2026, 10, 21))
    world["complaint"] = (await complain(world, row["id"], date(2026, 10, 22)))["id"]
    other = world["other"]
    await call(
        other, date(2026, 10, 20), lambda: inquiries.ask(other, world["project"], "何时签约？")
    )
    dept = world["department"]
    await call(dept, date(2026, 10, 23), lambda: complaints.accept(dept, world["complaint"]))
    await call(dept, date(2026, 10, 23), lambda: complaints.serve(dept, world["complaint"]))
    return world


async def test_who_sees_what(client, world):
    wuhua = await supervisor_of("441424")
    tokens = {
        name: await login(
            client, name, *(("x" * 12,) if "." in name and name[:2] in ("gz", "su") else ())
        )
        for name in (
            "gz.bidder1",
            "gz.bidder2",
            "xn.purchaser",
            "mz.agency",
            "xn.supervisor",
            "mz.supervisor",
            "mz.purchaser",
            wuhua,
        )
    }
    assert await seen(client, tokens["gz.bidder1"]) == (1, 1, 0)  # the challenger
    assert await seen(client, tokens["gz.bidder2"]) == (0, 0, 1)  # its own inquiry only
    assert await seen(client, tokens["xn.purchaser"]) == (1, 1, 1)  # respondent
    assert await seen(client, tokens["mz.agency"]) == (1, 1, 1)  # respondent, another region
    assert await seen(client, tokens["xn.supervisor"]) == (1, 1, 1)  # its region
    assert await seen(client, tokens["mz.supervisor"]) == (1, 1, 1)  # its county's
    assert await seen(client, tokens["mz.purchaser"]) == (0, 0, 0)
    assert await seen(client, tokens[wuhua]) == (0, 0, 0)
    cid = str(world["complaint"])
    for name in ("gz.bidder2", "mz.purchaser", wuhua):
        assert error_codes(await gql(client, ONE, {"id": cid}, tokens[name])) == ["NOT_FOUND"]
    mine = data(await gql(client, ONE, {"id": cid}, tokens["gz.bidder1"]))["complaint"]
    assert mine["items"] == [{"item": 0, "claim": "评分不公"}]
    lists = data(await gql(client, LISTS, token=tokens["gz.bidder1"]))
    clocks = lists["challenges"]["edges"][0]["node"]["clocks"]
    assert [(c["name"], c["status"]) for c in clocks] == [
        ("answer", "MET"),
        ("complaint_window", "MET"),
    ]

    # Only the department of the region decides; the decision is public.
    refused = data(await gql(client, DECIDE, {"id": cid}, tokens[wuhua]))["decideComplaint"]
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]
    assert error_codes(await gql(client, DECIDE, {"id": cid}, tokens["gz.bidder1"])) == [
        "FORBIDDEN"
    ]
    assert data(await gql(client, PUBLIC))["complaintDecisions"]["edges"] == []
    decided = data(await gql(client, DECIDE, {"id": cid}, tokens["xn.supervisor"]))
    assert decided["decideComplaint"]["errors"] == []
    public = data(await gql(client, PUBLIC))["complaintDecisions"]["edges"]
    assert [e["node"] for e in public] == [
        {"outcome": "DISMISSED", "document": "兴财采决〔2026〕9号", "groundless": True}
    ]
    assert "errors" in await gql(client, LISTS)  # anonymous: no filings


async def test_filing_through_the_api(client, world):
    token = await login(client, "gz.bidder2", "x" * 12)
    result = data(await gql(client, FILE, {"p": str(world["project"])}, token))["fileChallenge"]
    assert result["errors"] == [], result
    assert result["challenge"]["knownOn"] == "2026-09-23"
    again = data(await gql(client, FILE, {"p": str(world["project"])}, token))["fileChallenge"]
    assert [e["code"] for e in again["errors"]] == ["ALREADY_CHALLENGED"]
