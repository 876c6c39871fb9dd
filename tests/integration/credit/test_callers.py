"""The mandatory check's callers below credit, each through the gpcloud_credit_check hook: bid
submission (a warning to the bidder, the bid is in), e-mall orders and the entrustment of an
agency (refused, CREDIT_NOT_CLEAR, nothing written, the snapshot neither). A record that ended
or was revoked no longer counts; another organisation's record does not touch this one."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest
import time_machine

from gpcloud.core import clock, storage
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.credit.service import records
from gpcloud.credit.tables import CreditCheck
from gpcloud.emall.service import orders
from gpcloud.emall.tables import MallOrder
from gpcloud.registries.agencies.tables import Agency
from gpcloud.registries.goods.service.listings import get_listing
from gpcloud.supervision import plans
from gpcloud.transaction import bids
from gpcloud.transaction import service as projects
from gpcloud.transaction.tables import Project
from tests.integration.emall.world import emall_world, listing
from tests.integration.procurement import actor, filed_plan
from tests.integration.transaction.bidding import DEADLINE, bidder, seal, submit, tender
from tests.support import data, gql, login


async def listed(
    subject_kind: str, organisation: int, starts: date, ends: date, kind: str = "blacklist"
) -> dict:
    """A record about `organisation` decided by Xingning's supervisor."""
    supervisor = await actor("xn.supervisor")
    with use_scope(await xingning()):
        return await records.record(
            supervisor,
            records.RecordInput(
                subject_kind=subject_kind,
                subject_id=organisation,
                kind=kind,
                starts_on=starts,
                ends_on=ends,
                document="兴财采处〔2026〕21号",
                authority="兴宁市财政局",
                facts="提供虚假材料谋取中标",
            ),
        )


async def xingning():
    return (await tenant_tree()).scope_for("441481")


async def revoke(row: dict) -> None:
    with use_scope(await xingning()):
        await records.revoke(await actor("xn.supervisor"), row["id"], "决定被撤销")


async def snapshots(purpose: str) -> list[dict]:
    with all_tenants("test: credit snapshots"):
        return await CreditCheck.select().where(CreditCheck.purpose == purpose)


def around(day: date) -> tuple[date, date]:
    """A ban counting on `day`."""
    return day - timedelta(days=30), day + timedelta(days=300)


def ended(day: date) -> tuple[date, date]:
    """A ban that ended the day before `day`."""
    return day - timedelta(days=400), day - timedelta(days=1)


# ---------------------------------------------------------------------------------------------
# Bid submission: a warning, the bid is in
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


@pytest.fixture
async def tendering(demo, traveller):
    world = await filed_plan()
    project = await tender(world, traveller)
    traveller.move_to(DEADLINE - timedelta(hours=1))
    return project


async def test_a_clear_bidder_is_not_warned_and_its_snapshot_is_kept(tendering):
    b = await bidder(1)
    row, receipt, _ = await submit(b, tendering, "4000000")
    assert row["status"] == "submitted" and receipt.credit_warnings == ()
    [snapshot] = await snapshots("bid_submission")
    assert snapshot["organisation"] == b.organisation and snapshot["clear"]
    assert snapshot["tenant_id"] == "441481"  # the project's tenant, not the bidder's


async def test_a_listed_bidder_submits_and_is_warned(tendering):
    listed_one, other = await bidder(1), await bidder(2)
    record = await listed("supplier", listed_one.organisation, *around(clock.today()))
    row, receipt, _ = await submit(listed_one, tendering, "4000000")
    assert row["status"] == "submitted"  # the deadline and the evaluation decide
    [warning] = receipt.credit_warnings
    assert warning.code == "CREDIT_NOT_CLEAR" and warning.source == "gpcloud.credit"
    assert warning.kind == "blacklist" and warning.title == "政府采购严重违法失信行为记录名单"
    assert warning.reference == "兴财采处〔2026〕21号"
    assert warning.starts_on == record["starts_on"].isoformat()
    # Another organisation's record does not touch this one.
    _, receipt, _ = await submit(other, tendering, "4100000")
    assert receipt.credit_warnings == ()
    with all_tenants("test"):
        assert len(await bids.of_project(tendering, ("submitted",))) == 2


async def test_an_ended_or_revoked_record_no_longer_warns(tendering):
    ended_one, revoked_one = await bidder(1), await bidder(2)
    await listed("supplier", ended_one.organisation, *ended(clock.today()))
    await revoke(await listed("supplier", revoked_one.organisation, *around(clock.today())))
    for b in (ended_one, revoked_one):
        _, receipt, _ = await submit(b, tendering, "4000000")
        assert receipt.credit_warnings == ()


async def test_a_retry_is_not_checked_again(tendering):
    b = await bidder(1)
    await listed("supplier", b.organisation, *around(clock.today()))
    row, receipt, _ = await submit(b, tendering, "4000000")
    assert receipt.credit_warnings
    again, replayed = await bids.submit(
        b.user,
        tendering,
        "1",
        *(await _same_bid(row)),
    )
    assert replayed.replayed and again["id"] == row["id"] and replayed.credit_warnings == ()
    assert len(await snapshots("bid_submission")) == 1


async def _same_bid(row: dict) -> tuple[bytes, bytes, bytes]:
    """The stored bid's ciphertext, wrapped key and signature, as a retry sends them again."""
    return (
        await storage.get(row["storage_key"]),
        base64.b64decode(row["wrapped_key"]),
        base64.b64decode(row["signature"]),
    )


