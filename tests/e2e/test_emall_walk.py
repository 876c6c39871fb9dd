"""A direct purchase, a reverse auction with four quotes and a designated service order, each to
a paid order, through the API: the walk of docs/emall_walk.py (its assertions are the checks)."""

import importlib.util
import sys

from gpcloud.demo import seed_demo
from gpcloud.emall import demo as emall_demo
from tests.support import ROOT_TENANTS, drain_jobs


def _walk_module():
    if "emall_walk" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "emall_walk", ROOT_TENANTS.parent / "docs" / "emall_walk.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["emall_walk"] = module
        spec.loader.exec_module(module)
    return sys.modules["emall_walk"]


async def test_the_emall_walk(client):
    await seed_demo()
    assert sorted(await emall_demo.seed()) == [
        "mz.bidder1",
        "mz.bidder3",
        "mz.garage1",
        "mz.garage2",
        "xn.bidder2",
    ]
    assert await emall_demo.seed() == []  # idempotent
    walk = _walk_module()
    session = walk.cl.Session(client, drain_jobs)
    result = await walk.walk(session)
    assert result["line"]["paid"] == "166200.00"
    assert len(session.transcript) == 37
