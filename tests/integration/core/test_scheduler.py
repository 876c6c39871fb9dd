"""The scheduler: what falls due runs once, in due order, by one leader at a time; each timed
transition records when it fell due and when it ran."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import pytest

from gpcloud.contracts import service as contracts
from gpcloud.contracts import signing
from gpcloud.contracts.tables import Contract
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.clock import end_of, start_of
from gpcloud.core.jsonutil import loads
from gpcloud.core.notifications.tables import Notification
from gpcloud.core.scheduler import lease as leases
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.supervision import intentions
from tests.integration.contracts.test_contracts import new_key, sign
from tests.integration.procurement import actor, awarded_project, filed_plan
from tests.support import data, gql, login

pytestmark = pytest.mark.day(date(2026, 11, 2))

DUE = end_of(date(2026, 10, 9))  # contracts signed on 30 Sep are due for publication by 9 Oct


@pytest.fixture
async def world(demo):
    world = await filed_plan()
    world["project"] = await awarded_project(world)
    # Its announcements' periods (to 19 Oct) end first: the scheduler ran then.
    await scheduler.run_once(end_of(date(2026, 10, 19)))
    return world


async def signed_contracts(world, n: int) -> list[int]:
    """`n` contracts of 1,000,000.00 (the award is 4,380,000.00), signed on 30 Sep 2026."""
    keys = {}
    ids = []
    with use_scope(world["scope"]):
        for party in ("purchaser", "seller"):
            private, public = new_key()
            await signing.register_key(world[party], public)
            keys[party] = private
        for i in range(n):
            draft = await contracts.create(
                world["purchaser"],
                world["project"],
                world["supplier"]["organisation"],
                contracts.ContractInput(f"合同{i}", "条款", Decimal("1000000")),
            )
            for party in ("purchaser", "seller"):
                await contracts.sign(
                    world[party], draft["id"], sign(keys[party], draft), on=date(2026, 9, 30)
                )
            ids.append(draft["id"])
    return ids


async def audit(action: str) -> list[dict]:
    with all_tenants("test: the audit log"):
        return await AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.id)


async def statuses(ids: list[int]) -> list[str]:
    with all_tenants("test"):
        rows = await Contract.select(Contract.id, Contract.status).where(Contract.id.is_in(ids))
    return [r["status"] for r in sorted(rows, key=lambda r: r["id"])]


async def test_a_contract_not_published_in_time_falls_overdue(client, world):
    [contract] = await signed_contracts(world, 1)
    with all_tenants("test"):
        row = await Contract.select().where(Contract.id == contract).first()
    assert row["next_check"] == DUE
    assert await scheduler.run_once(DUE - timedelta(seconds=1)) == []
    [ran] = await scheduler.run_once(DUE + timedelta(minutes=5))
    assert (ran.action, ran.due_at) == ("publication_overdue", DUE)
    assert await statuses([contract]) == ["overdue"]
    [entry] = await audit("contract.publication_overdue")
    detail = loads(entry["detail"])
    assert detail["due_at"] == DUE.isoformat() and detail["rule"] == "contract_publication"
    with all_tenants("test"):
        told = await Notification.select(Notification.kind, Notification.recipient).where(
            Notification.kind == "contract.publication_overdue"
        )
    assert told and {t["recipient"] for t in told} == {(await actor("xn.purchaser")).id}
    supervisor = await login(client, "xn.supervisor")
    overview = data(
        await gql(
            client,
            "{ supervisionOverview { contractPublicationOverdueCount } "
            f"contract(id: {contract}) {{ status schedule {{ nextCheck }} }} }}",
            token=supervisor,
        )
    )
    assert overview["supervisionOverview"]["contractPublicationOverdueCount"] == 1
    assert overview["contract"] == {"status": "OVERDUE", "schedule": {"nextCheck": None}}
    with use_scope(world["scope"]):
        published = await contracts.publish(world["purchaser"], contract)
    assert published["status"] == "published" and published["next_check"] is None
    [late] = await audit("contract.publish")
    assert loads(late["detail"])["late"] is True


async def test_three_workers_racing_run_each_due_object_once(world):
    ids = await signed_contracts(world, 3)
    stop = asyncio.Event()
    loops = [asyncio.create_task(scheduler.run(stop, interval=0.05)) for _ in range(3)]
    for _ in range(200):
        if await statuses(ids) == ["overdue"] * 3:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(*loops)
    assert await statuses(ids) == ["overdue"] * 3
    assert len(await audit("contract.publication_overdue")) == 3


async def test_one_leader_ticking_twice_at_once_still_runs_each_object_once(world):
    """Claims (FOR UPDATE SKIP LOCKED; SQLite's write lock) and compare-and-sets, not only the
    lease, keep a row from running twice."""
    ids = await signed_contracts(world, 3)
    lease = await leases.acquire(scheduler.NAME, "test", timedelta(seconds=30))
    results = await asyncio.gather(*(scheduler.tick(lease) for _ in range(3)))
    assert sorted(d.object_id for ran in results for d in ran) == ids
    assert len(await audit("contract.publication_overdue")) == 3


async def test_a_worker_killed_holding_the_lease_is_replaced_and_cannot_act(world):
    ids = await signed_contracts(world, 2)
    ttl = timedelta(seconds=1)
    dead = await leases.acquire(scheduler.NAME, "killed worker", ttl)
    assert dead is not None  # it never renews nor releases
    assert await scheduler.run_once() == []  # another worker cannot take over yet
    await asyncio.sleep(1.2)
    stop = asyncio.Event()
    standby = asyncio.create_task(scheduler.run(stop, interval=0.05, ttl=ttl))
    for _ in range(100):
        if await statuses(ids) == ["overdue"] * 2:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await standby
    assert await statuses(ids) == ["overdue"] * 2
    [later] = await signed_contracts(world, 1)
    with pytest.raises(leases.LeaseLost):  # the old leader wakes up: it writes nothing
        await scheduler.tick(dead)
    assert await statuses([later]) == ["signed"]
    assert len(await audit("contract.publication_overdue")) == 2


async def test_an_outage_is_caught_up_in_due_order(world):
    """Due during two hours of downtime: an intention's lead ending and contracts falling
    overdue, run in the order they fell due, each recording when that was and when it ran."""
    ids = await signed_contracts(world, 1)
    purchaser = world["purchaser"]
    with use_scope(world["scope"]):
        row = await intentions.create(
            purchaser,
            intentions.IntentionInput("项目", "摘要", Decimal("1000"), "goods", date(2026, 12, 1)),
        )
        intention = await intentions.publish(purchaser, row["id"], on=date(2026, 9, 2))
    opens = start_of(intention["earliest_start"])  # 8 Oct, before the contract's 10 Oct
    assert opens < DUE
    back = DUE + timedelta(hours=2)
    ran = await scheduler.run_once(back)
    assert [(d.machine, d.action, d.due_at) for d in ran] == [
        ("intention", "open", opens),
        ("contract", "publication_overdue", DUE),
    ]
    assert {d.ran_at for d in ran} == {back}
    with use_scope(world["scope"]):
        assert (await intentions.get(row["id"]))["status"] == "open"
    assert await statuses(ids) == ["overdue"]
    assert await scheduler.run_once(back) == []  # nothing runs twice


async def test_health_shows_leader_backlog_and_lag(client, world):
    await signed_contracts(world, 2)
    admin = await login(client, "gd.admin")
    query = "{ schedulerHealth { leader backlog lagSeconds } }"
    before = data(await gql(client, query, token=admin))["schedulerHealth"]
    assert before["leader"] is None and before["backlog"] == 2 and before["lagSeconds"] > 0
    await scheduler.run_once()
    after = data(await gql(client, query, token=admin))["schedulerHealth"]
    assert (after["backlog"], after["lagSeconds"]) == (0, 0)
    refused = await gql(client, query, token=await login(client, "xn.purchaser"))
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
