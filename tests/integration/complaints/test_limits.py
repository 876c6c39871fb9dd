"""Every statutory limit on the working-day calendar, with holidays in the window: Mid-Autumn
(25 Sep 2026), National Day (1-7 Oct) and the make-up working day Saturday 10 Oct. Each limit
is tried on its last day (accepted) and the day after (refused, or the clock missed)."""

from __future__ import annotations

from datetime import date

import pytest

from gpcloud.complaints.service import clocks, complaints, inquiries, suspensions
from gpcloud.complaints.tables import Challenge, Complaint
from gpcloud.core.errors import DomainError
from gpcloud.core.notifications.tables import Notification
from gpcloud.core.tenancy.scope import all_tenants
from tests.integration.complaints.support import (
    answer,
    call,
    challenge,
    complain,
    complaint_world,
    tick_after,
)


@pytest.fixture
async def world(demo):
    return await complaint_world()


async def _code(work) -> str:
    with pytest.raises(DomainError) as caught:
        await work()
    return caught.value.code


async def clock_of(kind: str, object_id: int, name: str) -> dict:
    return [c for c in (await clocks.of(kind, [object_id]))[0] if c["name"] == name][-1]


async def status_of(table, row_id: int) -> str:
    with all_tenants("test"):
        return (await table.select(table.status).where(table.id == row_id).first())["status"]


async def test_inquiry_answer_counts_the_make_up_saturday(world):
    """Asked on 30 Sep: 8 Oct (1), 9 Oct (2), Saturday 10 Oct (3, a make-up working day)."""
    rival = world["rival"]
    row = await call(
        rival, date(2026, 9, 30), lambda: inquiries.ask(rival, world["project"], "交货期能否延长？")
    )
    assert row["answer_due"] == date(2026, 10, 10)
    ran = await tick_after(date(2026, 10, 9))
    assert not [d for d in ran if d.machine == "statutory clock"]
    assert (await clock_of("inquiry", row["id"], "answer"))["status"] == "open"
    ran = await tick_after(date(2026, 10, 10))
    assert [d.action for d in ran if d.machine == "statutory clock"] == ["miss"]
    assert (await clock_of("inquiry", row["id"], "answer"))["status"] == "missed"
    with all_tenants("test"):
        told = await Notification.count().where(Notification.kind == "complaints.clock_missed")
    assert told >= 1  # the purchaser's and the agency's users
    agent = world["agent"]
    late = await call(
        agent, date(2026, 10, 12), lambda: inquiries.answer(agent, row["id"], "不能延长。")
    )
    assert late["status"] == "answered"
    assert (await clock_of("inquiry", row["id"], "answer"))["status"] == "missed"  # stays late


async def test_challenge_of_a_step_over_national_day(world):
    """The tender announcement's period ended 29 Sep (Mid-Autumn 25 Sep not counted); 7 wd:
    30 Sep, 8, 9, 10 (Saturday, make-up), 12, 13, 14 Oct."""
    with pytest.raises(DomainError) as late:
        await challenge(world, date(2026, 10, 15), "step", "tender_announcement")
    assert late.value.code == "CHALLENGE_TOO_LATE"
    assert "2026-10-14" in str(late.value) and "National Day" in str(late.value)
    row = await challenge(world, date(2026, 10, 14), "step", "tender_announcement")
    assert (row["known_on"], row["window_end"]) == (date(2026, 9, 29), date(2026, 10, 14))
    assert row["answer_due"] == date(2026, 10, 23)


async def test_challenge_of_the_documents_from_the_day_obtained(world):
    """Obtained 23 Sep: 24, 28, 29, 30 Sep, 8, 9, 10 Oct (Mid-Autumn and National Day out)."""
    row = await challenge(world, date(2026, 10, 10), "documents")
    assert (row["known_on"], row["window_end"]) == (date(2026, 9, 23), date(2026, 10, 10))
    code = await _code(
        lambda: challenge(world, date(2026, 10, 12), "documents", who=world["other"])
    )
    assert code == "CHALLENGE_TOO_LATE"


