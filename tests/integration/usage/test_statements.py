"""Monthly statements through the API, and who sees which: an agency its own bill wherever it
works, a region's finance staff every agency's charges of their region; the XLSX export."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gpcloud.core.clock import on_day
from gpcloud.usage import development
from gpcloud.usage.service import sign_document, verify_face
from tests.integration.usage.support import EXPERT, REPORT, agencies, use
from tests.support import drain_jobs, error_codes, gql, login

STATEMENTS = """query($month: String!, $agency: ID, $tenant: String) {
  usageStatements(month: $month, agency: $agency, tenant: $tenant) {
    edges { node { agency { id name } month count total
      lines { tenantCode kind count unitPrice amount } } }
  } }"""
CHARGES = """query($month: String!, $kind: UsageKind, $tenant: String) {
  usageCharges(month: $month, kind: $kind, tenant: $tenant, first: 50) {
    edges { node { id tenantCode kind unitPrice outcome development provider agency { name } } }
  } }"""
EXPORT = """mutation($month: String!, $agency: ID) {
  exportUsageStatements(month: $month, agency: $agency) { job { id } errors { code } } }"""
JOB = "query($id: ID!) { job(id: $id) { status counts files { name url } } }"


@pytest.fixture
async def world(demo):
    """mz.agency: in Xingning 2 faces (one not matched) and 1 signature, 1 face in Meizhou, 1 in
    Guangzhou, 1 face in October; xn.agency: 1 face in Xingning. Prices: the province's, face
    2.00, signature 10.00."""
    w = await agencies()
    face = development.face_sample("expert:7")
    mz, xn = w["mz_org"], w["xn_org"]
    await verify_face(use(mz, "a"), EXPERT, face, "x")
    await verify_face(use(mz, "b"), EXPERT, b"other", "x")
    await sign_document(use(mz, "c"), EXPERT, REPORT, development.CONFIRMATION)
    await verify_face(use(mz, "d", tenant="441400"), EXPERT, face, "x")
    await verify_face(use(mz, "e", tenant="440100"), EXPERT, face, "x")
    await verify_face(use(xn, "f"), EXPERT, face, "x")
    with on_day(date(2026, 10, 8)):
        await verify_face(use(mz, "g"), EXPERT, face, "x")
    return w


async def statements(client, user, **variables) -> dict:
    result = await gql(
        client, STATEMENTS, {"month": "2026-09", **variables}, token=await login(client, user)
    )
    return result


def totals(result) -> dict[str, tuple[int, Decimal]]:
    return {
        e["node"]["agency"]["name"]: (e["node"]["count"], Decimal(e["node"]["total"]))
        for e in result["data"]["usageStatements"]["edges"]
    }


async def test_an_agency_sees_its_whole_bill_and_nobody_elses(client, world):
    mine = await statements(client, "mz.agency")
    assert totals(mine) == {"梅州嘉应招标代理有限公司": (5, Decimal("18.00"))}
    [node] = [e["node"] for e in mine["data"]["usageStatements"]["edges"]]
    assert [(x["tenantCode"], x["kind"], x["count"], x["amount"]) for x in node["lines"]] == [
        ("440100", "FACE_VERIFICATION", 1, "2.00"),
        ("441400", "FACE_VERIFICATION", 1, "2.00"),
        ("441481", "E_SIGNATURE", 1, "10.00"),
        ("441481", "FACE_VERIFICATION", 2, "4.00"),
    ]
    other = await statements(client, "mz.agency", agency=str(world["xn_org"]))
    assert error_codes(other) == ["NOT_FOUND"]
    assert totals(await statements(client, "xn.agency")) == {
        "兴宁市宁江工程咨询有限公司": (1, Decimal("2.00"))
    }
    october = await statements(client, "mz.agency", month="2026-10")
    assert totals(october) == {"梅州嘉应招标代理有限公司": (1, Decimal("2.00"))}


async def test_finance_staff_see_every_agency_of_their_region_only(client, world):
    county = totals(await statements(client, "xn.admin"))
    assert county == {
        "梅州嘉应招标代理有限公司": (3, Decimal("14.00")),
        "兴宁市宁江工程咨询有限公司": (1, Decimal("2.00")),
    }
    assert totals(await statements(client, "xn.supervisor")) == county
    city = totals(await statements(client, "mz.admin"))
    assert city["梅州嘉应招标代理有限公司"] == (4, Decimal("16.00"))  # not Guangzhou's
    only = await statements(client, "mz.admin", agency=str(world["xn_org"]))
    assert totals(only) == {"兴宁市宁江工程咨询有限公司": (1, Decimal("2.00"))}
    assert totals(await statements(client, "mz.admin", tenant="441400")) == city  # and counties
    assert totals(await statements(client, "mz.admin", tenant="441481")) == county
    province = totals(await statements(client, "gd.admin"))
    assert province["梅州嘉应招标代理有限公司"] == (5, Decimal("18.00"))
    assert error_codes(await statements(client, "xn.admin", tenant="441400")) == [
        "TENANT_NOT_FOUND"
    ]


async def test_charges_list_and_bad_requests(client, world):
    token = await login(client, "xn.supervisor")
    result = await gql(client, CHARGES, {"month": "2026-09"}, token=token)
    nodes = [e["node"] for e in result["data"]["usageCharges"]["edges"]]
    assert sorted(n["outcome"] for n in nodes) == ["matched", "matched", "not_matched", "signed"]
    assert all(n["development"] and n["provider"] == "builtin:development" for n in nodes)
    assert {n["tenantCode"] for n in nodes} == {"441481"}
    signed = await gql(client, CHARGES, {"month": "2026-09", "kind": "E_SIGNATURE"}, token=token)
    [node] = [e["node"] for e in signed["data"]["usageCharges"]["edges"]]
    assert (node["unitPrice"], node["agency"]["name"]) == ("10.00", "梅州嘉应招标代理有限公司")
    for month in ("2026-13", "2026-9", "", "2026-09-01"):
        assert error_codes(await gql(client, CHARGES, {"month": month}, token=token)) == [
            "INVALID_MONTH"
        ]
    purchaser = await login(client, "xn.purchaser")
    assert error_codes(await gql(client, CHARGES, {"month": "2026-09"}, token=purchaser)) == [
        "FORBIDDEN"
    ]


async def test_the_agency_downloads_its_statement_as_xlsx(client, world):
    token = await login(client, "mz.agency")
    started = (await gql(client, EXPORT, {"month": "2026-09"}, token=token))["data"]
    assert started["exportUsageStatements"]["errors"] == []
    await drain_jobs()
    job_id = started["exportUsageStatements"]["job"]["id"]
    job = (await gql(client, JOB, {"id": job_id}, token=token))["data"]["job"]
    assert job["status"] == "SUCCEEDED" and job["counts"] == {"statements": 1, "charges": 5}
    files = {f["name"]: f["url"] for f in job["files"]}
    got = await client.get(
        files["usage-statements-2026-09.xlsx"], headers={"authorization": f"Bearer {token}"}
    )
    rows = list(load_workbook(io.BytesIO(got.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("月份", "代理机构", "统一社会信用代码")
    assert [r[3:] for r in rows[1:]] == [
        ("广州市", "人脸识别", 1, 2, 2),
        ("梅州市", "人脸识别", 1, 2, 2),
        ("兴宁市", "电子签名", 1, 10, 10),
        ("兴宁市", "人脸识别", 2, 2, 4),
        ("合计", None, 5, None, 18),
    ]
    detail = await client.get(
        files["usage-charges-2026-09.xlsx"], headers={"authorization": f"Bearer {token}"}
    )
    lines = list(load_workbook(io.BytesIO(detail.content)).active.iter_rows(values_only=True))
    assert len(lines) == 6 and {r[2] for r in lines[1:]} == {"兴宁市", "梅州市", "广州市"}

    refused = await gql(
        client, EXPORT, {"month": "2026-09", "agency": str(world["xn_org"])}, token=token
    )
    assert refused["data"]["exportUsageStatements"]["errors"][0]["code"] == "NOT_FOUND"
