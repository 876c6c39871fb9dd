"""A challenge and a complaint through the API after the e-tender walk: the walk of
docs/complaints_walk.py (its assertions are the checks)."""

import importlib.util
import sys

import time_machine

from gpcloud.demo import seed_demo
from tests.e2e.test_e_tender import e_tender_module
from tests.support import ROOT_TENANTS, drain_jobs


def walk_module():
    if "complaints_walk" not in sys.modules:
        e_tender_module()
        path = ROOT_TENANTS.parent / "docs" / "complaints_walk.py"
        spec = importlib.util.spec_from_file_location("complaints_walk", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["complaints_walk"] = module
        spec.loader.exec_module(module)
    return sys.modules["complaints_walk"]


async def test_the_complaints_walk(client):
    await seed_demo()
    walk = walk_module()
    await walk.extra_suppliers()
    with time_machine.travel(walk.at("2026-09-01T08:00:00"), tick=False) as traveller:
        session = walk.Session(client, traveller, drain_jobs)
        result = await walk.walk(session)
    assert result["complaint"]
