"""The real path: a procurement published through its services reaches the rollups through
the publication receiver and the refresh round, with no call from the domain to analytics."""

from __future__ import annotations

from gpcloud.analytics.service import indicators, refresh
from gpcloud.analytics.service.indicators import Filters
from gpcloud.analytics.tables import Dirty, ProcessFact
from gpcloud.core.tenancy.scope import all_tenants
from tests.integration.procurement import awarded_project, filed_plan


async def test_a_published_award_shows_in_the_indicators_after_one_round(demo):
    world = await filed_plan()
    with all_tenants("test"):
        assert await Dirty.count() == 1  # the plan's filing was published
    await awarded_project(world)
    with all_tenants("test"):
        assert await Dirty.count() == 3  # and its tender and result announcements
        before = {
            v.indicator.id: v.value
            for v in await indicators.dashboard(None, Filters("441481", 2026))
        }
        assert before["processes"] == 0
    assert await refresh.refresh_pending() == 1
    with all_tenants("test"):
        assert await Dirty.count() == 0
        fact = await ProcessFact.select().first()
        assert fact["plan_id"] == world["plan"] and (fact["year"], fact["month"]) == (2026, 10)
        after = {
            v.indicator.id: v.value
            for v in await indicators.dashboard(None, Filters("441481", 2026))
        }
    assert after["processes"] == 1
    assert str(after["spend"]) == "4380000.00"
    assert after["award_days"] == 25  # 21 Sep to 16 Oct
    assert await refresh.refresh_pending() == 0


async def test_the_worker_loop_refreshes_within_seconds(demo):
    import asyncio

    world = await filed_plan()
    await awarded_project(world)
    stop = asyncio.Event()
    loop = asyncio.create_task(refresh.run(stop, interval=0.1))
    try:
        for _ in range(100):
            with all_tenants("test"):
                if await ProcessFact.exists().where(ProcessFact.year == 2026):
                    break
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await loop
    with all_tenants("test"):
        assert await Dirty.count() == 0
        fact = await ProcessFact.select().first()
    assert fact is not None and fact["plan_id"] == world["plan"]