async def test_challenge_of_the_result_and_one_filing_per_step(world):
    """The result's notice period ended 19 Oct: 7 wd end 28 Oct; answer 7 wd from filing;
    complaint 15 wd after the answer period."""
    assert await _code(lambda: challenge(world, date(2026, 10, 29))) == "CHALLENGE_TOO_LATE"
    row = await challenge(world, date(2026, 10, 28))
    assert row["window_end"] == date(2026, 10, 28)
    assert row["answer_due"] == date(2026, 11, 6)
    assert row["complaint_until"] == date(2026, 11, 27)
    assert await _code(lambda: challenge(world, date(2026, 10, 28))) == "ALREADY_CHALLENGED"
    with all_tenants("test"):
        assert await Challenge.count() == 1


async def test_a_stranger_challenges_no_step(world):
    from tests.integration.transaction.bidding import bidder

    stranger = (await bidder(9)).user
    code = await _code(lambda: challenge(world, date(2026, 10, 20), who=stranger))
    assert code == "NOT_A_PARTY"


async def test_unanswered_challenge_overdue_then_complaint_window(world):
    row = await challenge(world, date(2026, 10, 20))  # answer due 29 Oct
    assert await _code(lambda: complain(world, row["id"], date(2026, 10, 29))) == (
        "COMPLAINT_TOO_EARLY"
    )
    await tick_after(date(2026, 10, 29))
    assert (await clock_of("challenge", row["id"], "answer"))["status"] == "missed"
    assert await status_of(Challenge, row["id"]) == "claim"  # still blocks, shown overdue
    # complaint window 15 wd after 29 Oct: 19 Nov
    assert row["complaint_until"] == date(2026, 11, 19)
    await tick_after(date(2026, 11, 19))
    assert await status_of(Challenge, row["id"]) == "closed"
    assert await _code(lambda: complain(world, row["id"], date(2026, 11, 20))) == "WRONG_STATE"


async def test_complaint_on_the_last_day_only_on_what_was_challenged(world):
    row = await challenge(world, date(2026, 10, 20))
    await answer(world, row["id"], date(2026, 10, 22))
    rival = world["rival"]
    wrong = [{"item": 1, "request": "另案"}]
    code = await _code(
        lambda: call(rival, date(2026, 11, 19), lambda: complaints.file(rival, row["id"], wrong))
    )
    assert code == "NOT_CHALLENGED"
    assert await _code(lambda: complain(world, row["id"], date(2026, 11, 20))) == (
        "COMPLAINT_TOO_LATE"
    )
    filed = await complain(world, row["id"], date(2026, 11, 19))
    assert filed["tenant_id"] == "441481"  # the purchaser's budget level
    assert filed["review_due"] == date(2026, 11, 26)  # 5 wd
    assert filed["decision_due"] == date(2026, 12, 31)  # 30 wd
    assert await status_of(Challenge, row["id"]) == "complained"


async def test_missing_material_once_pauses_the_decision_clock(world):
    row = await challenge(world, date(2026, 10, 20))
    await answer(world, row["id"], date(2026, 10, 21))
    filed = await complain(world, row["id"], date(2026, 10, 22))  # decision due 3 Dec
    assert filed["decision_due"] == date(2026, 12, 3)
    dept, rival = world["department"], world["rival"]
    await call(
        dept,
        date(2026, 10, 26),
        lambda: complaints.request_material(dept, filed["id"], "请补充评分表证据"),
    )
    code = await _code(
        lambda: call(
            dept,
            date(2026, 10, 26),
            lambda: complaints.request_material(dept, filed["id"], "再补充"),
        )
    )
    assert code in ("MATERIAL_ALREADY_REQUESTED", "WRONG_STATE")
    assert (await clock_of("complaint", filed["id"], "material"))["due_on"] == date(2026, 11, 2)
    assert (await clock_of("complaint", filed["id"], "decision"))["status"] == "paused"
    # supplied on 29 Oct: 27, 28, 29 Oct not counted -> decision due 3 Dec + 3 wd = 8 Dec
    back = await call(
        rival,
        date(2026, 10, 29),
        lambda: complaints.supplement(rival, filed["id"], "评分表及证人证言"),
    )
    assert (back["status"], back["paused_days"]) == ("filed", 3)
    assert back["decision_due"] == date(2026, 12, 8)
    assert back["review_due"] == date(2026, 11, 5)


