"""The credit check at evaluation, whose result governs (Caiku [2016] 125): as a committee
starts evaluating, a snapshot of each bidder it evaluates is stored in its tenant, referenced to
the committee, one per bidder however often the start is attempted at once; a bidder on the
serious-violation list is found not clear, and the snapshot verifies."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
import time_machine

from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.credit.service import at_evaluation, checks, records
from gpcloud.credit.tables import CreditCheck
from gpcloud.evaluation.service import committees, common, seats
from tests.integration.credit.support import blacklisting
from tests.integration.evaluation.setting import closed_tender, committee, drawn, experts
from tests.integration.procurement import actor, filed_plan
from tests.integration.transaction.bidding import DEADLINE
from tests.support import data, gql, login


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def complete_committee(world, traveller) -> tuple[dict, list]:
    """A tender of three bidders, the second on the serious-violation list; its committee drawn
    and every seat confirmed."""
    project, bidders = await closed_tender(world, traveller, 3)
    supervisor = await actor("xn.supervisor")
    with use_scope(world["scope"]):
        await records.record(supervisor, blacklisting(bidders[1].organisation))
    pool = dict(await experts(12))
    row = await committee(world, project)
    await drawn(world, row)
    for seat in (await common.members(row["id"]))[:5]:
        async with transaction():
            await seats.confirm(pool[seat["expert"]], seat["id"])
    return row, bidders


async def snapshots(committee_id: int) -> list[dict]:
    with all_tenants("test: the snapshots"):
        return await at_evaluation.snapshots(committee_id)


async def test_starting_the_evaluation_takes_the_governing_snapshot(world, traveller, client):
    row, bidders = await complete_committee(world, traveller)
    assert await snapshots(row["id"]) == []  # none before the start
    with use_scope(world["scope"]):
        async with transaction():
            await committees.start_evaluation(world["agent"], row["id"])
    taken = await snapshots(row["id"])
    assert [s["organisation"] for s in taken] == sorted(b.organisation for b in bidders)
    assert {s["purpose"] for s in taken} == {"evaluation"}
    assert {s["tenant_id"] for s in taken} == {"441481"}
    assert {s["on_day"] for s in taken} == {date(2026, 10, 13)}  # the evaluation day
    verdict = {s["organisation"]: s["clear"] for s in taken}
    assert verdict == {b.organisation: b is not bidders[1] for b in bidders}
    barred = next(s for s in taken if not s["clear"])
    assert [r["kind"] for r in barred["records"]] == ["blacklist"]
    assert all(checks.recompute_digest(s) == s["digest"] for s in taken)
    moved = {**barred, "reference": "evaluation_committee:999"}  # the reference is digested
    assert checks.recompute_digest(moved) != barred["digest"]

    reference = f"evaluation_committee:{row['id']}"
    with use_scope((await tenant_tree()).scope_for("441424")):  # same reference, another tenant
        elsewhere = await checks.check(
            bidders[0].organisation, "evaluation", date(2026, 10, 13), reference=reference
        )
    query = """query($r: String!) { creditChecks(reference: $r, first: 10) { edges { node {
      id organisationId clear reference digestMatches tenantCode } } } }"""
    purchaser = await login(client, "xn.purchaser")
    edges = data(await gql(client, query, {"r": reference}, token=purchaser))["creditChecks"]
    nodes = [e["node"] for e in edges["edges"]]
    assert sorted(n["organisationId"] for n in nodes) == sorted(
        str(b.organisation) for b in bidders
    )
    assert str(elsewhere.snapshot["id"]) not in {n["id"] for n in nodes}
    assert {n["tenantCode"] for n in nodes} == {"441481"}
    assert all(n["digestMatches"] and n["reference"] == reference for n in nodes)
    assert [n["clear"] for n in nodes].count(False) == 1


async def test_racing_starts_take_one_snapshot_per_bidder(world, traveller):
    row, bidders = await complete_committee(world, traveller)

    async def start() -> str:
        try:
            with use_scope(world["scope"]):
                async with transaction():
                    await committees.start_evaluation(world["agent"], row["id"])
            return "started"
        except DomainError as exc:
            return exc.code

    outcomes = await asyncio.gather(*(start() for _ in range(4)))
    assert outcomes.count("started") == 1, outcomes
    assert len(await snapshots(row["id"])) == len(bidders)
    with all_tenants("test"):
        assert await CreditCheck.count().where(CreditCheck.purpose == "evaluation") == 3
