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


async def test_bad_answers_and_strangers(world):
    row = await challenge(world, date(2026, 10, 20))
    other_agency = await actor("xn.agency")  # an agency, but not this project's
    work = lambda: call(
        other_agency,
        date(2026, 10, 21),
        lambda: challenges.answer(other_agency, row["id"], "答复"),
    )
    assert await codes(work) == ["NOT_FOUND"]
    agent = world["agent"]
    short = lambda: call(agent, date(2026, 10, 21), lambda: challenges.answer(agent, row["id"], ""))
    assert await codes(short) == ["INVALID_ANSWER"]
    other = world["other"]

    def withdraw():
        return call(other, date(2026, 10, 21), lambda: challenges.withdraw(other, row["id"]))

    assert await codes(withdraw) == ["NOT_FOUND"]
    entrusted = lambda: call(other, date(2026, 10, 21), lambda: inquiries.ask(other, 999, "问题？"))
    assert await codes(entrusted) == ["NOT_FOUND"]
    await nothing_written(Inquiry)


async def test_bad_complaint_handling(world):
    row = await challenge(world, date(2026, 10, 20))
    await answer(world, row["id"], date(2026, 10, 21))
    other = world["other"]
    stranger = lambda: call(
        other,
        date(2026, 10, 22),
        lambda: complaints.file(other, row["id"], [{"item": 0, "request": "重新评审"}]),
    )
    assert await codes(stranger) == ["NOT_FOUND"]
    filed = await complain(world, row["id"], date(2026, 10, 22))
    dept = world["department"]
    early = lambda: call(
        dept,
        date(2026, 10, 22),
        lambda: decisions.decide(
            dept, filed["id"], decisions.DecisionInput("dismissed", "理由", "文号")
        ),
    )
    assert await codes(early) == ["WRONG_STATE"]  # not accepted and served yet
    bad = decisions.DecisionInput("upheld", "理由", "文号", groundless=True, remedy="none")
    work = lambda: call(dept, date(2026, 10, 22), lambda: decisions.decide(dept, filed["id"], bad))
    assert await codes(work) == ["INVALID_REMEDY", "INVALID_OUTCOME"]

    def zero():
        return call(
            dept, date(2026, 10, 22), lambda: suspensions.suspend(dept, filed["id"], 0, "暂停")
        )

    assert await codes(zero) == ["SUSPENSION_TOO_LONG"]
    await nothing_written(ComplaintDecision)
