"""A bid's e-guarantee is checked as the bid is sealed and submitted (the bidder's, for this
project, in force, authentic, meeting the requirement, not expired, named by no other live bid)
and again at the opening, where the agency checks each bid's security against the requirement
as it stands; no agency check before the opening (who bid is hidden until then)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from gpcloud.core.clock import on_day
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.finance_services.service import guarantees, settlement
from gpcloud.finance_services.tables import BidGuarantee
from gpcloud.transaction.tables import Bid
from tests.integration.finance_services.support import admitted, signing_key
from tests.integration.finance_services.test_guarantees import issuance
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE, bidder, submit, tender, tick
from tests.plugins.exercise import exercised


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def test_securities_are_checked_at_the_opening(world, traveller):
    project = await tender(world, traveller)
    with use_scope(world["scope"]):
        await guarantees.require(
            world["agent"], project, Decimal("80000"), date(2027, 1, 31), "purchaser"
        )
    fi = await admitted("xn.bank")
    key = await signing_key(fi)
    first, second, third = [await bidder(i) for i in (1, 2, 3)]
    numbers = {}
    for n, b in ((1, first), (2, second)):
        with use_scope(world["scope"]):
            row = await guarantees.apply(b.user, project, fi["row"]["id"])
        with use_scope(fi["scope"]):
            issued = await guarantees.issue(
                fi["user"], row["id"], issuance(row, key, number=f"BH-{n}")
            )
        numbers[b.organisation] = issued["number"]
    traveller.move_to(DEADLINE - timedelta(hours=1))
    await submit(first, project, "4100000", security="BH-1")
    await submit(second, project, "4200000", security="BH-2")
    await submit(third, project, "4300000")  # none
    with use_scope(world["scope"]):  # the agency raises the security after the bids came in
        await guarantees.require(
            world["agent"], project, Decimal("81000"), date(2027, 1, 31), "purchaser"
        )
    with use_scope(world["scope"]), pytest.raises(DomainError) as early:
        await settlement.bid_securities(world["agent"], project)
    assert early.value.code == "NOT_OPENED"
    traveller.move_to(DEADLINE + timedelta(seconds=2))
    await tick()
    with use_scope(world["scope"]):
        checks = {
            c["supplier_organisation"]: c
            for c in await settlement.bid_securities(world["agent"], project)
        }
    assert checks[first.organisation]["problems"] == ["GUARANTEE_AMOUNT_SHORT"]
    assert checks[second.organisation]["problems"] == ["GUARANTEE_AMOUNT_SHORT"]
    assert checks[third.organisation]["problems"] == ["NO_SECURITY"]


async def guaranteed(world, fi, key, b, project, number, valid=date(2027, 1, 31)) -> dict:
    with use_scope(world["scope"]):
        row = await guarantees.apply(b.user, project, fi["row"]["id"])
    with use_scope(fi["scope"]):
        return await guarantees.issue(
            fi["user"], row["id"], issuance(row, key, number=number, valid=valid)
        )


async def refused(b, project, security, lot="1") -> str:
    with pytest.raises(DomainError) as caught:
        await submit(b, project, "4100000", lot=lot, security=security)
    return caught.value.code


async def bids_naming(security: str) -> list[dict]:
    with all_tenants("test: the bids"):
        return await Bid.select().where(Bid.security == security).order_by(Bid.id)


async def test_a_guarantee_is_checked_as_the_bid_is_sealed(world, traveller):
    project = await tender(world, traveller)
    with use_scope(world["scope"]):
        await guarantees.require(
            world["agent"], project, Decimal("80000"), date(2027, 1, 31), "purchaser"
        )
    fi = await admitted("xn.bank")
    key = await signing_key(fi)
    first, second = await bidder(1), await bidder(2)
    await guaranteed(world, fi, key, first, project, "BH-1")
    await guaranteed(world, fi, key, second, project, "BH-2")
    traveller.move_to(DEADLINE - timedelta(hours=1))
    with exercised("gpcloud_bid_security_check") as ran:
        assert await refused(second, project, "BH-1") == "GUARANTEE_NOT_THE_BIDDERS"
    assert ("gpcloud_bid_security_check", "builtin:finance_services") in ran
    assert await bids_naming("BH-1") == []  # refused: nothing stored
    await submit(first, project, "4100000", security="BH-1")
    await submit(first, project, "4000000", security=" BH-1 ")  # replaces its bid for lot 1
    assert await refused(first, project, "BH-1", lot="2") == "GUARANTEE_IN_USE"
    assert [b["status"] for b in await bids_naming("BH-1")] == ["withdrawn", "submitted"]
    await submit(second, project, "4200000", lot="2", security="DEP-2026-778")  # a deposit
    with use_scope(world["scope"]):  # the requirement raised: BH-2 now falls short
        await guarantees.require(
            world["agent"], project, Decimal("90000"), date(2027, 1, 31), "purchaser"
        )
    assert await refused(second, project, "BH-2") == "GUARANTEE_AMOUNT_SHORT"
    with use_scope(world["scope"]):
        await guarantees.require(
            world["agent"], project, Decimal("80000"), date(2027, 1, 31), "purchaser"
        )
    with all_tenants("test: a guarantee tampered with in the database"):
        await BidGuarantee.update({BidGuarantee.amount_fen: 9_000_000}).where(
            BidGuarantee.number == "BH-2"
        )
    assert await refused(second, project, "BH-2") == "GUARANTEE_SIGNATURE_INVALID"
    assert await bids_naming("BH-2") == []


async def test_an_expired_guarantee_is_refused(world, traveller):
    project = await tender(world, traveller)
    with use_scope(world["scope"]):  # bids valid until 25 Sep: the guarantee ends then
        await guarantees.require(
            world["agent"], project, Decimal("80000"), date(2026, 9, 25), "purchaser"
        )
    fi = await admitted("xn.bank")
    key = await signing_key(fi)
    first = await bidder(1)
    await guaranteed(world, fi, key, first, project, "BH-OLD", valid=date(2026, 9, 25))
    traveller.move_to(DEADLINE - timedelta(hours=1))
    with on_day(date(2026, 10, 12)):
        assert await refused(first, project, "BH-OLD") == "GUARANTEE_EXPIRED"
    with on_day(date(2026, 9, 25)):  # its last day: still in force
        await submit(first, project, "4100000", security="BH-OLD")


async def test_bids_racing_with_one_guarantee_one_is_in(world, traveller):
    """One bidder sends bids for four lots at once, all naming the same guarantee: the bidder's
    lock makes them take turns, and one guarantee secures one bid."""
    project = await tender(world, traveller)
    with use_scope(world["scope"]):
        await guarantees.require(
            world["agent"], project, Decimal("80000"), date(2027, 1, 31), "purchaser"
        )
    fi = await admitted("xn.bank")
    key = await signing_key(fi)
    first = await bidder(1)
    await guaranteed(world, fi, key, first, project, "BH-RACE")
    traveller.move_to(DEADLINE - timedelta(hours=1))
    outcomes = await asyncio.gather(
        *(submit(first, project, "4100000", lot=str(n), security="BH-RACE") for n in range(1, 5)),
        return_exceptions=True,
    )
    codes = sorted(o.code for o in outcomes if isinstance(o, DomainError))
    assert len([o for o in outcomes if not isinstance(o, BaseException)]) == 1, outcomes
    assert codes == ["GUARANTEE_IN_USE"] * 3
    assert [b["status"] for b in await bids_naming("BH-RACE")] == ["submitted"]
