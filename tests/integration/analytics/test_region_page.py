"""The logged-in region dashboard (/analytics/region) at the HTML level (a real browser draws it
in test_dashboard_browser.py): every indicator of the catalogue, the charts beside their tables,
the region's open red flags, drill-down within the caller's region only, its exports; a county
sees nothing of its city, a sibling county nothing of another's; anonymous and unprivileged
callers are refused."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from gpcloud.analytics.catalogue import CATALOGUE
from tests.integration.analytics.world import (
    MEIZHOU,
    PINGYUAN,
    PROVINCE,
    XINGNING,
    generated,
    publish_all,
)
from tests.support import data, gql, login

PAGE = "/analytics/region"
INDICATORS = "query($f: IndicatorFilter!) { indicators(filter: $f) { id value } }"


@pytest.fixture
async def world(demo):
    truth = await generated(per_tenant=10, flawed=7)
    await publish_all()
    return truth


def _auth(token: str) -> dict:
    return {"authorization": f"Bearer {token}"}


async def _page(client, token, **params):
    return await client.get(PAGE, params={"year": 2026, **params}, headers=_auth(token))


def _options(html: str) -> set[str]:
    select = html[html.index('<select name="region">') : html.index("</select>")]
    return set(re.findall(r'<option value="(\d{6})"', select))


async def test_the_city_sees_every_indicator_its_counties_and_its_flags(client, world):
    token = await login(client, "mz.supervisor")
    page = await _page(client, token)
    assert page.status_code == 200, page.text
    html = page.text
    assert "梅州市 2026年政府采购统计分析" in html
    for ind in CATALOGUE:  # every indicator, public or not, with its definition and formula
        assert f'id="indicator-{ind.id}"' in html, ind.id
    assert "质疑率" in html and "政采贷金额" in html and "否决投标比例" in html
    assert html.count("<canvas") == 9 and 'id="chart-data"' in html
    assert 'src="/analytics/static/vendor/chart-4.5.0.umd.min.js"' in html
    # Its own region and below only: the province and other cities are not offered.
    assert _options(html) >= {MEIZHOU, XINGNING, PINGYUAN}
    assert PROVINCE not in _options(html) and "441300" not in _options(html)
    assert 'data-region="441481"' in html  # drill-down link to Xingning
    assert "上一级" not in html  # the province is above the caller's region
    # The deliberately flawed processes' open flags, R035 and R036 among them.
    raised = set(re.findall(r'data-flag="(R\d{3})"', html))
    assert {"R018", "R035", "R036"} <= raised
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.headers["cache-control"] == "no-store"


async def test_the_page_shows_the_apis_figures(client, world):
    token = await login(client, "mz.supervisor")
    api = {
        i["id"]: i["value"]
        for i in data(
            await gql(client, INDICATORS, {"f": {"region": MEIZHOU, "year": 2026}}, token=token)
        )["indicators"]
    }
    html = (await _page(client, token)).text
    row = html[html.index('id="indicator-processes"') :]
    assert f'data-unit="count">{api["processes"]}' in row[:400]
    spend = f"{float(api['spend']):,.2f} 元"
    assert spend in html[html.index('id="indicator-spend"') :][:400]
    share = f"{float(api['complaint_upheld_share']) * 100:.2f}%"
    assert share in html[html.index('id="indicator-complaint_upheld_share"') :][:400]


async def test_a_county_sees_its_own_and_never_its_city(client, world):
    token = await login(client, "xn.supervisor")
    own = await _page(client, token)
    assert own.status_code == 200
    html = own.text
    assert "兴宁市 2026年" in html
    assert _options(html) == {XINGNING}
    # The flawed processes are Meizhou's: none of their flags, no region of the city's.
    assert set(re.findall(r'data-region="(\d{6})"', html)) <= {XINGNING}
    assert "上一级" not in html
    assert (await _page(client, token, region=MEIZHOU)).status_code == 403
    assert (await _page(client, token, region=PINGYUAN)).status_code == 403
    assert (await _page(client, token, region=PROVINCE)).status_code == 403
    export = await client.get(
        f"{PAGE}/export.csv", params={"region": MEIZHOU, "year": 2026}, headers=_auth(token)
    )
    assert export.status_code == 403


async def test_a_city_drilling_into_a_county_sees_that_county_only(client, world):
    token = await login(client, "mz.supervisor")
    # As the form sends it: the whole year is an empty month.
    whole = await _page(client, token, region=XINGNING, month="")
    html = whole.text
    assert whole.status_code == 200
    assert "兴宁市 2026年" in html
    assert set(re.findall(r'data-flag="R\d{3}" data-region="(\d{6})"', html)) <= {XINGNING}
    assert "上一级（梅州市）" in html
    # A month and a method narrow every figure; the series by another dimension are left out.
    narrowed = await _page(
        client, token, region=XINGNING, month="9", dimension="method", value="open_tender"
    )
    assert narrowed.status_code == 200 and "9月政府采购统计分析" in narrowed.text
    assert narrowed.text.count("<canvas") < html.count("<canvas")
    assert (await _page(client, token, month="thirteen")).status_code == 404
    assert (await _page(client, token, month="13")).status_code == 404


async def test_anonymous_and_unprivileged_callers_are_refused(client, world):
    assert (await client.get(PAGE, params={"year": 2026})).status_code == 401
    bad = await client.get(PAGE, headers={"authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    purchaser = await login(client, "xn.purchaser")
    assert (await _page(client, purchaser)).status_code == 403
    assert (await client.get(f"{PAGE}/export.xlsx")).status_code == 401
    token = await login(client, "gd.admin")
    assert (await _page(client, token, region="999999")).status_code == 404
    assert (await _page(client, token, year=1800)).status_code == 404


async def test_the_exports_hold_the_pages_figures(client, world):
    token = await login(client, "mz.supervisor")
    variables = {"f": {"region": MEIZHOU, "year": 2026}}
    api = {
        i["id"]: i["value"]
        for i in data(await gql(client, INDICATORS, variables, token=token))["indicators"]
    }
    xlsx = await client.get(
        f"{PAGE}/export.xlsx", params={"region": MEIZHOU, "year": 2026}, headers=_auth(token)
    )
    assert xlsx.status_code == 200 and xlsx.headers["cache-control"] == "no-store"
    book = load_workbook(io.BytesIO(xlsx.content))
    exported = {r[0]: r[3] for r in book["指标"].iter_rows(min_row=2, values_only=True)}
    for key in ("spend", "challenge_rate", "complaints", "loan_amount", "disqualified_share"):
        assert float(exported[key]) == float(api[key]), key
    assert book["按月"]._charts
    text = await client.get(
        f"{PAGE}/export.csv", params={"region": MEIZHOU, "year": 2026}, headers=_auth(token)
    )
    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert rows[0] == ["table", "key", "label", "indicator", "value"]
    regions = {r[1] for r in rows if r[0] == "按地区"}
    assert regions == {MEIZHOU, XINGNING}


async def test_the_province_drills_from_any_city_back_up(client, world):
    token = await login(client, "gd.admin")
    page = await _page(client, token, region=MEIZHOU)
    assert page.status_code == 200
    assert "上一级（广东省）" in page.text and 'data-region="441481"' in page.text
    assert PROVINCE in _options(page.text) and "441300" in _options(page.text)