async def test_material_not_supplied_lapses_the_complaint(world):
    row = await challenge(world, date(2026, 10, 20))
    await answer(world, row["id"], date(2026, 10, 21))
    filed = await complain(world, row["id"], date(2026, 10, 22))
    dept = world["department"]
    await call(
        dept, date(2026, 10, 23), lambda: complaints.request_material(dept, filed["id"], "补充")
    )
    await tick_after(date(2026, 10, 29))  # due 30 Oct: not yet
    assert await status_of(Complaint, filed["id"]) == "incomplete"
    await tick_after(date(2026, 10, 30))
    assert await status_of(Complaint, filed["id"]) == "lapsed"


async def test_accept_copy_response_pause_and_decision_due(world):
    row = await challenge(world, date(2026, 10, 20))
    await answer(world, row["id"], date(2026, 10, 21))
    filed = await complain(world, row["id"], date(2026, 10, 22))
    dept, agent = world["department"], world["agent"]
    await call(dept, date(2026, 10, 23), lambda: complaints.accept(dept, filed["id"]))
    assert (await clock_of("complaint", filed["id"], "copy"))["due_on"] == date(2026, 11, 4)
    await tick_after(date(2026, 11, 4))
    assert (await clock_of("complaint", filed["id"], "copy"))["status"] == "missed"
    await call(dept, date(2026, 11, 5), lambda: complaints.serve(dept, filed["id"]))
    assert (await clock_of("complaint", filed["id"], "response"))["due_on"] == date(2026, 11, 12)
    await call(
        agent, date(2026, 11, 10), lambda: complaints.respond(agent, filed["id"], "评审合规。")
    )
    assert (await clock_of("complaint", filed["id"], "response"))["status"] == "met"
    await call(dept, date(2026, 11, 11), lambda: complaints.pause(dept, filed["id"], "专家复核"))
    resumed = await call(dept, date(2026, 11, 18), lambda: complaints.resume(dept, filed["id"]))
    # 12, 13, 16, 17, 18 Nov: 5 wd not counted; 3 Dec + 5 wd = 10 Dec
    assert (resumed["status"], resumed["paused_days"]) == ("answered", 5)
    assert resumed["decision_due"] == date(2026, 12, 10)


async def test_suspension_at_most_thirty_days_in_all(world):
    row = await challenge(world, date(2026, 10, 20))
    await answer(world, row["id"], date(2026, 10, 21))
    filed = await complain(world, row["id"], date(2026, 10, 22))
    dept = world["department"]

    def suspend(days, day):
        return call(dept, day, lambda: suspensions.suspend(dept, filed["id"], days, "调查期间暂停"))

    assert await _code(lambda: suspend(31, date(2026, 10, 23))) == "SUSPENSION_TOO_LONG"
    first = await suspend(20, date(2026, 10, 23))
    assert (first["starts_on"], first["ends_on"]) == (date(2026, 10, 23), date(2026, 11, 11))
    assert await _code(lambda: suspend(5, date(2026, 10, 24))) == "ALREADY_SUSPENDED"
    await call(dept, date(2026, 11, 2), lambda: suspensions.lift(dept, first["id"]))
    assert await _code(lambda: suspend(21, date(2026, 11, 3))) == "SUSPENSION_TOO_LONG"
    second = await suspend(20, date(2026, 11, 3))  # 10 days used: 20 left
    await tick_after(date(2026, 11, 21))
    assert (await suspensions.get(second["id"]))["status"] == "active"
    await tick_after(date(2026, 11, 22))
    assert (await suspensions.get(second["id"]))["status"] == "expired"
