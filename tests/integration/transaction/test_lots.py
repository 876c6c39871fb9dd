"""Lots at the deadline and at the opening, and the grounds for invalidity on the opening record.

A lot short of the method's minimum bidders (3 for an open tender, config/rules/methods) fails
on its own, with its reason on the opening record and the portal, while the other lots open; a
missing or mismatching bid security where the documents require one is taken at submission and
recorded at the opening as a ground for invalidity, for the evaluation."""

from __future__ import annotations

import base64
import json
import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.portal.tables import Notice
from gpcloud.transaction import bids, documents, lots, opening, records, sealing
from gpcloud.transaction import service as projects
from gpcloud.transaction.tables import OpeningRecord
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import (
    DEADLINE,
    MS,
    bidder,
    demo_bidder,
    project_row,
    tender,
    tick,
)
from tests.integration.transaction.test_documents import terms
from tests.support import gql, login

RECORD = """query($id: ID!) { openingRecord(projectId: $id) {
  lots { lot status reason bidders opened minimum }
  entries { bidderName lot result security invalidityGrounds { code reason } } } }"""

HALL = "query($id: ID!) { project(id: $id) { opening { status bids } } }"


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def send(b, project: int, lot: str, price: str, security=None, stated=None):
    """Seal (the form stating `stated` as its security, if given) and submit."""
    form = {"price": price} | ({"security": stated} if stated else {})
    key = os.urandom(32)
    sealed = sealing.seal(
        sealing.BidPackage(form=form, files=[sealing.BidFile("报价.txt", b"x")]),
        project_id=project,
        lot=lot,
        signing_key=b.signing_key,
        sealing_public_key=b.sealing_key.public_key(),
        content_key=key,
    )
    row, _ = await bids.submit(
        b.user, project, lot, sealed.ciphertext, sealed.wrapped_key, sealed.signature, security
    )
    return row, base64.b64encode(key).decode()


async def two_lots(world, traveller) -> int:
    project = await tender(world, traveller)
    traveller.move_to(DEADLINE - timedelta(days=19))
    with use_scope(world["scope"]):
        await documents.publish(
            world["agent"], project, terms(lots=["1", "2"], bid_security_required=True)
        )
    return project


async def test_a_lot_short_of_bidders_fails_alone_and_the_others_open(client, world, traveller):
    project = await two_lots(world, traveller)
    winner = await demo_bidder("xn.supplier")  # in the supplier registry: it can be awarded
    missing, mismatched, alone = [await bidder(n) for n in (1, 2, 3)]
    traveller.move_to(DEADLINE - timedelta(hours=1))
    sent = {
        winner.organisation: await send(winner, project, "1", "4100000", "保函-A", "保函-A"),
        missing.organisation: await send(missing, project, "1", "4200000"),  # taken, no security
        mismatched.organisation: await send(
            mismatched, project, "1", "4300000", "保函-B", "保函-X"
        ),
        alone.organisation: await send(alone, project, "2", "900000", "保函-C"),
    }
    traveller.move_to(DEADLINE)
    [ran] = await tick()
    assert ran.action == "close_bidding"
    hall = await project_row(project)
    assert hall["status"] == "opening"  # lot 1 has its three bidders
    results = json.loads(hall["lot_results"])
    assert results["1"] == {"bidders": 3, "minimum": 3, "status": "open", "reason": None}
    assert results["2"]["status"] == "failed" and results["2"]["bidders"] == 1
    assert results["2"]["reason"] == lots.AT_DEADLINE
    hall_view = await gql(client, HALL, {"id": str(project)}, await login(client, "mz.agency"))
    assert hall_view["data"]["project"]["opening"] == {"status": "unsealing", "bids": 3}

    traveller.shift(60)
    row, key = sent[alone.organisation]
    with pytest.raises(DomainError) as info:
        await opening.unseal(alone.user, row["id"], key)
    assert info.value.code == "LOT_FAILED"
    for b in (winner, missing, mismatched):
        row, key = sent[b.organisation]
        assert (await opening.unseal(b.user, row["id"], key)).failure is None
    traveller.move_to(hall["opening_ends_at"] + MS)
    [ran] = await tick()
    assert ran.action == "end_unsealing"
    with all_tenants("test"):
        assert (await bids.get(sent[alone.organisation][0]["id"]))["status"] == "submitted"

    token = await login(client, "mz.agency")
    record = (await gql(client, RECORD, {"id": str(project)}, token))["data"]["openingRecord"]
    assert record["lots"] == [
        {"lot": "1", "status": "opened", "reason": None, "bidders": 3, "opened": 3, "minimum": 3},
        {
            "lot": "2",
            "status": "failed",
            "reason": lots.AT_DEADLINE,
            "bidders": 1,
            "opened": 0,
            "minimum": 3,
        },
    ]
    entries = {e["bidderName"]: e for e in record["entries"]}
    assert entries[alone.name]["result"] == "not_opened"
    assert entries[winner.name]["invalidityGrounds"] == []
    assert [g["code"] for g in entries[missing.name]["invalidityGrounds"]] == [
        "BID_SECURITY_MISSING"
    ]
    assert [g["code"] for g in entries[mismatched.name]["invalidityGrounds"]] == [
        "BID_SECURITY_MISMATCH"
    ]
    assert "art. 33" in entries[missing.name]["invalidityGrounds"][0]["reason"]

    # After the result, the portal shows the lot that failed and why.
    await records.sign(world["agent"], project)
    with use_scope(world["scope"]):
        award = [projects.AwardInput(world["supplier"]["uscc"], Decimal("4100000"))]
        await projects.publish_result(
            world["agent"], project, "中标公告", "正文", award, on=date(2026, 10, 16)
        )
    with all_tenants("test"):
        notice = await Notice.select().where(Notice.kind == "result").first()
    page = (await client.get(f"/notices/{notice['id']}")).text
    assert "第2包" in page and "不足3家" in page and "本包投标人不足，未开标" in page


