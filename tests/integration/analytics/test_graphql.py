"""Analytics through the API: who sees which region's figures, the public summary, red flags
and their review (bad inputs, CONFLICT), and the export and rebuild jobs."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from gpcloud.analytics.service import redflags
from gpcloud.core.jobs.service import result_dir
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from tests.integration.analytics.world import (
    MEIZHOU,
    PINGYUAN,
    PROVINCE,
    XINGNING,
    generated,
    publish_all,
)
from tests.integration.concurrency.test_transitions import audited, one_wins, race
from tests.integration.procurement import actor
from tests.support import data, drain_jobs, error_codes, gql, login

INDICATORS = """
query($f: IndicatorFilter!) { indicators(filter: $f) { id value unit breakdown { key value } } }
"""
PUBLIC = "query($f: IndicatorFilter!) { publicIndicators(filter: $f) { id value public } }"
SERIES = """
query($i: String!, $by: AnalyticsDimension!, $f: IndicatorFilter!) {
  indicatorSeries(indicator: $i, by: $by, filter: $f) { indicator dimension points { key label value } }
}
"""
FLAGS = """
query($status: RedFlagStatus) {
  redFlags(status: $status, first: 50) {
    edges { node { id code title value explanation region planId link status revision } }
  }
}
"""
REVIEW = """
mutation($id: ID!, $note: String!, $revision: Int) {
  reviewRedFlag(id: $id, note: $note, revision: $revision) {
    flag { id status reviewNote revision } errors { code field message }
  }
}
"""
EXPORT = """
mutation($f: IndicatorFilter!) { exportIndicators(filter: $f) { job { id } errors { code } } }
"""
JOB = "query($id: ID!) { job(id: $id) { status counts errorCode } }"


@pytest.fixture
async def world(demo):
    truth = await generated(per_tenant=8)
    await publish_all()
    return truth


def _f(region: str, **more) -> dict:
    return {"f": {"region": region, "year": 2026, **more}}


def _values(result: dict, field: str = "indicators") -> dict:
    return {i["id"]: i["value"] for i in data(result)[field]}


async def test_each_level_sees_its_own_region_and_below(client, world):
    city = await login(client, "mz.supervisor")
    county = await login(client, "xn.supervisor")
    province = await login(client, "gd.admin")
    mz = _values(await gql(client, INDICATORS, _f(MEIZHOU), token=city))
    xn = _values(await gql(client, INDICATORS, _f(XINGNING), token=county))
    assert int(mz["processes"]) == world.processes[MEIZHOU] + world.processes[XINGNING]
    assert int(xn["processes"]) == world.processes[XINGNING]
    # The city reads its county; the province reads both; the county never the city.
    assert _values(await gql(client, INDICATORS, _f(XINGNING), token=city)) == xn
    assert _values(await gql(client, INDICATORS, _f(MEIZHOU), token=province)) == mz
    refused = await gql(client, INDICATORS, _f(MEIZHOU), token=county)
    assert error_codes(refused) == ["FORBIDDEN"]
    # A sibling county of the same city has no figures of Xingning's.
    pingyuan = _values(await gql(client, INDICATORS, _f(PINGYUAN), token=city))
    assert pingyuan["processes"] == "0" and pingyuan["spend"] == "0.00"
    # A purchaser holds no analytics.read.
    purchaser = await login(client, "xn.purchaser")
    assert error_codes(await gql(client, INDICATORS, _f(XINGNING), token=purchaser)) == [
        "FORBIDDEN"
    ]
    # Region series: the city itself and its county, each with its subtree.
    series = data(
        await gql(client, SERIES, {"i": "spend", "by": "REGION", **_f(MEIZHOU)}, token=province)
    )["indicatorSeries"]
    assert [p["key"] for p in series["points"]] == [MEIZHOU, XINGNING]
    assert series["points"][1]["value"] == xn["spend"]


async def test_the_public_summary_shows_only_public_indicators(client, world):
    public = data(await gql(client, PUBLIC, _f(MEIZHOU)))["publicIndicators"]
    assert public and all(i["public"] for i in public)
    ids = {i["id"] for i in public}
    assert "spend" in ids and "red_flags" not in ids and "hhi" not in ids
    assert error_codes(await gql(client, INDICATORS, _f(MEIZHOU))) == ["UNAUTHENTICATED"]
    hidden = await gql(
        client,
        'query($f: IndicatorFilter!) { publicIndicatorSeries(indicator: "hhi", by: REGION,'
        " filter: $f) { indicator } }",
        _f(MEIZHOU),
    )
    assert error_codes(hidden) == ["NOT_FOUND"]


@pytest.mark.parametrize(
    ("filters", "code"),
    [
        ({"year": 1900}, "INVALID_YEAR"),
        ({"month": 13}, "INVALID_MONTH"),
        ({"dimension": "METHOD"}, "INVALID_FILTER"),
        ({"dimension": "CATEGORY", "value": "A0201"}, "INVALID_FILTER"),
        ({"region": "999999"}, "NOT_FOUND"),
    ],
)
async def test_bad_filters_are_refused_with_a_code(client, world, filters, code):
    token = await login(client, "gd.admin")
    variables = {"f": {"region": PROVINCE, "year": 2026, **filters}}
    assert error_codes(await gql(client, INDICATORS, variables, token=token)) == [code]


async def test_a_dimension_filter_narrows_every_figure(client, world):
    token = await login(client, "gd.admin")
    total = _values(await gql(client, INDICATORS, _f(MEIZHOU), token=token))
    parts = [
        _values(
            await gql(
                client, INDICATORS, _f(MEIZHOU, dimension="OBJECT_TYPE", value=v), token=token
            )
        )
        for v in ("goods", "works", "services")
    ]
    assert sum(int(p["processes"]) for p in parts) == int(total["processes"])


async def test_red_flags_are_listed_per_region_and_reviewed_once(client, world):
    city = await login(client, "mz.supervisor")
    county = await login(client, "xn.supervisor")
    flags = [e["node"] for e in data(await gql(client, FLAGS, token=city))["redFlags"]["edges"]]
    assert {f["code"] for f in flags} >= {"R018", "R028", "R003", "R024", "R058"}
    assert all(f["explanation"] and f["link"].startswith("/notices?q=") for f in flags)
    # The flawed processes are Meizhou's own: Xingning's supervisor sees none of them.
    theirs = data(await gql(client, FLAGS, token=county))["redFlags"]["edges"]
    assert all(e["node"]["region"] == XINGNING for e in theirs)
    flag = flags[0]
    hidden = data(await gql(client, REVIEW, {"id": flag["id"], "note": "已核查"}, token=county))
    assert [e["code"] for e in hidden["reviewRedFlag"]["errors"]] == ["NOT_FOUND"]
    short = data(await gql(client, REVIEW, {"id": flag["id"], "note": " "}, token=city))
    assert [e["code"] for e in short["reviewRedFlag"]["errors"]] == ["INVALID_NOTE"]
    stale = {"id": flag["id"], "note": "已核查", "revision": flag["revision"] + 1}
    conflict = data(await gql(client, REVIEW, stale, token=city))["reviewRedFlag"]
    assert [e["code"] for e in conflict["errors"]] == ["CONFLICT"]
    done = data(
        await gql(
            client, REVIEW, {"id": flag["id"], "note": "已核查，属实", "revision": 0}, token=city
        )
    )["reviewRedFlag"]
    assert done["errors"] == [] and done["flag"]["status"] == "REVIEWED"
    again = data(await gql(client, REVIEW, {"id": flag["id"], "note": "再次"}, token=city))
    assert [e["code"] for e in again["reviewRedFlag"]["errors"]] == ["WRONG_STATE"]
    reviewed = data(await gql(client, FLAGS, {"status": "REVIEWED"}, token=city))["redFlags"]
    assert [e["node"]["id"] for e in reviewed["edges"]] == [flag["id"]]
    admin = await login(client, "mz.admin")  # reads flags, may not review them
    refused = await gql(client, REVIEW, {"id": flag["id"], "note": "已核查"}, token=admin)
    assert error_codes(refused) == ["FORBIDDEN"]
    assert await audited("analytics_red_flag.review") == 1


async def test_reviewing_a_flag_concurrently_one_wins(world):
    supervisor = await actor("mz.supervisor")
    with use_scope((await tenant_tree()).scope_for(MEIZHOU, supervisor.id)):
        page = await redflags.search(supervisor, "R018", None, None, 10, None)
        flag = page.rows[0]
        one_wins(*await race(lambda: redflags.review(supervisor, flag["id"], "已核查")))
    assert await audited("analytics_red_flag.review") == 1


async def test_the_export_holds_the_same_figures_as_the_api(client, world):
    token = await login(client, "mz.supervisor")
    api = _values(await gql(client, INDICATORS, _f(MEIZHOU), token=token))
    started = data(await gql(client, EXPORT, _f(MEIZHOU), token=token))["exportIndicators"]
    assert started["errors"] == []
    await drain_jobs()
    job_id = started["job"]["id"]
    job = data(await gql(client, JOB, {"id": job_id}, token=token))["job"]
    assert job["status"] == "SUCCEEDED", job
    folder = result_dir(int(job_id))
    book = load_workbook(next(folder.glob("*.xlsx")))
    sheet = book["指标"]
    exported = {r[0]: r[3] for r in sheet.iter_rows(min_row=2, values_only=True)}
    for key, value in api.items():
        if value is not None:
            assert str(exported[key]) == value or float(exported[key]) == float(value), key
    assert book["按月"]._charts, "the month breakdown carries a native chart"
    rows = list(csv.reader(io.StringIO(next(folder.glob("*.csv")).read_text("utf-8-sig"))))
    assert rows[0] == ["table", "key", "label", "indicator", "value"]
    assert any(r[0] == "按地区" and r[1] == XINGNING for r in rows)
    county = await login(client, "xn.supervisor")
    refused = await gql(client, EXPORT, _f(MEIZHOU), token=county)
    assert error_codes(refused) == ["FORBIDDEN"] or data(refused)["exportIndicators"]["errors"]


OCDS = "query($file: String!) { ocdsRedFlags(file: $file) { subject code explanation } }"


async def test_an_uploaded_ocds_file_is_flagged_and_nothing_is_stored(client, demo):
    import base64
    import json

    release = {
        "ocid": "ocds-test-1",
        "tender": {"procurementMethod": "open"},
        "bids": {
            "details": [{"tenderers": [{"id": "A"}], "value": {"amount": 10}, "status": "valid"}]
        },
        "awards": [{"status": "active", "suppliers": [{"id": "A"}]}],
    }
    file = base64.b64encode(json.dumps({"releases": [release]}).encode()).decode()
    token = await login(client, "xn.supervisor")
    flags = data(await gql(client, OCDS, {"file": file}, token=token))["ocdsRedFlags"]
    assert [(f["subject"], f["code"]) for f in flags] == [("ocds-test-1", "R018")]
    assert error_codes(await gql(client, OCDS, {"file": "not base64!"}, token=token)) == [
        "INVALID_BASE64"
    ]
    junk = base64.b64encode(b"{oops").decode()
    assert error_codes(await gql(client, OCDS, {"file": junk}, token=token)) == ["INVALID_OCDS"]
    purchaser = await login(client, "xn.purchaser")
    assert error_codes(await gql(client, OCDS, {"file": file}, token=purchaser)) == ["FORBIDDEN"]
