"""The evaluation room: a committee that meets (not remote) names one of its agency's
evaluation rooms, in the project's region or above it, ready under the region's requirements
(seed 四(二), 三(一)); another agency's room does not exist for it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.agencies.tables import AgencyRoom
from tests.integration.evaluation.setting import closed_tender, committee, evaluation_room
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def codes(call) -> list[str]:
    with pytest.raises(DomainError) as info:
        async with transaction():
            await call()
    return [p.code for p in info.value.problems]


async def own_room(tenant: str, computers: int, camera: int) -> int:
    """A room of the Meizhou agency (the agency of the demo's Xingning school) written directly."""
    meizhou = await AgencyRoom.select(AgencyRoom.agency).where(AgencyRoom.name == "兴宁评标室")
    with all_tenants("test: a room"):
        room = AgencyRoom(
            agency=meizhou[0]["agency"],
            kind="evaluation",
            name=f"测试评标室{tenant}{computers}",
            tenant=tenant,
            computers=computers,
            camera_resolution=camera,
            av_monitoring=True,
            recording_retained=True,
        )
        await room.save()
    return room.id


async def test_a_committee_meets_in_its_agencys_ready_evaluation_room(world, traveller):
    project, _ = await closed_tender(world, traveller, 3)
    assert await codes(lambda: committee(world, project, room_id=None)) == [
        "EVALUATION_ROOM_REQUIRED"
    ]
    opening = await evaluation_room("兴宁开标室")
    assert await codes(lambda: committee(world, project, room_id=opening)) == [
        "NOT_AN_EVALUATION_ROOM"
    ]
    poor = await own_room("441481", 4, 480)
    assert await codes(lambda: committee(world, project, room_id=poor)) == [
        "EVALUATION_ROOM_COMPUTERS",
        "CAMERA_RESOLUTION",
    ]
    elsewhere = await own_room("441402", 12, 1080)  # 梅江区: not Xingning, not above it
    assert await codes(lambda: committee(world, project, room_id=elsewhere)) == [
        "ROOM_OUTSIDE_REGION"
    ]
    theirs = await evaluation_room("宁江评标室")  # the other demo agency's
    with pytest.raises(NotFound):
        async with transaction():
            await committee(world, project, room_id=theirs)
    assert await codes(lambda: committee(world, project, remote=True, room_id=opening)) == [
        "REMOTE_HAS_NO_ROOM"
    ]
    city = await evaluation_room("梅州第一评标室")  # Meizhou city, above Xingning: fine
    row = await committee(world, project, room_id=city)
    assert row["room"] == city and not row["remote"]


async def test_a_remote_committee_has_no_room(world, traveller):
    project, _ = await closed_tender(world, traveller, 3)
    row = await committee(world, project, remote=True)
    assert row["room"] is None
