"""Three complaints found groundless within 12 months put the supplier on the bad-behaviour
list (Order 94 art. 37, unverified): a credit record of kind groundless_complaints, recorded
by the credit service with the deciding department as its region."""

from __future__ import annotations

from datetime import date

import pytest

from gpcloud.complaints.service import complaints, decisions
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.credit.tables import CreditRecord
from tests.integration.complaints.support import (
    answer,
    call,
    challenge,
    complain,
    complaint_world,
)


@pytest.fixture
async def world(demo):
    return await complaint_world()


async def dismissed(world, complaint_id: int, day: date, groundless: bool, n: int) -> dict:
    dept = world["department"]
    await call(dept, day, lambda: complaints.accept(dept, complaint_id))
    await call(dept, day, lambda: complaints.serve(dept, complaint_id))
    data = decisions.DecisionInput(
        "dismissed", "缺乏事实依据", f"兴财采决〔2026〕{n}号", groundless=groundless
    )
    return await call(dept, day, lambda: decisions.decide(dept, complaint_id, data))


async def records() -> list[dict]:
    with all_tenants("test"):
        return await CreditRecord.select().where(CreditRecord.kind == "groundless_complaints")


async def filed(world, target: str, step: str, on: date) -> int:
    row = await challenge(world, on, target, step)
    await answer(world, row["id"], on)
    return (await complain(world, row["id"], on))["id"]


async def test_the_third_groundless_complaint_records_bad_behaviour(world):
    first = await filed(world, "documents", "", date(2026, 10, 9))
    second = await filed(world, "step", "tender_announcement", date(2026, 10, 12))
    third = await filed(world, "result", "", date(2026, 10, 20))
    other = await filed(world, "step", "bid_deadline", date(2026, 10, 13))
    await dismissed(world, first, date(2026, 10, 21), True, 1)
    await dismissed(world, other, date(2026, 10, 21), False, 2)  # dismissed, not groundless
    await dismissed(world, second, date(2026, 10, 22), True, 3)
    assert await records() == []
    await dismissed(world, third, date(2026, 10, 23), True, 4)
    found = await records()
    assert len(found) == 1
    record = found[0]
    assert record["organisation"] == world["rival"].organisation_id
    assert (record["region"], record["source"], record["status"]) == (
        "441481",
        "platform_event",
        "active",
    )
    assert record["document"] == "兴财采决〔2026〕4号"
    assert "3 complaints found groundless" in record["facts"]
