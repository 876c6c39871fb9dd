"""An open tender with sealed bids through the API, from the filed plan to the signed opening
record, then a competitive negotiation through its sealed quote rounds (each quote unsealed by
its supplier once the round closed) to the final quotes: the walk of docs/e_tender.py (its
assertions are the checks)."""

import importlib.util
import sys

import time_machine

from gpcloud.demo import seed_demo
from tests.support import ROOT_TENANTS, drain_jobs


def e_tender_module():
    if "e_tender" not in sys.modules:
        path = ROOT_TENANTS.parent / "docs" / "e_tender.py"
        spec = importlib.util.spec_from_file_location("e_tender", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["e_tender"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["e_tender"]


async def test_the_e_tender_walk(client):
    await seed_demo()
    e_tender = e_tender_module()
    await e_tender.extra_suppliers()
    with time_machine.travel(e_tender.at("2026-09-01T08:00:00"), tick=False) as traveller:
        session = e_tender.Session(client, traveller, drain_jobs)
        result = await e_tender.walk(session)
        assert len(result["bids"]) == 4 and len(session.transcript) == 47
        await e_tender.negotiation(session, result)
    assert len(session.transcript) == 80
