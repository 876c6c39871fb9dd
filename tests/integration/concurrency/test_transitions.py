"""Every transition raced: N identical requests at once, each in its own task, transaction and
database connection. Exactly one wins; the others are told CONFLICT (they read the row before
the winner wrote it) or WRONG_STATE (after); what the transition does to money, notices and
the audit log happens once.

On PostgreSQL (CI) the requests really interleave; on SQLite they queue on the write lock, so
the same assertions hold for a different reason.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest

from gpcloud.contracts import performance, signing
from gpcloud.contracts import service as contracts
from gpcloud.contracts.tables import ContractSignature, Payment
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.integrations.digital_finance import service as budget
from gpcloud.portal.tables import Notice
from gpcloud.supervision import intentions, plans
from gpcloud.transaction import service as projects
from gpcloud.transaction.tables import Announcement, Award, Project
from tests.integration.contracts.test_contracts import draft, new_key, sign, signed
from tests.integration.procurement import actor, awarded_project, filed_plan

N = 8
LOST = {"CONFLICT", "WRONG_STATE"}
PLAN_FEN = 450_000_000  # filed_plan: 4,500,000.00 of a 5,000,000.00 indicator


async def race(call, n: int = N) -> tuple[list, list[str]]:
    """`call()` n times at once: the results of those that succeeded, the codes of the rest."""

    async def one():
        try:
            return await call()
        except DomainError as exc:
            return exc.code

    outcomes = await asyncio.gather(*(one() for _ in range(n)))
    return [o for o in outcomes if not isinstance(o, str)], [
        o for o in outcomes if isinstance(o, str)
    ]


def one_wins(wins: list, losses: list[str]) -> dict:
    assert len(wins) == 1, f"{len(wins)} won: {losses}"
    assert set(losses) <= LOST, losses
    return wins[0]


async def audited(action: str) -> int:
    with all_tenants("test: the audit log"):
        return await AuditEntry.count().where(AuditEntry.action == action)


async def notices(kind: str) -> int:
    with all_tenants("test: the portal"):
        return await Notice.count().where(Notice.kind == kind)


@pytest.fixture
async def world(demo):
    return await filed_plan()


async def indicator(world) -> dict:
    with use_scope(world["scope"]):
        return await budget.get(None, world["indicator"])


async def test_publishing_an_intention(world):
    purchaser = world["purchaser"]
    with use_scope(world["scope"]):
        row = await intentions.create(
            purchaser,
            intentions.IntentionInput("项目", "摘要", Decimal("1000"), "goods", date(2026, 12, 1)),
        )
        one_wins(*await race(lambda: intentions.publish(purchaser, row["id"])))
        one_wins(*await race(lambda: intentions.withdraw(purchaser, row["id"])))
    assert await notices("intention") == 1
    assert await audited("procurement_intention.publish") == 1
    assert await audited("procurement_intention.withdraw") == 1


async def _new_plan(world) -> int:
    with use_scope(world["scope"]):
        plan = await plans.create(
            world["purchaser"],
            plans.PlanInput(
                "第二个计划",
                "goods",
                "request_for_quotation",
                [plans.LineInput(world["indicator"], Decimal("300000"))],
                intention_exemption="urgent",
            ),
        )
    return plan["id"]


async def test_submitting_returning_and_recalling_a_plan(world):
    purchaser, supervisor = world["purchaser"], await actor("xn.supervisor")
    plan_id = await _new_plan(world)
    with use_scope(world["scope"]):
        one_wins(*await race(lambda: plans.submit(purchaser, plan_id)))
        assert (await indicator(world))["reserved_fen"] == PLAN_FEN + 30_000_000  # reserved once
        one_wins(*await race(lambda: plans.return_plan(supervisor, plan_id, "预算科目不符")))
        assert (await indicator(world))["reserved_fen"] == PLAN_FEN  # released once
        await plans.submit(purchaser, plan_id)
        one_wins(*await race(lambda: plans.recall(purchaser, plan_id)))
        assert (await indicator(world))["reserved_fen"] == PLAN_FEN
    assert await audited("procurement_plan.submit") == 3  # filed_plan's, and two here


async def test_filing_a_plan(world):
    supervisor = await actor("xn.supervisor")
    plan_id = await _new_plan(world)
    with use_scope(world["scope"]):
        await plans.submit(world["purchaser"], plan_id)
        one_wins(*await race(lambda: plans.file(supervisor, plan_id)))
    assert await notices("plan") == 2  # filed_plan's and this one


async def test_entrusting_a_plan(world):
    with use_scope(world["scope"]):
        project = one_wins(
            *await race(
                lambda: projects.entrust(world["purchaser"], world["plan"], world["agency"])
            )
        )
        assert await Project.count().where(Project.plan == world["plan"]) == 1
        assert (await plans.get(world["plan"]))["status"] == "executing"
    assert project["status"] == "entrusted"


async def test_the_announcements_of_a_project(world):
    agent = world["agent"]
    with use_scope(world["scope"]):
        project = (await projects.entrust(world["purchaser"], world["plan"], world["agency"]))["id"]
        one_wins(
            *await race(
                lambda: projects.publish_tender(
                    agent, project, "招标公告", "正文", date(2026, 10, 12), on=date(2026, 9, 21)
                )
            )
        )
        wins, losses = await race(
            lambda: projects.publish_correction(
                agent, project, "更正公告", "正文", False, on=date(2026, 9, 24)
            )
        )
        # A correction leaves the project tendering, so corrections may follow each other; at
        # once, each one that is recorded was made on the project as the one before left it.
        assert wins and set(losses) <= {"CONFLICT"}
        assert await Announcement.count().where(Announcement.kind == "correction") == len(wins)
        assert (await projects.get(project))["revision"] == 1 + len(wins)
        award = [projects.AwardInput(world["supplier"]["uscc"], Decimal("4380000"))]
        one_wins(
            *await race(
                lambda: projects.publish_result(
                    agent, project, "中标公告", "正文", award, on=date(2026, 10, 16)
                )
            )
        )
        assert await Award.count().where(Award.project == project) == 1
    assert await notices("result") == 1


async def test_declaring_a_project_failed(world):
    with use_scope(world["scope"]):
        project = (await projects.entrust(world["purchaser"], world["plan"], world["agency"]))["id"]
        one_wins(*await race(lambda: projects.declare_failed(world["agent"], project, "无人投标")))
        assert (await plans.get(world["plan"]))["status"] == "failed"
        one_wins(
            *await race(
                lambda: plans.resolve_failed(world["purchaser"], world["plan"], "terminate")
            )
        )
        assert (await indicator(world))["reserved_fen"] == 0  # released once


@pytest.fixture
async def awarded(world):
    world["project"] = await awarded_project(world)
    return world


@pytest.mark.day(date(2026, 11, 2))
async def test_both_parties_sign_at_once(awarded):
    """Each party sees the other's signature: the second to commit makes the contract signed."""
    contract = await draft(awarded)
    keys = {}
    with use_scope(awarded["scope"]):
        for party in ("purchaser", "seller"):
            private, public = new_key()
            await signing.register_key(awarded[party], public)
            keys[party] = private
        results = await asyncio.gather(
            *(
                contracts.sign(awarded[party], contract["id"], sign(keys[party], contract))
                for party in ("purchaser", "seller")
            )
        )
        assert {r["status"] for r in results} <= {"draft", "signed"}
        assert (await contracts.get(contract["id"]))["status"] == "signed"
        wins, losses = await race(
            lambda: contracts.sign(
                awarded["seller"], contract["id"], sign(keys["seller"], contract)
            )
        )
        assert wins == [] and set(losses) <= LOST | {"ALREADY_SIGNED"}
    with all_tenants("test"):
        assert (
            await ContractSignature.count().where(ContractSignature.contract == contract["id"]) == 2
        )


