"""A direct purchase, a reverse auction with four quotes, a designated service order and a group
buy of three purchasers, each to a paid order, through the API: the walk of docs/emall_walk.py
(its assertions are the checks); then the walk's processes as OCDS open data, validated offline
against the standard's schema (libcoveocds) like the portal's releases."""

import importlib.util
import sys
import zipfile

import ocdsmerge
import pytest

from gpcloud.demo import seed_demo
from gpcloud.emall import demo as emall_demo
from tests.integration.portal.test_ocds import SCHEMA_ZIP, cove, fetch, record_package_errors
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


@pytest.fixture
async def walked(client):
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
    return session, result


async def test_the_emall_walk(walked):
    session, result = walked
    assert result["line"]["paid"] == "183000.00"
    assert len(session.transcript) == 60


def _tags(package: dict) -> list[tuple[str, list[str]]]:
    return [(r["ocid"].rsplit("-", 1)[-1], r["tag"]) for r in package["releases"]]


@pytest.mark.skipif(not SCHEMA_ZIP.exists(), reason="../shared/ocds is not on this machine")
async def test_the_walk_as_ocds_releases_and_records(client, walked, tmp_path):
    _, result = walked
    packages = {
        kind: await fetch(client, f"/ocds/mall/releases?kind={kind}")
        for kind in ("orders", "auctions", "group_buys", "framework_agreements")
    }
    order, designated = result["direct"], result["designated"]
    assert _tags(packages["orders"])[:3] == [
        (f"MO{order}", ["award", "contract"]),
        (f"MO{order}", ["implementation"]),
        (f"MO{order}", ["implementation"]),
    ]
    releases = packages["orders"]["releases"]
    by_ocid = {}
    for r in releases:
        by_ocid.setdefault(r["ocid"].rsplit("-", 1)[-1], []).append(r)
    # Three orders of the walk's own (direct, designated, the school's group-buy share) and
    # the two other shares the group buy placed, confirmed or not: only confirmed are public.
    assert sorted(by_ocid) == sorted(
        [f"MO{order}", f"MO{designated}", f"MO{result['group_share']}"]
    )
    direct = by_ocid[f"MO{order}"][0]
    assert direct["tender"]["procurementMethod"] == "limited"
    assert direct["tender"]["procurementMethodDetails"] == "电子卖场直购"
    assert direct["awards"][0]["value"] == {"amount": 40400.0, "currency": "CNY"}
    service = by_ocid[f"MO{designated}"][0]
    assert service["tender"]["procurementMethod"] == "selective"
    agreement = packages["framework_agreements"]["releases"][0]
    assert service["relatedProcesses"][0]["identifier"] == agreement["ocid"]
    assert service["relatedProcesses"][0]["relationship"] == ["framework"]
    assert len(agreement["awards"][0]["suppliers"]) == 2
    share = by_ocid[f"MO{result['group_share']}"][0]
    group = packages["group_buys"]["releases"]
    assert share["relatedProcesses"][0]["identifier"] == group[0]["ocid"]
    assert [r["tag"] for r in group] == [["planning"], ["award"]]
    assert group[1]["awards"][0]["value"] == {"amount": 67200.0, "currency": "CNY"}
    auction = packages["auctions"]["releases"]
    assert [r["tag"] for r in auction] == [
        ["tender"],
        ["award"],
        ["contract"],
        ["implementation"],
        ["implementation"],
    ]
    assert auction[1]["tender"]["numberOfTenderers"] == 4
    assert auction[2]["contracts"][0]["awardID"] == auction[1]["awards"][0]["id"]
    for kind, package in packages.items():
        report = cove(tmp_path / kind, package)
        assert report["validation_errors"] == [], (kind, report["validation_errors"])
        assert report["additional_closed_codelist_values"] == {}, kind
        records = await fetch(client, f"/ocds/mall/records?kind={kind}")
        assert list(record_package_errors(records)) == [], kind
        with zipfile.ZipFile(SCHEMA_ZIP) as archive:
            name = next(n for n in archive.namelist() if n.endswith("schema/release-schema.json"))
            schema = __import__("json").loads(archive.read(name))
        for record in records["records"]:
            theirs = ocdsmerge.Merger(schema=schema).create_compiled_release(record["releases"])
            assert record["compiledRelease"] == theirs, kind


async def test_mall_ocds_pages_and_refusals(client, walked):
    seen, path = [], "/ocds/mall/records?kind=orders&limit=1"
    while path:
        body = await fetch(client, path.replace("http://gpcloud.test", ""))
        seen += [r["ocid"] for r in body["records"]]
        path = body.get("links", {}).get("next")
    assert len(seen) == len(set(seen)) == 3
    # Xingning's processes and Meizhou's own: a region is its subtree.
    xingning = await fetch(client, "/ocds/mall/records?kind=orders&region=441481")
    assert len(xingning["records"]) == 3
    assert (await fetch(client, "/ocds/mall/records?kind=orders&region=440100"))["records"] == []
    agreements = await fetch(client, "/ocds/mall/records?kind=framework_agreements&region=441481")
    assert agreements["records"] == []  # Meizhou's agreement is the city's, not the county's
    for bad in ("kind=tenders", "region=999999", "limit=0", "limit=100000", "after=-1"):
        assert (await client.get(f"/ocds/mall/releases?{bad}")).status_code == 400, bad