SUBMIT = """mutation($input: SubmitBidInput!) { submitBid(input: $input) {
  bid { status } creditWarnings { code source kind listName startsOn endsOn reference }
  errors { code } } }"""


async def test_the_bidder_reads_its_warnings_in_the_payload(client, tendering):
    listed_one, other = await bidder(1), await bidder(2)
    record = await listed("supplier", listed_one.organisation, *around(clock.today()))
    answers = []
    for n, b in ((1, listed_one), (2, other)):
        sealed, _ = seal(b, tendering, "4000000")
        variables = {
            "input": {
                "projectId": str(tendering),
                "lot": "1",
                "ciphertext": base64.b64encode(sealed.ciphertext).decode(),
                "wrappedKey": base64.b64encode(sealed.wrapped_key).decode(),
                "signature": base64.b64encode(sealed.signature).decode(),
            }
        }
        token = await login(client, f"gz.bidder{n}", "x" * 12)
        answers.append(data(await gql(client, SUBMIT, variables, token=token))["submitBid"])
    assert answers[0]["errors"] == [] and answers[0]["bid"]["status"] == "SUBMITTED"
    assert answers[0]["creditWarnings"] == [
        {
            "code": "CREDIT_NOT_CLEAR",
            "source": "gpcloud.credit",
            "kind": "blacklist",
            "listName": "政府采购严重违法失信行为记录名单",
            "startsOn": record["starts_on"].isoformat(),
            "endsOn": record["ends_on"].isoformat(),
            "reference": "兴财采处〔2026〕21号",
        }
    ]
    assert answers[1]["errors"] == [] and answers[1]["creditWarnings"] == []


# ---------------------------------------------------------------------------------------------
# E-mall orders: refused, nothing written
# ---------------------------------------------------------------------------------------------


@pytest.fixture
async def mall(demo):
    w = await emall_world()
    w["listing"] = await listing(w["xn"], "华岭", "5000.00", 30)
    return w


async def _order(w: dict) -> dict:
    with use_scope(w["scope"]):
        return await orders.place(
            w["purchaser"], orders.OrderInput(w["listing"], 2, w["plan"], w["indicator"])
        )


async def _stock(w: dict) -> int:
    with all_tenants("test"):
        return (await get_listing(w["listing"]))["stock"]


async def test_a_listed_supplier_cannot_be_ordered_from_and_nothing_is_written(mall):
    w = mall
    await listed("supplier", w["xn"], *around(clock.today()))
    with pytest.raises(DomainError) as info:
        await _order(w)
    assert info.value.code == "CREDIT_NOT_CLEAR" and info.value.problems[0].field == "listingId"
    with all_tenants("test"):
        assert await MallOrder.count() == 0
    assert await _stock(w) == 30
    assert await snapshots("emall_order") == []
    with use_scope(w["scope"]):
        assert (await plans.get(w["plan"]))["status"] == "filed"


async def test_a_clear_supplier_is_ordered_from_whatever_others_records(mall):
    w = mall
    await listed("supplier", w["mz"], *around(clock.today()))  # another supplier's ban
    order = await _order(w)
    assert order["status"] == "placed" and await _stock(w) == 28
    [snapshot] = await snapshots("emall_order")
    assert snapshot["organisation"] == w["xn"] and snapshot["clear"]


async def test_an_ended_or_revoked_record_no_longer_blocks_an_order(mall):
    w = mall
    await listed("supplier", w["xn"], *ended(clock.today()))
    await revoke(await listed("supplier", w["xn"], *around(clock.today())))
    assert (await _order(w))["status"] == "placed"


# ---------------------------------------------------------------------------------------------
# Entrustment of an agency: refused, nothing written
# ---------------------------------------------------------------------------------------------


@pytest.fixture
async def plan_world(demo):
    world = await filed_plan()
    with all_tenants("test"):
        agencies = await Agency.select(Agency.id, Agency.organisation).order_by(Agency.id)
    world["agency_organisation"] = next(
        a["organisation"] for a in agencies if a["id"] == world["agency"]
    )
    world["other_agency_organisation"] = next(
        a["organisation"] for a in agencies if a["id"] != world["agency"]
    )
    return world


async def _entrust(world: dict) -> dict:
    with use_scope(world["scope"]):
        return await projects.entrust(world["purchaser"], world["plan"], world["agency"])


async def test_a_listed_agency_cannot_be_entrusted_and_nothing_is_written(plan_world):
    world = plan_world
    await listed("agency", world["agency_organisation"], *around(clock.today()))
    with pytest.raises(DomainError) as info:
        await _entrust(world)
    assert info.value.code == "CREDIT_NOT_CLEAR" and info.value.problems[0].field == "agencyId"
    with all_tenants("test"):
        assert await Project.count().where(Project.plan == world["plan"]) == 0
    with use_scope(world["scope"]):
        assert (await plans.get(world["plan"]))["status"] == "filed"
    assert await snapshots("entrustment") == []


async def test_a_clear_agency_is_entrusted_whatever_others_records(plan_world):
    world = plan_world
    await listed("agency", world["other_agency_organisation"], *around(clock.today()))
    project = await _entrust(world)
    assert project["agency"] == world["agency"]
    [snapshot] = await snapshots("entrustment")
    assert snapshot["organisation"] == world["agency_organisation"] and snapshot["clear"]


async def test_an_ended_or_revoked_record_no_longer_blocks_entrustment(plan_world):
    world = plan_world
    await listed("agency", world["agency_organisation"], *ended(clock.today()))
    await revoke(await listed("agency", world["agency_organisation"], *around(clock.today())))
    assert (await _entrust(world))["plan"] == world["plan"]
