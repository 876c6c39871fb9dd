"""The evaluation after the opening: check-in by face (billed once per attempt), the two reviews,
independent scores, the engine's ranking, the frozen report signed by every member (billed once
per member), sent by the agency and the winner confirmed by the purchaser in ranking order."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import time_machine

from gpcloud.core import clock
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.notifications.tables import Notification
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.evaluation.service import (
    checkin,
    committees,
    evaluations,
    fee_statement,
    reports,
    results,
    reviews,
    scores,
)
from gpcloud.usage import development
from gpcloud.usage.tables import UsageCharge
from tests.integration.evaluation.evaluating import (
    EVALUATION_DAY,
    check_in_all,
    face_of,
    opened_evaluation,
    sent_report,
)
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def charges(kind: str | None = None) -> list[dict]:
    with all_tenants("test: the usage ledger"):
        rows = await UsageCharge.select().order_by(UsageCharge.id)
    return [r for r in rows if kind is None or r["kind"] == kind]


async def notices_of(kind: str) -> dict[int, str]:
    """{recipient's organisation: the notice's text} of one kind."""
    with all_tenants("test: notifications"):
        rows = await Notification.select(
            Notification.recipient.organisation, Notification.body
        ).where(Notification.kind == kind)
    return {r["recipient.organisation"]: r["body"] for r in rows}


async def code_of(call) -> str:
    with pytest.raises(DomainError) as info:
        async with transaction():
            await call()
    return info.value.code


async def passed_reviews(s) -> None:
    for b in s.bids:
        async with transaction():
            await reviews.qualify(s.agent, s.evaluation["id"], b["id"], "营业执照", True)
        async with transaction():
            await reviews.comply(
                s.members[0], s.evaluation["id"], b["id"], "交货期不超过30日", True
            )


async def scored(s, points=None) -> None:
    for i, user in enumerate(s.members):
        for b in s.bids:
            given = (points or {}).get((i, b["id"]), {"技术": "40", "服务": "15"})
            async with transaction():
                await scores.record(user, s.evaluation["id"], b["id"], given)
        async with transaction():
            await scores.submit(user, s.evaluation["id"])


async def test_check_in_by_face_is_billed_once_per_attempt(world, traveller):
    s = await opened_evaluation(world, traveller)
    eid = s.evaluation["id"]
    me = s.members[0]
    [row] = [
        m
        for m in await evaluations.members(eid)
        if m["id"] == (await evaluations.member_of(me, eid))["id"]
    ]
    # before check-in the member sees no bids and cannot review
    assert (
        await code_of(lambda: reviews.comply(me, eid, s.bids[0]["id"], "交货期不超过30日", True))
        == "CHECK_IN_REQUIRED"
    )
    # a face that does not match: billed, committed, reported; a retry of it bills nothing more
    async with transaction():
        failed = await checkin.check_in(me, eid, b"camera image", "a1")
    assert failed.failure.code == "FACE_NOT_MATCHED" and failed.member["status"] == "absent"
    async with transaction():
        again = await checkin.check_in(me, eid, b"camera image", "a1")
    assert again.failure is not None and again.charge["id"] == failed.charge["id"]
    assert len(await charges("face_verification")) == 1
    async with transaction():
        done = await checkin.check_in(me, eid, face_of(row), "a2")
    assert done.failure is None and done.member["status"] == "present"
    assert (
        done.member["checked_in_at"] == s.evaluation["created_at"] or done.member["checked_in_at"]
    )
    assert done.member["face_attempts"] == 2
    async with transaction():  # the successful attempt retried: no second comparison, no bill
        retried = await checkin.check_in(me, eid, face_of(row), "a2")
    assert retried.failure is None
    face = await charges("face_verification")
    assert len(face) == 2 and {c["outcome"] for c in face} == {"matched", "not_matched"}
    assert all(c["agency"] == s.evaluation["agency_organisation"] for c in face)
    assert face[0]["project_reference"] == f"project:{s.evaluation['project']}"
    # another expert (not on this committee) gets NOT_FOUND
    other = s.members[1]
    assert (await evaluations.member_of(other, eid))["status"] == "absent"


async def test_the_chair_hears_of_outlier_scores_once_everyone_submitted(world, traveller):
    s = await opened_evaluation(world, traveller)
    eid = s.evaluation["id"]
    seats = await evaluations.members(eid)
    with clock.on_day(EVALUATION_DAY):
        await check_in_all(s)
        await passed_reviews(s)
        async with transaction():
            await committees.choose_chair(s.agent, s.committee["id"], seats[1]["seat"])
        for i, user in enumerate(s.members):
            for b in s.bids:
                given = {"技术": "49", "服务": "19"} if (i, b) == (0, s.bids[0]) else None
                async with transaction():
                    await scores.record(user, eid, b["id"], given or {"技术": "40", "服务": "15"})
            assert await notices_of("evaluation.outliers") == {}  # not before the last
            async with transaction():
                await scores.submit(user, eid)
    told = await notices_of("evaluation.outliers")
    assert list(told) == [s.members[1].organisation_id]  # the chair only
    [text] = told.values()
    assert "1 项" in text and f"{s.bids[0]['supplier_name']}（总分 68）" in text
    assert "测试专家" not in text  # which bidders, not whose scores


async def test_the_walk_to_a_confirmed_winner(world, traveller):
    s = await opened_evaluation(world, traveller)
    with clock.on_day(EVALUATION_DAY):
        await walk(s, traveller)


async def walk(s, traveller):
    eid = s.evaluation["id"]
    await check_in_all(s)
    # scoring waits for both reviews
    assert (
        await code_of(lambda: scores.record(s.members[0], eid, s.bids[0]["id"], {"技术": "40"}))
        == "REVIEW_INCOMPLETE"
    )
    assert (
        await code_of(lambda: reviews.qualify(s.agent, eid, s.bids[2]["id"], "营业执照", False, ""))
        == "REASON_REQUIRED"
    )
    await passed_reviews(s)
    # one bid fails compliance with its reason (changed before any score is recorded)
    async with transaction():
        await reviews.comply(
            s.members[1], eid, s.bids[2]["id"], "交货期不超过30日", False, "交货期60日"
        )
    assert (
        await code_of(lambda: scores.record(s.members[0], eid, s.bids[2]["id"], {"技术": "40"}))
        == "BID_INVALID"
    )
    assert (
        await code_of(lambda: scores.record(s.members[0], eid, s.bids[0]["id"], {"技术": "51"}))
        == "POINTS_OUT_OF_RANGE"
    )
    assert (
        await code_of(lambda: scores.record(s.members[0], eid, s.bids[0]["id"], {"价格": "1"}))
        == "UNKNOWN_CRITERION"
    )
    valid = s.bids[:2]
    # member 0 scores, and sees only its own until it submits
    for b in valid:
        async with transaction():
            await scores.record(s.members[0], eid, b["id"], {"技术": "45", "服务": "18"})
    async with transaction():
        await scores.record(s.members[1], eid, valid[0]["id"], {"技术": "30", "服务": "10"})
    seen = await scores.visible(s.members[0], eid)
    assert {r["member"] for r in seen} == {(await evaluations.member_of(s.members[0], eid))["id"]}
    assert await scores.visible(s.agent, eid) == []  # nobody else before the report
    assert await code_of(lambda: scores.submit(s.members[1], eid)) == "SCORES_INCOMPLETE"
    assert (
        await code_of(lambda: reviews.qualify(s.agent, eid, valid[0]["id"], "营业执照", True))
        == "REVIEW_CLOSED"
    )
    async with transaction():
        await scores.submit(s.members[0], eid)
    assert len({r["member"] for r in await scores.visible(s.members[0], eid)}) == 2
    for user in s.members[1:]:
        for b in valid:
            async with transaction():
                await scores.record(user, eid, b["id"], {"技术": "40", "服务": "15"})
        async with transaction():
            await scores.submit(user, eid)
    # the report: frozen with its digest, the engine's ranking
    async with transaction():
        report = await reports.freeze(s.agent, eid)
    content = json.loads(report["content"])
    assert reports.digest_of(report["content"]) == report["digest"]
    assert [r["bid"] for r in content["ranking"]] == [valid[1]["id"], valid[0]["id"]]
    # technical: (45 + 4 x 40) / 5 = 41 + (18 + 4 x 15) / 5 = 15.6; price: 3.9M lowest
    first = content["ranking"][0]
    assert (first["technical_score"], first["price_score"], first["total"]) == (
        "56.60",
        "30.00",
        "86.60",
    )
    assert content["ranking"][1]["price_score"] == "29.25"  # 3.9 / 4.0 x 30
    [out] = content["invalid"]
    assert out["bid"] == s.bids[2]["id"] and "交货期60日" in out["reason"]
    assert [m["name"] for m in content["committee"]["members"]]
    traveller.shift(timedelta(hours=6))  # the evaluation took the day
    # every member signs; one dissents; a wrong confirmation signs and bills nothing
    assert await code_of(lambda: reports.sign(s.members[0], eid, "123456")) == "SIGNATURE_REFUSED"
    assert await charges("e_signature") == []
    for i, user in enumerate(s.members):
        async with transaction():
            await reports.sign(
                user, eid, development.CONFIRMATION, "技术分偏高，不同意" if i == 4 else ""
            )
    assert len(await charges("e_signature")) == 5
    assert (
        await code_of(lambda: reports.sign(s.members[0], eid, development.CONFIRMATION))
        == "WRONG_STATE"
    )
    assert len(await charges("e_signature")) == 5
    # the expert fees count each member from its face check-in to its signature
    sat = await fee_statement.attendance(s.evaluation["committee"])
    for user in s.members:
        member = await evaluations.member_of(user, eid)
        assert member["signed_at"] - member["checked_in_at"] == timedelta(hours=6)
        assert sat[member["seat"]] == [(member["checked_in_at"], member["signed_at"])]
    signed = await reports.report_of(eid)
    assert signed["status"] == "signed" and signed["send_by"] == date(2026, 10, 15)
    dissenter = await evaluations.member_of(s.members[4], eid)
    assert dissenter["dissent"] == "技术分偏高，不同意" and dissenter["signed_at"]
    sig = json.loads(dissenter["signature"])
    assert development.verify(
        {"reference": f"expert:{dissenter['expert']}"},
        {"digest": reports.signed_digest(signed, dissenter["dissent"])},
        sig["signature"],
    )
    # the purchaser sees it once sent; confirms in ranking order
    with use_scope(s.scope):
        assert await reports.readable(s.purchaser, eid) is None
    async with transaction():
        sent = await reports.send(s.agent, eid)
    assert sent["status"] == "sent" and sent["confirm_by"] == date(2026, 10, 20)
    with use_scope(s.scope):
        assert (
            await code_of(lambda: reports.confirm_winner(s.purchaser, eid, valid[0]["id"]))
            == "AGAINST_RANKING_REASON_REQUIRED"
        )
        assert (
            await code_of(lambda: reports.confirm_winner(s.purchaser, eid, s.bids[2]["id"]))
            == "NOT_A_CANDIDATE"
        )
        assert (await reports.readable(s.purchaser, eid))["status"] == "sent"
    assert (
        await code_of(lambda: reports.confirm_winner(s.agent, eid, valid[1]["id"])) == "FORBIDDEN"
    )
    with use_scope(s.scope):
        async with transaction():
            confirmed = await reports.confirm_winner(s.purchaser, eid, valid[1]["id"])
    assert confirmed["status"] == "confirmed" and confirmed["winner"] == valid[1]["id"]
    # each bidder sees its own rank and score only
    mine = await results.my_result(s.bidders[0].user, eid)
    assert mine == {
        "bid": valid[0]["id"], "won": False, "rank": 2, "total": "85.85",
        "evaluated_price": "4000000.00", "invalid_reason": None,
    }  # fmt: skip
    lost = await results.my_result(s.bidders[2].user, eid)
    assert lost["rank"] is None and "交货期60日" in lost["invalid_reason"]
    # the purchaser was told the report arrived; each bidder is told its own outcome only
    told = await notices_of("evaluation.result")
    assert len(told) == 3
    assert (
        "排名第 2 名" in told[s.bidders[0].organisation]
        and "85.85" in told[s.bidders[0].organisation]
    )
    assert "86.60" not in told[s.bidders[0].organisation]
    assert "中标" in told[s.bidders[1].organisation]
    assert "交货期60日" in told[s.bidders[2].organisation]
    assert len(await notices_of("evaluation_report.sent")) == 1


async def test_a_winner_not_confirmed_within_5_wd_is_the_first_candidate(world, traveller):
    """Order 87 art. 68 (unverified): at the end of confirm_by the scheduler deems the first
    candidate of the ranking confirmed, and every bidder is told its outcome."""
    s = await opened_evaluation(world, traveller)
    eid = s.evaluation["id"]
    with clock.on_day(EVALUATION_DAY):
        sent = await sent_report(s)
    first = json.loads(sent["content"])["ranking"][0]["bid"]
    deadline = clock.end_of(sent["confirm_by"])
    assert sent["next_check"] == deadline
    traveller.move_to(deadline - timedelta(seconds=1))
    assert [d for d in await scheduler.run_once(clock.now()) if d.action == "deem_confirmed"] == []
    traveller.move_to(deadline)
    ran = await scheduler.run_once(clock.now())
    assert [d.action for d in ran if d.machine == "evaluation report"] == ["deem_confirmed"]
    deemed = await reports.report_of(eid)
    assert (deemed["status"], deemed["winner"], deemed["next_check"]) == ("confirmed", first, None)
    assert deemed["confirmed_at"] == deadline
    assert len(await notices_of("evaluation.result")) == len(s.bids)
    with use_scope(s.scope):
        late = await code_of(lambda: reports.confirm_winner(s.purchaser, eid, first))
    assert late == "WRONG_STATE"
    assert await scheduler.run_once(clock.now() + timedelta(days=1)) == []


async def test_a_bidder_on_a_credit_list_at_the_start_fails_qualification(world, traveller):
    """Caiku [2016] 125: the check as the committee started governs; the listed bidder cannot
    pass its qualification review, and the report carries every bidder's snapshot."""
    s = await opened_evaluation(world, traveller, blacklisted=2)
    eid = s.evaluation["id"]
    listed = s.bids[2]
    with clock.on_day(EVALUATION_DAY):
        refused = await code_of(
            lambda: reviews.qualify(s.agent, eid, listed["id"], "营业执照", True)
        )
        assert refused == "CREDIT_NOT_CLEAR"
        async with transaction():
            await reviews.qualify(
                s.agent, eid, listed["id"], "营业执照", False, "列入严重违法失信名单"
            )
        await check_in_all(s)
        valid = s.bids[:2]
        for b in valid:
            async with transaction():
                await reviews.qualify(s.agent, eid, b["id"], "营业执照", True)
            async with transaction():
                await reviews.comply(s.members[0], eid, b["id"], "交货期不超过30日", True)
        for user in s.members:
            for b in valid:
                async with transaction():
                    await scores.record(user, eid, b["id"], {"技术": "40", "服务": "15"})
            async with transaction():
                await scores.submit(user, eid)
        async with transaction():
            report = await reports.freeze(s.agent, eid)
    content = json.loads(report["content"])
    assert [i["bid"] for i in content["invalid"]] == [listed["id"]]
    verdict = {c["organisation"]: c["clear"] for c in content["credit"]}
    assert verdict == {b["supplier_organisation"]: b is not listed for b in s.bids}
    assert all(len(c["digest"]) == 64 for c in content["credit"])
