"""Bad input is refused with a stable code and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from gpcloud.complaints.service import challenges, complaints, decisions, inquiries, suspensions
from gpcloud.complaints.tables import Challenge, ComplaintClock, ComplaintDecision, Inquiry
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants
from tests.integration.complaints.support import (
    ITEMS,
    answer,
    call,
    challenge,
    complain,
    complaint_world,
)
from tests.integration.procurement import actor


@pytest.fixture
async def world(demo):
    return await complaint_world()


async def codes(work) -> list[str]:
    with pytest.raises(DomainError) as caught:
        await work()
    return [p.code for p in caught.value.problems]


async def nothing_written(*tables) -> None:
    with all_tenants("test"):
        for table in tables:
            assert await table.count() == 0, table


async def test_bad_challenges(world):
    rival, day = world["rival"], date(2026, 10, 20)

    def file(target="result", items=ITEMS, step=""):
        data = challenges.ChallengeInput(world["project"], target, items, step=step)
        return call(rival, day, lambda: challenges.file(rival, data))

    assert await codes(lambda: file(items=[])) == ["INVALID_ITEMS"]
    assert await codes(lambda: file(items=[{"claim": "x", "request": "重新评审"}])) == [
        "INVALID_ITEMS"
    ]
    assert await codes(lambda: file(target="award")) == ["INVALID_TARGET"]
    assert await codes(lambda: file(target="step", step="lunch")) == ["INVALID_STEP"]
    assert await codes(lambda: file(target="step", step="opening")) == ["STEP_NOT_ENDED"]
    await nothing_written(Challenge, ComplaintClock)


async def refused(user, day: date, work) -> list[str]:
    return await codes(lambda: call(user, day, work))


async def test_bad_answers_and_strangers(world):
    row = await challenge(world, date(2026, 10, 20))
    day = date(2026, 10, 21)
    other_agency = await actor("xn.agency")  # an agency, but not this project's
    assert await refused(
        other_agency, day, lambda: challenges.answer(other_agency, row["id"], "答复")
    ) == ["NOT_FOUND"]
    agent, other = world["agent"], world["other"]
    assert await refused(agent, day, lambda: challenges.answer(agent, row["id"], "")) == [
        "INVALID_ANSWER"
    ]
    assert await refused(other, day, lambda: challenges.withdraw(other, row["id"])) == ["NOT_FOUND"]
    assert await refused(other, day, lambda: inquiries.ask(other, 999, "问题？")) == ["NOT_FOUND"]
    await nothing_written(Inquiry)


async def test_bad_complaint_handling(world):
    row = await challenge(world, date(2026, 10, 20))
    await answer(world, row["id"], date(2026, 10, 21))
    day = date(2026, 10, 22)
    other = world["other"]
    items = [{"item": 0, "request": "重新评审"}]
    assert await refused(other, day, lambda: complaints.file(other, row["id"], items)) == [
        "NOT_FOUND"
    ]
    filed = await complain(world, row["id"], day)
    dept = world["department"]
    early = decisions.DecisionInput("dismissed", "理由", "文号")
    # not accepted and served yet
    assert await refused(dept, day, lambda: decisions.decide(dept, filed["id"], early)) == [
        "WRONG_STATE"
    ]
    bad = decisions.DecisionInput("upheld", "理由", "文号", groundless=True, remedy="none")
    assert await refused(dept, day, lambda: decisions.decide(dept, filed["id"], bad)) == [
        "INVALID_REMEDY",
        "INVALID_OUTCOME",
    ]
    assert await refused(dept, day, lambda: suspensions.suspend(dept, filed["id"], 0, "暂停")) == [
        "SUSPENSION_TOO_LONG"
    ]
    await nothing_written(ComplaintDecision)
