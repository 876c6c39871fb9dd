"""At the opening the agency checks each bid's security against its guarantee: in force,
authentic, and issued for that bidder and project; no check before the opening (who bid is
hidden until then)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.finance_services.service import guarantees, settlement
from tests.integration.finance_services.support import admitted, signing_key
from tests.integration.finance_services.test_guarantees import issuance
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE, bidder, submit, tender, tick


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
    await submit(second, project, "4200000", security="BH-1")  # another bidder's guarantee
    await submit(third, project, "4300000")  # none
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
    assert checks[first.organisation]["valid"] and checks[first.organisation]["problems"] == []
    assert checks[second.organisation]["problems"] == ["GUARANTEE_NOT_THE_BIDDERS"]
    assert checks[third.organisation]["problems"] == ["NO_SECURITY"]