async def test_a_lot_that_loses_its_bids_at_the_opening_fails_there(world, traveller):
    """Three bidders at the deadline, one never unseals (revoked): two opened, short of three."""
    project = await two_lots(world, traveller)
    three = [await bidder(n) for n in (1, 2, 3)]
    more = [await bidder(n) for n in (4, 5, 6)]
    traveller.move_to(DEADLINE - timedelta(hours=1))
    one = {b.organisation: await send(b, project, "1", "4000000", "保函") for b in three}
    two = {b.organisation: await send(b, project, "2", "800000", "保函") for b in more}
    traveller.move_to(DEADLINE)
    await tick()
    hall = await project_row(project)
    for b in three[:2] + more:
        row, key = (one | two)[b.organisation]
        assert (await opening.unseal(b.user, row["id"], key)).failure is None
    traveller.move_to(hall["opening_ends_at"] + MS)
    await tick()
    with all_tenants("test"):
        record = await OpeningRecord.select().where(OpeningRecord.project == project).first()
    by_lot = {lot["lot"]: lot for lot in json.loads(record["lots"])}
    assert by_lot["1"]["status"] == "failed" and by_lot["1"]["reason"] == lots.AT_OPENING
    assert (by_lot["1"]["bidders"], by_lot["1"]["opened"]) == (3, 2)
    assert by_lot["2"]["status"] == "opened" and by_lot["2"]["opened"] == 3
    assert all(not e["invalidity_grounds"] for e in json.loads(record["entries"]))


async def test_every_lot_short_fails_the_project_with_each_lot_stated(world, traveller):
    project = await two_lots(world, traveller)
    traveller.move_to(DEADLINE - timedelta(hours=1))
    for n, lot in ((1, "1"), (2, "1"), (3, "2")):
        await send(await bidder(n), project, lot, "4000000", "保函")
    traveller.move_to(DEADLINE)
    [ran] = await tick()
    assert ran.action == "close_bidding"
    failed = await project_row(project)
    assert failed["status"] == "failed"
    results = json.loads(failed["lot_results"])
    assert {lot: r["bidders"] for lot, r in results.items()} == {"1": 2, "2": 1}
    assert {r["status"] for r in results.values()} == {"failed"}
