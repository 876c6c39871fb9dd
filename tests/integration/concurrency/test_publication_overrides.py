"""Publication overrides raced: N agencies' requests for the same rule leave exactly one
pending; N publications that need the same override publish once (one uses it; the others lose
the compare-and-set or find nothing left to use)."""

from __future__ import annotations

import pytest

from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.supervision import warnings
from gpcloud.supervision.tables import PublicationOverride
from gpcloud.transaction import documents
from gpcloud.transaction import service as projects
from gpcloud.transaction.tables import ProcurementDocument
from tests.integration.concurrency.test_transitions import N, race
from tests.integration.procurement import filed_plan
from tests.integration.supervision.test_publication_warnings import terms

LOCAL = terms(qualification=[{"item": "须为本地注册企业"}])


@pytest.fixture
async def world(demo):
    world = await filed_plan()
    with use_scope(world["scope"]):
        world["project"] = (
            await projects.entrust(world["purchaser"], world["plan"], world["agency"])
        )["id"]
    return world


async def statuses() -> list[str]:
    with all_tenants("test: the overrides"):
        return sorted(r["status"] for r in await PublicationOverride.select())


async def test_racing_requests_leave_one_pending_override(world):
    async def ask():
        with use_scope(world["scope"]):
            return await warnings.request_override(
                world["agent"], world["plan"], "documents", ["restrictive_terms"], "理由"
            )

    wins, losses = await race(ask)
    assert len(wins) == N and losses == []  # each request is taken in turn
    assert await statuses() == ["pending"] + ["superseded"] * (N - 1)


async def test_racing_publications_use_one_override_once(world):
    with use_scope(world["scope"]):
        await warnings.request_override(
            world["agent"], world["plan"], "documents", ["restrictive_terms"], "理由"
        )

    async def publish():
        with use_scope(world["scope"]):
            return await documents.publish(world["agent"], world["project"], LOCAL)

    wins, losses = await race(publish)
    assert len(wins) == 1, losses
    assert set(losses) <= {"CONFLICT", "PUBLICATION_WARNINGS"}, losses
    assert await statuses() == ["used"]
    with all_tenants("test: the documents"):
        assert await ProcurementDocument.count() == 1
