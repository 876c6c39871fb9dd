"""The evaluation through the API: a member sees its own row only, and the bids only after its
face check-in (a face that does not match is reported and billed, not rolled back); scores stay
private until submitted; an expert not on the committee, a supplier, and an account of another
tenant see nothing."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine

from gpcloud.core.auth.tables import User
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation.service import common, evaluations
from gpcloud.registries.experts import service as experts
from gpcloud.usage.tables import UsageCharge
from tests.integration.evaluation.evaluating import face_of, opened_evaluation
from tests.integration.evaluation.test_api import PASSWORD, outsider
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE
from tests.support import data, error_codes, gql, login

EVALUATION = """query($id: ID!) { evaluation(id: $id) { id status method
  criteria { key maxPoints } members { id status faceAttempts checkedInAt }
  bids { id supplierName price findings { item passed } } scores { criterion points }
  report { status } } }"""
CHECK_IN = """mutation($e: ID!, $s: String!, $a: String!) {
  checkInToEvaluation(evaluationId: $e, sample: $s, attempt: $a) {
  member { status faceAttempts } errors { code } } }"""
QUALIFY = """mutation($e: ID!, $b: ID!) { recordQualification(evaluationId: $e, bidId: $b,
  item: "营业执照", passed: true) { finding { passed } errors { code } } }"""
COMPLY = """mutation($e: ID!, $b: ID!) { recordCompliance(evaluationId: $e, bidId: $b,
  item: "交货期不超过30日", passed: true) { finding { passed } errors { code } } }"""
SCORE = """mutation($e: ID!, $b: ID!) { recordScores(evaluationId: $e, bidId: $b,
  points: [{criterion: "技术", points: "41.5"}, {criterion: "服务", points: "18"}]) {
  scores { criterion points } errors { code } } }"""


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


def b64(data_: bytes) -> str:
    return base64.b64encode(data_).decode()


async def test_members_see_their_own_and_the_bids_after_check_in(client, world, traveller):
    s = await opened_evaluation(world, traveller)
    eid = str(s.evaluation["id"])
    me = await login(client, s.members[0].username, PASSWORD)
    seen = data(await gql(client, EVALUATION, {"id": eid}, token=me))["evaluation"]
    assert seen["method"] == "comprehensive" and len(seen["members"]) == 1
    assert seen["bids"] == [] and seen["scores"] == [] and seen["report"] is None
    failed = data(await gql(client, CHECK_IN, {"e": eid, "s": b64(b"jpeg"), "a": "1"}, token=me))
    assert failed["checkInToEvaluation"] == {
        "member": {"status": "ABSENT", "faceAttempts": 1},
        "errors": [{"code": "FACE_NOT_MATCHED"}],
    }
    with all_tenants("test: the ledger"):
        assert await UsageCharge.count() == 1  # the failed comparison stays billed
    [row] = [m for m in await evaluations.members(int(eid)) if m["status"] == "absent"][:1]
    mine = await evaluations.member_of(s.members[0], int(eid))
    sample = b64(face_of(mine))
    done = data(await gql(client, CHECK_IN, {"e": eid, "s": sample, "a": "2"}, token=me))
    assert done["checkInToEvaluation"]["member"]["status"] == "PRESENT"
    seen = data(await gql(client, EVALUATION, {"id": eid}, token=me))["evaluation"]
    assert len(seen["bids"]) == 3 and seen["members"][0]["checkedInAt"]
    del row
    # the agency reviews qualifications, the member compliance, then scores privately
    agency = await login(client, "mz.agency")
    for b in s.bids:
        assert (
            data(await gql(client, QUALIFY, {"e": eid, "b": str(b["id"])}, token=agency))[
                "recordQualification"
            ]["errors"]
            == []
        )
        assert (
            data(await gql(client, COMPLY, {"e": eid, "b": str(b["id"])}, token=me))[
                "recordCompliance"
            ]["errors"]
            == []
        )
    scored = data(await gql(client, SCORE, {"e": eid, "b": str(s.bids[0]["id"])}, token=me))
    assert scored["recordScores"]["scores"] == [
        {"criterion": "技术", "points": "41.5"},
        {"criterion": "服务", "points": "18"},
    ]
    full = data(await gql(client, EVALUATION, {"id": eid}, token=agency))["evaluation"]
    assert len(full["members"]) == 5 and full["scores"] == []  # nobody else before the report
    assert (
        len(data(await gql(client, EVALUATION, {"id": eid}, token=me))["evaluation"]["scores"]) == 2
    )
    other = await login(client, s.members[1].username, PASSWORD)
    assert (
        data(await gql(client, EVALUATION, {"id": eid}, token=other))["evaluation"]["scores"] == []
    )
    # nobody else: another tenant, a supplier, an expert not on the committee
    stranger = await login(client, await outsider(), PASSWORD)
    bidder = await login(client, s.bidders[0].user.username, PASSWORD)
    for token in (stranger, bidder):
        assert data(await gql(client, EVALUATION, {"id": eid}, token=token)) == {"evaluation": None}
    refused = await gql(client, CHECK_IN, {"e": eid, "s": sample, "a": "3"}, token=stranger)
    assert error_codes(refused) == ["FORBIDDEN"]
    # an expert of the pool not on this committee (drawn as a backup, released)
    seated = {m["expert"] for m in await common.members(s.committee["id"])}
    members = {m["expert"] for m in await evaluations.members(int(eid))}
    [backup, *_] = sorted(seated - members)
    user = (await experts.get(backup))["user_id"]
    with all_tenants("test: the backup's account"):
        name = (await User.select(User.username).where(User.id == user).first())["username"]
    outside = await login(client, name, PASSWORD)
    assert data(await gql(client, EVALUATION, {"id": eid}, token=outside)) == {"evaluation": None}
    tried = data(await gql(client, CHECK_IN, {"e": eid, "s": sample, "a": "4"}, token=outside))
    assert tried["checkInToEvaluation"]["errors"] == [{"code": "NOT_FOUND"}]
