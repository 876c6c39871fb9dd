"""Complaint transitions raced (see test_transitions.py): N identical requests at once, exactly
one wins; its notices, decision, portal notice and audit entry happen once."""

from __future__ import annotations

from datetime import date

import pytest

from gpcloud.complaints.service import challenges, complaints, decisions, inquiries, suspensions
from gpcloud.complaints.tables import Challenge, Complaint, ComplaintDecision, Suspension
from gpcloud.core.tenancy.scope import all_tenants
from tests.integration.complaints.support import (
    ITEMS,
    answer,
    call,
    challenge,
    complain,
    complaint_world,
)
from tests.integration.concurrency.test_transitions import audited, notices, one_wins, race


@pytest.fixture
async def world(demo):
    return await complaint_world()


async def count(table) -> int:
    with all_tenants("test"):
        return await table.count()


async def test_filing_a_challenge_and_answering_it(world):
    rival = world["rival"]
    data = challenges.ChallengeInput(world["project"], "result", ITEMS)
    wins, losses = await race(
        lambda: call(rival, date(2026, 10, 20), lambda: challenges.file(rival, data))
    )
    assert len(wins) == 1 and set(losses) <= {"ALREADY_CHALLENGED", "CONFLICT"}, losses
    assert await count(Challenge) == 1
    agent = world["agent"]
    one_wins(
        *await race(
            lambda: call(
                agent, date(2026, 10, 21), lambda: challenges.answer(agent, wins[0]["id"], "答复")
            )
        )
    )
    assert await audited("challenge.answer") == 1


async def test_answering_an_inquiry(world):
    rival, agent = world["rival"], world["agent"]
    row = await call(
        rival, date(2026, 10, 20), lambda: inquiries.ask(rival, world["project"], "交货期？")
    )
    one_wins(
        *await race(
            lambda: call(
                agent, date(2026, 10, 21), lambda: inquiries.answer(agent, row["id"], "不变。")
            )
        )
    )
    assert await audited("inquiry.answer") == 1


async def test_complaining_accepting_suspending_and_deciding(world):
    row = await challenge(world, date(2026, 10, 20))
    await answer(world, row["id"], date(2026, 10, 21))
    wins, losses = await race(lambda: complain(world, row["id"], date(2026, 10, 22)))
    assert len(wins) == 1 and set(losses) <= {"ALREADY_COMPLAINED", "CONFLICT", "WRONG_STATE"}
    assert await count(Complaint) == 1
    filed = wins[0]
    dept, agent = world["department"], world["agent"]
    one_wins(
        *await race(
            lambda: call(dept, date(2026, 10, 23), lambda: complaints.accept(dept, filed["id"]))
        )
    )
    wins, losses = await race(
        lambda: call(
            dept, date(2026, 10, 23), lambda: suspensions.suspend(dept, filed["id"], 10, "暂停")
        )
    )
    assert len(wins) == 1 and set(losses) <= {"ALREADY_SUSPENDED", "CONFLICT"}, losses
    assert await count(Suspension) == 1
    await call(dept, date(2026, 10, 26), lambda: complaints.serve(dept, filed["id"]))
    await call(agent, date(2026, 10, 27), lambda: complaints.respond(agent, filed["id"], "无误"))
    data = decisions.DecisionInput("dismissed", "缺乏事实依据", "兴财采决〔2026〕2号", True)
    one_wins(
        *await race(
            lambda: call(dept, date(2026, 11, 2), lambda: decisions.decide(dept, filed["id"], data))
        )
    )
    assert await count(ComplaintDecision) == 1
    assert await notices("decision") == 1
    assert await audited("complaint.dismiss") == 1
    assert await audited("procurement_suspension.lift") == 1
