"""One procurement through every step of the closed loop, through the API, each deadline
checked against the calendar: the walk of docs/closed_loop.py (its assertions are the checks)."""

import importlib.util
import sys

from gpcloud.demo import seed_demo
from tests.support import ROOT_TENANTS, drain_jobs

spec = importlib.util.spec_from_file_location(
    "closed_loop", ROOT_TENANTS.parent / "docs" / "closed_loop.py"
)
closed_loop = importlib.util.module_from_spec(spec)
sys.modules["closed_loop"] = closed_loop  # dataclasses look their module up
spec.loader.exec_module(closed_loop)


async def test_the_closed_loop_walk(client):
    await seed_demo()
    session = closed_loop.Session(client, drain_jobs)
    result = await closed_loop.walk(session)
    assert len(session.transcript) == 32 and result["contract"]
