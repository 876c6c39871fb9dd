"""The committee and its draw through the API: the agency forms, commits and runs; names stay
sealed (counts and states only) until the evaluation starts; drawn experts see only their own
assignments; another tenant, another agency, a supplier and an expert not drawn see nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from gpcloud.core.auth import passwords
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation.service import common
from tests.integration.evaluation.setting import (
    CODE,
    EVALUATION,
    closed_tender,
    evaluation_room,
    experts,
)
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE
from tests.support import data, error_codes, gql, login

PASSWORD = "x" * 12
FORM = """mutation($i: EvaluationCommitteeInput!) { formEvaluationCommittee(input: $i) {
  committee { id status members expertSeats } errors { code field } } }"""
COMMIT = """mutation($c: ID!, $t: ExpertDrawType!) { commitExpertDraw(committeeId: $c, drawType: $t) {
  draw { id status seedHash } errors { code } } }"""
RUN = """mutation($d: ID!) { runExpertDraw(drawId: $d) { draw { id status eligible } errors { code } } }"""
COMMITTEE = """query($id: ID!) { evaluationCommittee(id: $id) { id status
  counts { invited waiting confirmed }
  seats { position backup status reason expert { name } }
  draw { status seed seedHash verification { verified seedRevealed checks { ok } } } } }"""
MINE = "{ myExpertAssignments { id status position backup evaluationAt } }"
CONFIRM = """mutation($a: ID!) { confirmExpertAssignment(assignmentId: $a) {
  assignment { status } errors { code } } }"""
START = """mutation($c: ID!) { startEvaluation(committeeId: $c) { committee { status } errors { code } } }"""


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def outsider(tenant: str = "441424") -> str:
    """A tenant admin of another county (Wuhua)."""
    with all_tenants("test: an account of another county"):
        async with transaction():
            org = Organisation(name="五华县财政局", kind="finance_bureau", region=tenant)
            await org.save()
            user = User(
                tenant_id=tenant,
                organisation=org.id,
                username="wh.admin",
                password_hash=await passwords.hash_password(PASSWORD),
                display_name="五华县管理员",
                mobile="13800000000",
                email="wh@example.com",
                must_change_password=False,
            )
            await user.save()
            await UserRole.insert(UserRole(tenant_id=tenant, user=user.id, role="tenant_admin"))
    return "wh.admin"


async def test_names_sealed_until_the_evaluation_and_nobody_else_sees_it(client, world, traveller):
    project, _ = await closed_tender(world, traveller, 3)
    pool = await experts(9)
    agency = await login(client, "mz.agency")
    bad = await gql(
        client,
        FORM,
        {"i": {"projectId": str(project), "members": 4, "evaluationAt": EVALUATION.isoformat()}},
        token=agency,
    )
    codes = [e["code"] for e in bad["data"]["formEvaluationCommittee"]["errors"]]
    assert codes == ["COMMITTEE_TOO_SMALL", "COMMITTEE_NOT_ODD"]
    formed = data(
        await gql(
            client,
            FORM,
            {
                "i": {
                    "projectId": str(project),
                    "members": 5,
                    "evaluationAt": EVALUATION.isoformat(),
                    "specialtyCodes": [CODE],
                    "backups": 2,
                    "roomId": str(await evaluation_room()),
                }
            },
            token=agency,
        )
    )["formEvaluationCommittee"]
    assert formed["errors"] == [] and formed["committee"]["expertSeats"] == 5
    committee = formed["committee"]["id"]
    other_agency = await login(client, "xn.agency")
    refused = await gql(client, COMMIT, {"c": committee, "t": "REVIEW"}, token=other_agency)
    assert refused["data"]["commitExpertDraw"]["errors"] == [{"code": "NOT_FOUND"}]
    draw = data(await gql(client, COMMIT, {"c": committee, "t": "REVIEW"}, token=agency))
    draw_id = draw["commitExpertDraw"]["draw"]["id"]
    ran = data(await gql(client, RUN, {"d": draw_id}, token=agency))["runExpertDraw"]
    assert ran["errors"] == [] and ran["draw"]["eligible"] == 9

    seen = data(await gql(client, COMMITTEE, {"id": committee}, token=agency))
    found = seen["evaluationCommittee"]
    assert found["counts"] == {"invited": 5, "waiting": 2, "confirmed": 0}
    assert {s["expert"] is None and s["reason"] is None for s in found["seats"]} == {True}
    assert found["draw"]["seed"] is None
    assert found["draw"]["verification"] == {
        "verified": True,
        "seedRevealed": False,
        "checks": [{"ok": True}] * 4,
    }
    purchaser = await login(client, "xn.purchaser")
    sealed = data(await gql(client, COMMITTEE, {"id": committee}, token=purchaser))
    assert {s["expert"] is None for s in sealed["evaluationCommittee"]["seats"]} == {True}
    # nobody else: another tenant, another agency, a supplier, an expert
    for token in (await login(client, await outsider(), PASSWORD), other_agency):
        assert data(await gql(client, COMMITTEE, {"id": committee}, token=token)) == {
            "evaluationCommittee": None
        }
    supplier = await login(client, "xn.supplier")
    assert error_codes(await gql(client, COMMITTEE, {"id": committee}, token=supplier)) == [
        "FORBIDDEN"
    ]

    members = {m["expert"]: m for m in await common.members(int(committee))}
    drawn_users = [u for e, u in pool if e in members]
    idle_users = [u for e, u in pool if e not in members]
    assert len(idle_users) == 2
    idle = await login(client, idle_users[0].username, PASSWORD)
    assert data(await gql(client, MINE, token=idle)) == {"myExpertAssignments": []}
    assert error_codes(await gql(client, COMMITTEE, {"id": committee}, token=idle)) == ["FORBIDDEN"]
    first = next(m for m in members.values() if m["position"] == 1)
    stolen = await gql(client, CONFIRM, {"a": str(first["id"])}, token=idle)
    assert stolen["data"]["confirmExpertAssignment"]["errors"] == [{"code": "NOT_FOUND"}]

    # each drawn expert sees their own assignment only, and the seats confirm
    for user in drawn_users:
        token = await login(client, user.username, PASSWORD)
        [mine] = data(await gql(client, MINE, token=token))["myExpertAssignments"]
        if mine["status"] == "INVITED":
            answered = data(await gql(client, CONFIRM, {"a": mine["id"]}, token=token))
            assert answered["confirmExpertAssignment"]["assignment"]["status"] == "CONFIRMED"
        else:  # a backup: in line until the last seat is confirmed, then released
            assert mine["backup"] and mine["status"] in ("WAITING", "RELEASED")
    states = sorted(m["status"] for m in await common.members(int(committee)))
    assert states == ["confirmed"] * 5 + ["released"] * 2
    started = data(await gql(client, START, {"c": committee}, token=agency))["startEvaluation"]
    assert started == {"committee": {"status": "EVALUATING"}, "errors": []}
    open_ = data(await gql(client, COMMITTEE, {"id": committee}, token=agency))
    found = open_["evaluationCommittee"]
    assert len([s for s in found["seats"] if s["expert"]]) == 7
    assert found["draw"]["seed"] and found["draw"]["verification"]["seedRevealed"]
    assert found["draw"]["verification"]["verified"]
