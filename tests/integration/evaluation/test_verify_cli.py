"""`gpcloud experts verify-draw` in a process of its own, on the test deployment's database:
a draw recomputes; a tampered one names what differs and exits 1."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine

from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation.tables import ExpertDraw
from tests.integration.evaluation.setting import closed_tender, committee, drawn, experts
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def verify(draw_id: int) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "gpcloud", "experts", "verify-draw", str(draw_id)],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )


async def test_verify_draw_recomputes_and_names_a_tampered_result(world, traveller):
    project, _ = await closed_tender(world, traveller, 3)
    await experts(9, accounts=False)
    done = await drawn(world, await committee(world, project))
    ok = await verify(done["id"])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"ok: draw {done['id']} recomputes to the same committee" in ok.stdout
    result = json.loads(done["result"])
    with all_tenants("test: tamper with the stored result"):
        await ExpertDraw.update(
            {ExpertDraw.result: json.dumps([result[1], result[0], *result[2:]])}
        ).where(ExpertDraw.id == done["id"])
    bad = await verify(done["id"])
    assert bad.returncode == 1
    assert "MISMATCH recomputed result equals the stored one" in bad.stdout
    missing = await verify(999999)
    assert missing.returncode == 1 and "not found" in missing.stderr
