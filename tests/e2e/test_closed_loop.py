"""One procurement through every step of the closed loop, through the API, each deadline
checked against the calendar: the walk of docs/closed_loop.py (its assertions are the checks)."""

from gpcloud.demo import seed_demo
from tests.support import closed_loop_module, drain_jobs


async def test_the_closed_loop_walk(client):
    await seed_demo()
    closed_loop = closed_loop_module()
    session = closed_loop.Session(client, drain_jobs)
    result = await closed_loop.walk(session)
    assert len(session.transcript) == 32 and result["contract"]