@pytest.mark.day(date(2026, 11, 2))
async def test_one_party_signing_twice_at_once(awarded):
    contract = await draft(awarded)
    private, public = new_key()
    with use_scope(awarded["scope"]):
        await signing.register_key(awarded["purchaser"], public)
        wins, losses = await race(
            lambda: contracts.sign(awarded["purchaser"], contract["id"], sign(private, contract))
        )
        one_wins(wins, [c for c in losses if c != "ALREADY_SIGNED"])
    with all_tenants("test"):
        assert (
            await ContractSignature.count().where(ContractSignature.contract == contract["id"]) == 1
        )


@pytest.mark.day(date(2026, 11, 2))
async def test_publishing_and_filing_a_contract(awarded):
    contract = (await signed(awarded))["id"]
    supervisor = await actor("xn.supervisor")
    with use_scope(awarded["scope"]):
        one_wins(*await race(lambda: contracts.publish(awarded["purchaser"], contract)))
        one_wins(*await race(lambda: contracts.file(supervisor, contract)))
    assert await notices("contract") == 1


@pytest.mark.day(date(2026, 11, 2))
async def test_payment_requests_never_total_more_than_the_contract(awarded):
    """4,380,000.00 contracted; eight requests of 1,000,000.00 at once: four pass."""
    contract = (await signed(awarded))["id"]
    with use_scope(awarded["scope"]):
        wins, losses = await race(
            lambda: performance.request_payment(
                awarded["purchaser"], contract, awarded["indicator"], Decimal("1000000"), False
            )
        )
        assert len(wins) == 4 and set(losses) == {"OVER_CONTRACT"}
        assert (await indicator(awarded))["paid_fen"] == 400_000_000


@pytest.mark.day(date(2026, 11, 2))
async def test_a_rejected_payment_is_given_back_once(awarded):
    contract = (await signed(awarded))["id"]
    with use_scope(awarded["scope"]):
        payment = await performance.request_payment(
            awarded["purchaser"], contract, awarded["indicator"], Decimal("1000000"), False
        )
        one_wins(*await race(lambda: performance.mark_sent(payment, "rejected", "", "账户不符")))
        line = await indicator(awarded)
        assert (line["paid_fen"], line["reserved_fen"]) == (0, PLAN_FEN)
        assert (await Payment.select(Payment.status).first())["status"] == "rejected"


async def test_deciding_a_plugin_request(demo):
    from gpcloud.core.plugins import service as plugin_requests
    from gpcloud.core.plugins.registry import get_registry

    plugin = get_registry().plugins["om_service"]
    province = (await tenant_tree()).scope_for("440000")
    with use_scope((await tenant_tree()).scope_for("441481")):
        request = await plugin_requests.file_request(
            await actor("xn.admin"),
            "441481",
            "om_service",
            plugin.version,
            "驻场运维服务需求说明",
            {},
        )
    decider = await actor("gd.admin")
    with use_scope(province):
        one_wins(*await race(lambda: plugin_requests.approve(decider, request["id"])))
        one_wins(*await race(lambda: plugin_requests.revoke(decider, request["id"], "不再需要")))
    assert await audited("plugin_request.approve") == 1
