"""An upheld complaint's remedy carried out with the decision (Implementing Regulation art. 71;
MOF Order 94 arts. 31-32): the project goes to redo or is annulled (its plan failed), its
contracts not yet performed are void, in the decision's transaction; refused, with nothing
moved, where the remedy does not fit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gpcloud.complaints.service import challenges, complaints, decisions
from gpcloud.complaints.tables import Complaint
from gpcloud.contracts import performance
from gpcloud.contracts import service as contracts
from gpcloud.core import clock
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.supervision import plans
from gpcloud.transaction import service as projects
from gpcloud.transaction import supervision as supervised
from gpcloud.transaction.tables import Award
from tests.integration.complaints.support import (
    answer,
    call,
    challenge,
    complain,
    complaint_world,
)
from tests.integration.concurrency.test_transitions import audited
from tests.integration.contracts.test_contracts import draft, signed


@pytest.fixture
async def world(demo):
    return await complaint_world()


async def heard(world: dict, step: str = "") -> dict:
    """Challenged (the result, or `step`), answered, complained, accepted, served, answered."""
    row = await challenge(world, date(2026, 10, 20), "step" if step else "result", step)
    await answer(world, row["id"], date(2026, 10, 21))
    filed = await complain(world, row["id"], date(2026, 10, 22))
    dept, agent = world["department"], world["agent"]
    await call(dept, date(2026, 10, 23), lambda: complaints.accept(dept, filed["id"]))
    await call(dept, date(2026, 10, 26), lambda: complaints.serve(dept, filed["id"]))
    await call(agent, date(2026, 10, 27), lambda: complaints.respond(agent, filed["id"], "无误"))
    return filed


def upheld(remedy: str, step: str = "") -> decisions.DecisionInput:
    return decisions.DecisionInput(
        "upheld", "评分错误", "兴财采决〔2026〕9号", remedy=remedy, step=step
    )


async def decide(world: dict, filed: dict, data: decisions.DecisionInput) -> dict:
    dept = world["department"]
    return await call(dept, date(2026, 11, 2), lambda: decisions.decide(dept, filed["id"], data))


async def project(world: dict) -> dict:
    with use_scope(world["scope"]):
        return await projects.get(world["project"])


async def awards(world: dict) -> list:
    with all_tenants("test"):
        return await Award.select().where(Award.project == world["project"])


async def test_redoing_the_evaluation_sets_the_result_aside_until_a_new_one(world):
    with clock.on_day(date(2026, 10, 19)):
        contract = await draft(world)
    filed = await heard(world)
    decision = await decide(world, filed, upheld("redo_step", "evaluation"))
    assert decision["carried_out"] == [
        {"object": "project", "id": world["project"], "from": "awarded", "to": "redo"},
        {"object": "contract", "id": contract["id"], "from": "draft", "to": "void"},
    ]
    assert (await project(world))["status"] == "redo"
    assert await awards(world) == []
    assert await audited("project.order_redo") == 1
    assert await audited("contract.void") == 1
    with use_scope(world["scope"]):
        assert (await contracts.get(contract["id"]))["status"] == "void"
        with pytest.raises(DomainError) as refused:  # no contract until a new result
            await draft(world)
    assert refused.value.code == "NO_RESULT"

    agent = world["agent"]
    award = projects.AwardInput(world["supplier"]["uscc"], Decimal("4300000"))
    again = await call(
        agent,
        date(2026, 11, 9),
        lambda: projects.publish_result(
            agent, world["project"], "中标公告（重新评审）", "正文", [award], on=date(2026, 11, 9)
        ),
    )
    assert again["status"] == "awarded"
    assert [a["amount_fen"] for a in await awards(world)] == [430000000]
    with clock.on_day(date(2026, 11, 10)):
        fresh = await draft(world, "4300000")
    assert fresh["status"] == "draft"


async def test_a_retender_annuls_the_project_and_fails_its_plan(world):
    filed = await heard(world)
    decision = await decide(world, filed, upheld("retender"))
    assert decision["carried_out"] == [
        {"object": "project", "id": world["project"], "from": "awarded", "to": "annulled"}
    ]
    found = await project(world)
    assert found["status"] == "annulled"
    with use_scope(world["scope"]):
        assert (await plans.get(found["plan"]))["status"] == "failed"
        [seen] = await supervised.annotate([found])  # the supervisor's list says why
    assert seen.failure_reason == "投诉处理决定（兴财采决〔2026〕9号）责令重新开展采购活动"
    assert await audited("project.annul") == 1


async def test_redoing_an_earlier_step_runs_the_procurement_again(world):
    filed = await heard(world, "bid_deadline")
    decision = await decide(world, filed, upheld("redo_step", "bid_deadline"))
    assert decision["carried_out"][0]["to"] == "annulled"


async def test_a_contract_void_revokes_a_signed_contract_and_reopens_the_award(world):
    contract = await signed(world, on=date(2026, 10, 19))
    filed = await heard(world)
    decision = await decide(world, filed, upheld("contract_void"))
    assert decision["carried_out"][1] == {
        "object": "contract",
        "id": contract["id"],
        "from": "signed",
        "to": "void",
    }
    assert (await project(world))["status"] == "redo"


async def test_a_remedy_that_does_not_fit_is_refused_and_nothing_moves(world):
    filed = await heard(world)
    with pytest.raises(DomainError) as refused:
        await decide(world, filed, upheld("contract_void"))  # no contract
    assert refused.value.code == "REMEDY_NOT_APPLICABLE"
    with all_tenants("test"):
        row = await Complaint.select().where(Complaint.id == filed["id"]).first()
    assert row["status"] == "answered"
    assert (await project(world))["status"] == "awarded"
    assert len(await awards(world)) == 1


async def test_a_contract_being_performed_is_not_revoked(world):
    contract = await signed(world, on=date(2026, 10, 19))
    purchaser = world["purchaser"]
    report = performance.AcceptanceInput("stage", "首批验收", "设备到货", True, date(2026, 10, 19))
    await call(
        purchaser, date(2026, 10, 19), lambda: performance.accept(purchaser, contract["id"], report)
    )
    filed = await heard(world)
    with pytest.raises(DomainError) as refused:
        await decide(world, filed, upheld("award_void"))
    assert refused.value.code == "CONTRACT_PERFORMED"
    assert (await project(world))["status"] == "awarded"
    with use_scope(world["scope"]):
        assert (await contracts.get(contract["id"]))["status"] == "signed"


async def test_a_justified_challenge_is_remedied_by_the_answer(world, client):
    """Order 94 art. 16: the agency finds the challenge of the result justified and the winner
    is chosen again: the project to redo with the answer; the challenge shows what moved."""
    from tests.support import data, gql, login

    row = await challenge(world, date(2026, 10, 20))
    agent = world["agent"]
    answered = await call(
        agent,
        date(2026, 10, 21),
        lambda: challenges.answer(agent, row["id"], "质疑成立，另行确定中标供应商。", "award_void"),
    )
    assert answered["status"] == "answered" and answered["remedy"] == "award_void"
    assert (await project(world))["status"] == "redo"
    assert await awards(world) == []
    token = await login(client, "gz.bidder1", "x" * 12)
    query = "query($id: ID!) { challenge(id: $id) { remedy carriedOut { object before after } } }"
    seen = data(await gql(client, query, {"id": str(row["id"])}, token=token))["challenge"]
    assert seen == {
        "remedy": "AWARD_VOID",
        "carriedOut": [{"object": "project", "before": "awarded", "after": "redo"}],
    }
    with pytest.raises(DomainError) as refused:  # nothing left to void
        other = await challenge(world, date(2026, 10, 20), who=world["other"])
        await call(
            agent,
            date(2026, 10, 21),
            lambda: challenges.answer(agent, other["id"], "成立", "award_void"),
        )
    assert refused.value.code == "REMEDY_NOT_APPLICABLE"
