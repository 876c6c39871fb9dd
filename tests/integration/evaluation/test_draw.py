"""The committee and its verifiable draw: composition, timing, the draw itself, seats
confirmed, declined, timed out and recused, backups in order, an incomplete committee, the
trial run's draw type, and the draw recomputed from its revealed seed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine

from gpcloud.core import clock
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.notifications.tables import Notification
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.evaluation import algorithm
from gpcloud.evaluation.service import committees, common, draws, eligibility, seats
from gpcloud.evaluation.settings import draw_settings
from gpcloud.evaluation.tables import ExpertDraw
from gpcloud.registries.experts.tables import ExpertAvoidance, ExpertLeave
from tests.integration.evaluation.setting import (
    AFTER,
    EVALUATION,
    closed_tender,
    committee,
    drawn,
    experts,
)
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE, tender


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def audit(prefix: str) -> list[dict]:
    with all_tenants("test: the audit log"):
        rows = await AuditEntry.select().order_by(AuditEntry.id)
    return [r for r in rows if r["action"].startswith(prefix)]


async def notified(kind: str) -> list[int]:
    with all_tenants("test: notifications"):
        rows = await Notification.select(Notification.recipient).where(Notification.kind == kind)
    return [r["recipient"] for r in rows]


async def codes(call) -> list[str]:
    with pytest.raises(DomainError) as info:
        async with transaction():
            await call()
    return [p.code for p in info.value.problems]


async def test_the_composition_follows_the_rules(world, traveller):
    project, _ = await closed_tender(world, traveller, 3)
    assert await codes(lambda: committee(world, project, members=4)) == [
        "COMMITTEE_TOO_SMALL",
        "COMMITTEE_NOT_ODD",
    ]
    assert await codes(lambda: committee(world, project, members=5, large_project=True)) == [
        "COMMITTEE_TOO_SMALL"
    ]
    assert await codes(lambda: committee(world, project, representative=True)) == [
        "REPRESENTATIVE_NAME"
    ]
    assert await codes(lambda: committee(world, project, specialty_codes=["X99"])) == [
        "UNKNOWN_CATEGORY"
    ]
    assert await codes(lambda: committee(world, project, evaluation_at=AFTER - timedelta(days=1)))
    row = await committee(
        world, project, members=5, representative=True, representative_name="王老师"
    )
    assert (row["members"], row["expert_seats"], row["representative"]) == (5, 4, True)
    assert await codes(lambda: committee(world, project)) == ["DUPLICATE_COMMITTEE"]


async def test_panels_and_large_projects(world):
    from gpcloud.evaluation import composition

    day = clock.today()
    three = await composition.check(
        "441481", "request_for_quotation", 100_000_00, 3, True, False, day
    )
    assert (three.members, three.expert_seats) == (3, 2)
    with pytest.raises(DomainError) as info:  # at or above the open-tender threshold: 5
        await composition.check(
            "441481", "competitive_negotiation", 5_000_000_00, 3, False, False, day
        )
    assert info.value.code == "COMMITTEE_TOO_SMALL"
    with pytest.raises(DomainError) as info:  # 10,000,000 yuan or more is large: 7
        await composition.check("441481", "open_tender", 10_000_000_00, 5, False, False, day)
    assert info.value.code == "COMMITTEE_TOO_SMALL"
    nine = await composition.check("441481", "open_tender", 10_000_000_00, 9, True, False, day)
    assert (nine.expert_seats, nine.large_project) == (8, True)
    with pytest.raises(DomainError) as info:
        await composition.check("441481", "single_source", 100_00, 3, False, False, day)
    assert info.value.code == "NO_COMMITTEE_FOR_METHOD"


async def test_a_draw_is_committed_run_confirmed_and_verifiable(world, traveller):
    project, _ = await closed_tender(world, traveller, 3)
    pool = dict(await experts(12))
    row = await committee(world, project)
    async with transaction():
        committed = await draws.commit(world["agent"], row["id"], "review")
    [entry] = await audit("expert_draw.create")
    assert committed["seed_hash"] in entry["detail"] and committed["seed"] not in entry["detail"]
    async with transaction():
        done = await draws.run(world["agent"], committed["id"])
    assert done["status"] == "drawn" and done["eligible"] == 12
    result = json.loads(done["result"])
    assert len(result) == 7 and len(set(result)) == 7
    members = await common.members(row["id"])
    assert [m["status"] for m in members] == ["invited"] * 5 + ["waiting"] * 2
    assert [m["expert"] for m in members] == result
    told = await notified("expert_draw.invited")
    assert sorted(told) == sorted(pool[m["expert"]].id for m in members[:5])
    [ran] = await audit("expert_draw.run")
    assert done["snapshot_digest"] in ran["detail"] and done["seed"] not in ran["detail"]
    assert (await draws.verify(done["id"])).verified
    # rotation: the five invited now weigh 80 in the next draw, the others 100
    settings = await draw_settings("441481")
    again = await eligibility.snapshot(
        ["A020101"], "441400", EVALUATION.date(), eligibility.Bidders([], []), settings
    )
    weights = dict(map(tuple, again.pairs))
    assert sorted(weights[m["expert"]] for m in members) == [80] * 5 + [100] * 2
    # each seat confirms; the last completes the committee and releases the backups
    for m in members[:5]:
        async with transaction():
            answered = await seats.confirm(pool[m["expert"]], m["id"])
        assert answered["status"] == "confirmed"
    assert (await common.committee(row["id"]))["status"] == "complete"
    assert [m["status"] for m in await common.members(row["id"])][5:] == ["released"] * 2
    assert await codes(
        lambda: committees.choose_chair(world["agent"], row["id"], members[0]["id"])
    ) == ["WRONG_STATE"]
    async with transaction():
        started = await committees.start_evaluation(world["agent"], row["id"])
    assert started["status"] == "evaluating"
    # the chair is a confirmed expert: a released backup or anything else is refused
    agent = world["agent"]
    assert await codes(lambda: committees.choose_chair(agent, row["id"], members[5]["id"])) == [
        "CHAIR_NOT_CONFIRMED"
    ]
    assert await codes(lambda: committees.choose_chair(agent, row["id"], 999999)) == [
        "CHAIR_NOT_AN_EXPERT"
    ]
    async with transaction():
        chaired = await committees.choose_chair(agent, row["id"], members[2]["id"])
    assert chaired["chair"] == members[2]["id"]
    revealed = await common.draw(done["id"])
    assert revealed["status"] == "revealed"
    [reveal] = await audit("expert_draw.reveal")
    assert revealed["seed"] in reveal["detail"]
    # anyone with the seed and the snapshot gets the same committee
    snapshot = json.loads(revealed["snapshot"])
    assert algorithm.reference_draw(revealed["seed"], revealed["id"], snapshot, 7) == result


async def test_a_tampered_draw_does_not_verify(world, traveller):
    project, _ = await closed_tender(world, traveller, 3)
    await experts(8)
    done = await drawn(world, await committee(world, project))
    snapshot = json.loads(done["snapshot"])
    snapshot[0][1] = 1  # one weight changed after the fact
    with all_tenants("test: tamper"):
        await ExpertDraw.update({ExpertDraw.snapshot: json.dumps(snapshot)}).where(
            ExpertDraw.id == done["id"]
        )
    found = await draws.verify(done["id"])
    assert not found.verified
    assert [c[1] for c in found.checks][:2] == [True, False]


async def test_recusal_bans_and_leave_keep_experts_out_of_the_draw(world, traveller):
    project, bidders = await closed_tender(world, traveller, 3)
    ids = [e for e, _ in await experts(9)]
    with all_tenants("test"):
        uscc = await world_org_uscc(bidders[0].organisation)
        await ExpertAvoidance.insert(
            ExpertAvoidance(
                expert=ids[0],
                organisation_name=bidders[0].name,
                organisation_uscc=uscc,
                relation="shareholder",
                start_date=clock.today() - timedelta(days=800),
                end_date=clock.today() - timedelta(days=400),  # ended, but within 3 years
            ),
            ExpertAvoidance(  # declared without a code: matched on the exact name
                expert=ids[1],
                organisation_name=bidders[1].name,
                relation="relative_of_legal_representative",
                start_date=clock.today() - timedelta(days=10),
            ),
        )
        await ExpertLeave.insert(
            ExpertLeave(expert=ids[2], start_date=EVALUATION.date(), end_date=EVALUATION.date())
        )
    await ban(ids[3])
    done = await drawn(world, await committee(world, project, backups=0))
    assert done["eligible"] == 5
    assert json.loads(done["excluded"]) == {"credit_ban": 1, "recusal": 2}
    assert set(json.loads(done["result"])) == set(ids[4:])


async def world_org_uscc(organisation_id: int) -> str:
    from gpcloud.core.auth.tables import Organisation

    row = (
        await Organisation.select(Organisation.uscc)
        .where(Organisation.id == organisation_id)
        .first()
    )
    return row["uscc"]


async def ban(expert_id: int) -> None:
    from gpcloud.credit.tables import CreditRecord

    with all_tenants("test: a ban"):
        await CreditRecord.insert(
            CreditRecord(
                subject_kind="expert",
                expert=expert_id,
                subject_name="测试专家",
                kind="blacklist",
                bars=True,
                source="supervisor_decision",
                starts_on=clock.today() - timedelta(days=1),
                region="441400",
            )
        )


async def test_too_early_and_before_the_deadline_are_refused(world, traveller):
    project = await tender(world, traveller)
    await experts(8)
    row = await committee(world, project)
    async with transaction():
        committed = await draws.commit(world["agent"], row["id"], "review")
    assert await codes(lambda: draws.run(world["agent"], committed["id"])) == [
        "DRAW_BEFORE_DEADLINE"
    ]
    assert (await common.committee(row["id"]))["status"] == "forming"


async def test_the_draw_waits_until_two_working_days_before_the_evaluation(world, traveller):
    project, _ = await closed_tender(world, traveller, 3)
    await experts(8)
    row = await committee(world, project, evaluation_at=EVALUATION + timedelta(days=7))
    async with transaction():
        committed = await draws.commit(world["agent"], row["id"], "review")
    assert await codes(lambda: draws.run(world["agent"], committed["id"])) == ["DRAW_TOO_EARLY"]
    assert (await common.committee(row["id"]))["status"] == "forming"
    traveller.move_to(EVALUATION + timedelta(days=5))  # Sunday 18 Oct: 2 wd reach Tuesday 20
    done = await drawn_again(world, committed["id"])
    assert done["status"] == "drawn"


async def drawn_again(world, draw_id):
    async with transaction():
        return await draws.run(world["agent"], draw_id)


async def test_decline_timeout_and_recusal_call_backups_in_order_then_incomplete(world, traveller):
    project, bidders = await closed_tender(world, traveller, 3)
    pool = dict(await experts(7))
    row = await committee(world, project, backups=2)
    await drawn(world, row)
    members = await common.members(row["id"])
    first, second, third = members[0], members[1], members[2]
    assert await codes(lambda: seats.decline(pool[first["expert"]], first["id"], " ")) == [
        "REASON_REQUIRED"
    ]
    # another expert cannot answer this seat
    assert await codes(lambda: seats.confirm(pool[second["expert"]], first["id"])) == ["NOT_FOUND"]
    async with transaction():
        await seats.decline(pool[first["expert"]], first["id"], "出差")
    states = [m["status"] for m in await common.members(row["id"])]
    assert states == ["declined", "invited", "invited", "invited", "invited", "invited", "waiting"]
    # a relation with a bidder declared after the draw: the confirmation recuses instead
    with all_tenants("test"):
        await ExpertAvoidance.insert(
            ExpertAvoidance(
                expert=second["expert"],
                organisation_name=bidders[2].name,
                organisation_uscc=await world_org_uscc(bidders[2].organisation),
                relation="employer",
                start_date=clock.today() - timedelta(days=100),
            )
        )
    async with transaction():
        answered = await seats.confirm(pool[second["expert"]], second["id"])
    assert answered["status"] == "recused" and "employer" in answered["reason"]
    states = [m["status"] for m in await common.members(row["id"])]
    assert states[:2] == ["declined", "recused"] and states[6] == "invited"
    # the third never answers: at its confirm_by the scheduler frees the seat; no backup left
    traveller.move_to(AFTER + timedelta(hours=25))
    ran = await scheduler.run_once(clock.now())
    assert {d.action for d in ran if d.machine == "drawn expert"} == {"time_out"}
    committee_row = await common.committee(row["id"])
    assert committee_row["status"] == "incomplete"
    assert "no backup" in committee_row["status_reason"]
    assert len(await notified("evaluation_committee.incomplete")) == 1  # the Meizhou agency
    assert len(await notified("expert_draw.invited")) == 7  # 5 seats, then both backups
    del third


async def test_the_trial_run_draws_only_its_type(world, traveller):
    project, _ = await closed_tender(world, traveller, 3)
    await experts(8)
    row = await committee(world, project)
    from gpcloud.core.tenancy.config_admin import edit_config
    from tests.integration.procurement import actor

    with use_scope(None), all_tenants("test: the province's config"):
        async with transaction():
            await edit_config(
                await actor("gd.admin"),
                "440000",
                [("trial_run.start", "2026-10-01"), ("trial_run.end", "2026-10-31")],
                "试运行",
            )
    assert await codes(lambda: draws.commit(world["agent"], row["id"], "review")) == [
        "DRAW_TYPE_REFUSED"
    ]
    done = await drawn(world, row, "non_review")
    assert done["draw_type"] == "non_review"
    assert await codes(lambda: draws.commit(world["agent"], row["id"], "non_review")) == [
        "WRONG_STATE"
    ]


async def test_a_cancelled_committee_releases_its_seats_and_may_be_formed_again(world, traveller):
    project, _ = await closed_tender(world, traveller, 3)
    await experts(8, accounts=False)
    row = await committee(world, project)
    await drawn(world, row)
    assert await codes(lambda: committees.cancel(world["agent"], row["id"], " ")) == [
        "REASON_REQUIRED"
    ]
    async with transaction():
        cancelled = await committees.cancel(world["agent"], row["id"], "采购文件需修改")
    assert cancelled["status"] == "cancelled"
    assert {m["status"] for m in await common.members(row["id"])} == {"released"}
    assert all(m["next_check"] is None for m in await common.members(row["id"]))
    again = await committee(world, project)
    assert again["id"] != row["id"] and again["status"] == "forming"
