"""An open tender with sealed bids through the API, from the filed plan to the signed opening
record, then a competitive negotiation through its sealed quote rounds (each quote unsealed by
its supplier once the round closed) to the final quotes, then the tender's evaluation from the
expert draw to the contract and the agency's bill: the walk of docs/e_tender.py (its assertions
are the checks)."""

import importlib.util
import sys

import time_machine

from gpcloud.demo import seed_demo
from tests.integration.portal.test_ocds import SCHEMA_ZIP, cove
from tests.support import ROOT_TENANTS, drain_jobs


def e_tender_module():
    if "e_tender" not in sys.modules:
        path = ROOT_TENANTS.parent / "docs" / "e_tender.py"
        spec = importlib.util.spec_from_file_location("e_tender", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["e_tender"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["e_tender"]


async def test_the_e_tender_walk(client, tmp_path):
    await seed_demo()
    e_tender = e_tender_module()
    await e_tender.extra_suppliers()
    await e_tender.expert_accounts()
    with time_machine.travel(e_tender.at("2026-09-01T08:00:00"), tick=False) as traveller:
        session = e_tender.Session(client, traveller, drain_jobs)
        result = await e_tender.walk(session)
        assert len(result["bids"]) == 4 and len(session.transcript) == 47
        await e_tender.negotiation(session, result)
        assert len(session.transcript) == 80
        await e_tender.evaluation(session, result)
    assert len(session.transcript) == 151
    # OCDS: the result's release carries the evaluation, and the package validates.
    package = (await client.get("/ocds/releases?limit=100")).json()
    [evaluated] = [r for r in package["releases"] if "awardCriteria" in r.get("tender", {})]
    assert evaluated["tender"]["awardCriteria"] == "ratedCriteria"
    assert "评审总得分 93.38" in evaluated["tender"]["awardCriteriaDetails"]
    if SCHEMA_ZIP.exists():
        report = cove(tmp_path, package)
        assert report["validation_errors"] == []
        assert report["additional_closed_codelist_values"] == {}
