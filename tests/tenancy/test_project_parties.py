"""A project's parties from anywhere in the province, through the API: suppliers of Guangzhou
that obtained the Xingning project's documents or bid on it see it and act on it; a supplier
that did neither, a purchaser of another region and an evaluation expert see nothing; a
bidder sees only its own bids, the agency who bid but not what before the opening."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine

from gpcloud.core.tenancy.scope import use_scope
from gpcloud.transaction import documents
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE, bidder, seal, tender
from tests.support import data, gql, login

PROJECT = """query($id: ID!) { project(id: $id) {
  id status bidDeadlineAt bids { id supplierName status form price receipt { digest } }
  opening { status bids } } }"""
SUBMIT = """mutation($input: SubmitBidInput!) { submitBid(input: $input) {
  bid { id status } receipt { digest receivedAt signature } errors { field code message } } }"""
OBTAIN = """mutation($id: ID!) { obtainProcurementDocuments(projectId: $id) {
  document { version priceWeight } errors { code } } }"""
ASK = """mutation($id: ID!) { askQuestion(projectId: $id, text: "交货期能否延长？") {
  question { id answerDue } errors { code } } }"""
RECORD = "query($id: ID!) { openingRecord(projectId: $id) { id entries { bidderName } } }"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


DOCS = documents.DocumentsInput(
    summary="首版",
    requirements=[{"item": "教学一体机", "quantity": 40}],
    qualification=[{"item": "营业执照"}],
    compliance=[{"item": "交货期不超过30日"}],
    criteria=[{"name": "技术", "weight": 50}, {"name": "服务", "weight": 20}],
    price_weight=30,
)


async def test_parties_from_anywhere_and_nobody_else(client, demo, traveller):
    world = await filed_plan()
    project = await tender(world, traveller)
    with use_scope(world["scope"]):
        await documents.publish(world["agent"], project, DOCS)
    obtainer, bidder_a, bidder_b, stranger = [await bidder(n) for n in (1, 2, 3, 4)]
    pid = str(project)

    tokens = {}
    for b in (obtainer, bidder_a, bidder_b, stranger):
        tokens[b.organisation] = await login(client, f"gz.bidder{_n(b)}", "x" * 12)

    # Before anything: a Guangzhou supplier does not see the Xingning project.
    got = data(await gql(client, PROJECT, {"id": pid}, token=tokens[obtainer.organisation]))
    assert got["project"] is None
    # Obtaining the documents makes it a party: it sees the project and asks.
    for b in (obtainer, bidder_a, bidder_b):
        done = data(await gql(client, OBTAIN, {"id": pid}, token=tokens[b.organisation]))
        assert done["obtainProcurementDocuments"]["errors"] == []
    got = data(await gql(client, PROJECT, {"id": pid}, token=tokens[obtainer.organisation]))
    assert got["project"]["status"] == "TENDERING" and got["project"]["bids"] == []
    asked = data(await gql(client, ASK, {"id": pid}, token=tokens[obtainer.organisation]))
    assert asked["askQuestion"]["errors"] == []
    assert asked["askQuestion"]["question"]["answerDue"] == "2026-09-04"  # 3 wd from 1 Sep
    stranger_ask = data(await gql(client, ASK, {"id": pid}, token=tokens[stranger.organisation]))
    assert [e["code"] for e in stranger_ask["askQuestion"]["errors"]] == ["NOT_FOUND"]

    # Two bid through the API.
    traveller.move_to(DEADLINE - timedelta(hours=1))
    for b in (bidder_a, bidder_b):
        tokens[b.organisation] = await login(client, f"gz.bidder{_n(b)}", "x" * 12)
        sealed, _ = seal(b, project, "4000000")
        variables = {
            "input": {
                "projectId": pid,
                "lot": "1",
                "ciphertext": b64(sealed.ciphertext),
                "wrappedKey": b64(sealed.wrapped_key),
                "signature": b64(sealed.signature),
                "security": "保函-1",
            }
        }
        out = data(await gql(client, SUBMIT, variables, token=tokens[b.organisation]))["submitBid"]
        assert out["errors"] == [] and out["receipt"]["digest"] == sealed.digest
    mine = data(await gql(client, PROJECT, {"id": pid}, token=tokens[bidder_a.organisation]))
    [own] = mine["project"]["bids"]
    assert own["supplierName"] == bidder_a.name and own["receipt"]["digest"]
    assert own["form"] is None and own["price"] is None

    # The agency sees who bid, not what; a stranger, another region's purchaser and an
    # expert see nothing.
    agency = await login(client, "mz.agency")
    seen = data(await gql(client, PROJECT, {"id": pid}, token=agency))["project"]
    assert sorted(b["supplierName"] for b in seen["bids"]) == sorted([bidder_a.name, bidder_b.name])
    assert all(b["form"] is None and b["receipt"] is None for b in seen["bids"])
    assert seen["opening"] == {"status": "waiting", "bids": 2}
    tokens[stranger.organisation] = await login(client, f"gz.bidder{_n(stranger)}", "x" * 12)
    for token in (tokens[stranger.organisation], await login(client, "mz.supplier")):
        assert data(await gql(client, PROJECT, {"id": pid}, token=token))["project"] is None
    expert = await login(client, "xn.expert")
    refused = await gql(client, PROJECT, {"id": pid}, token=expert)
    assert refused.get("data") is None or refused["data"]["project"] is None
    refused = await gql(client, RECORD, {"id": pid}, token=expert)
    assert refused.get("data") is None or refused["data"]["openingRecord"] is None


def _n(b) -> int:
    return int(b.name.removeprefix("广州投标测试").removesuffix("号有限公司"))
