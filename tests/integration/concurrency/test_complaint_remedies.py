"""The remedy and timer-hold transitions raced (see test_transitions.py): N identical requests at
once, exactly one wins, and the project, its contract and its held timer move once."""

from __future__ import annotations

from datetime import date, datetime

from gpcloud.complaints.service import decisions, suspensions
from gpcloud.complaints.tables import ComplaintDecision
from gpcloud.core import clock
from gpcloud.core.tenancy.scope import all_tenants
from tests.integration.complaints.support import call, complaint_world
from tests.integration.complaints.test_remedies import heard, upheld
from tests.integration.complaints.test_suspension_timers import (  # noqa: F401 (fixtures)
    LEFT,
    SUSPENDED_AT,
    traveller,
    world,
)
from tests.integration.concurrency.test_transitions import audited, one_wins, race
from tests.integration.contracts.test_contracts import draft
from tests.integration.transaction.bidding import project_row


async def test_deciding_with_a_remedy(demo):
    decided = await complaint_world()
    with clock.on_day(date(2026, 10, 19)):
        await draft(decided)
    filed = await heard(decided)
    dept = decided["department"]
    data = upheld("award_void")
    one_wins(
        *await race(
            lambda: call(dept, date(2026, 11, 2), lambda: decisions.decide(dept, filed["id"], data))
        )
    )
    with all_tenants("test"):
        assert await ComplaintDecision.count() == 1
    assert (await project_row(decided["project"]))["status"] == "redo"
    assert await audited("project.order_redo") == 1
    assert await audited("contract.void") == 1


async def test_suspending_and_lifting_hold_and_resume_the_deadline_once(world, traveller):  # noqa: F811
    dept = world["department"]
    traveller.move_to(SUSPENDED_AT)
    wins, losses = await race(
        lambda: call(
            dept,
            date(2026, 10, 12),
            lambda: suspensions.suspend(dept, world["complaint"], 10, "暂停"),
        )
    )
    assert len(wins) == 1 and set(losses) <= {"ALREADY_SUSPENDED", "CONFLICT"}, losses
    assert await audited("project.hold_bidding") == 1
    lifted_at = datetime.fromisoformat("2026-10-14T10:00:00+08:00")
    traveller.move_to(lifted_at)
    one_wins(
        *await race(
            lambda: call(dept, date(2026, 10, 14), lambda: suspensions.lift(dept, wins[0]["id"]))
        )
    )
    assert await audited("project.resume_bidding") == 1
    assert (await project_row(world["project"]))["bid_deadline_at"] == lifted_at + LEFT


async def test_answering_a_challenge_with_a_remedy(demo):
    from gpcloud.complaints.service import challenges
    from tests.integration.complaints.support import challenge

    answered = await complaint_world()
    row = await challenge(answered, date(2026, 10, 20))
    agent = answered["agent"]
    one_wins(
        *await race(
            lambda: call(
                agent,
                date(2026, 10, 21),
                lambda: challenges.answer(agent, row["id"], "成立", "redo_step", "evaluation"),
            )
        )
    )
    assert (await project_row(answered["project"]))["status"] == "redo"
    assert await audited("project.order_redo") == 1
    assert await audited("challenge.answer") == 1
