"""Migrating the old portal: JSON Lines, CSV and OCDS input, rejects that do not stop a batch,
idempotent re-runs, resuming after a crash, and history that opens only when migrated."""

import csv
import io
import json

import pytest

from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.portal import legacy
from gpcloud.portal.tables import LegacyBatch, Notice
from tests.support import drain_jobs, error_codes, gql, login

STATUS = "{ legacyMigrations { year kind status created skipped rejected open } }"
SEARCH = """query($q: String) { notices(filter: {search: $q, region: "441400"}) {
  edges { node { kind title chain { kind } } } } }"""


CSV_FIELDS = (
    "legacy_id",
    "kind",
    "region_code",
    "title",
    "body",
    "published_on",
    "project_code",
    "method",
    "purchaser_name",
    "agency_name",
    "amount",
    "suppliers",
)


def csv_text(records: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for r in records:
        writer.writerow({k: r.get(k, "") for k in CSV_FIELDS})
    return out.getvalue()


def line(legacy_id, **fields) -> str:
    record = {
        "legacy_id": legacy_id,
        "kind": "result",
        "region_code": "441481",
        "title": "兴宁市人民医院彩超设备采购项目中标公告",
        "body": "中标供应商：示例医疗器械有限公司",
        "published_on": "2020-06-30",
        "project_code": "XN2020-001",
        "method": "open_tender",
        "purchaser_name": "兴宁市人民医院",
        "amount": "1280000.00",
        "suppliers": [{"name": "示例医疗器械有限公司", "amount": "1280000.00"}],
    }
    record.update(fields)
    return json.dumps(record, ensure_ascii=False)


GOOD = [
    line("R-1"),
    line(
        "R-2", title="兴宁市第一中学课桌椅采购结果公告", project_code="XN2020-002", amount="88000"
    ),
    line("R-3", title="梅州市中心血站冷链设备采购结果公告", region_code="441400", project_code=""),
]
BAD = [
    "{not json",
    line("R-4", kind="auction"),
    line("R-5", published_on="2019-12-31"),
    line("R-1", title="重复编号"),
    line("R-6", amount="1.005"),
    line("R-7", region_code="999999"),
    line("R-8", amount="1e20"),  # more than a bigint of fen
]


async def start(client, content: bytes, **options):
    return (await post(client, content, **options))["data"]["startLegacyMigration"]


async def post(
    client,
    content: bytes,
    year=2020,
    kind="RESULT",
    fmt="jsonl",
    name="r.jsonl",
    region=None,
    user="gd.admin",
):
    token = await login(client, user)
    variables = {
        "year": year,
        "kind": kind,
        "format": fmt,
        "file": None,
        "region": region or "440000",
    }
    operations = {
        "query": "mutation($year: Int!, $kind: NoticeKind!, $format: String!, $file: Upload!, "
        "$region: String!) { startLegacyMigration(year: $year, kind: $kind, format: $format, "
        "file: $file, region: $region) { job { id } errors { code message } } }",
        "variables": variables,
    }
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (name, content, "application/octet-stream")},
        headers={"authorization": f"Bearer {token}"},
    )
    return response.json()


async def test_a_year_opens_when_its_migration_completes(client, demo):
    started = await start(client, "\n".join(GOOD + BAD).encode())
    assert started["errors"] == []
    status = (await gql(client, STATUS))["data"]["legacyMigrations"]
    assert status == [
        {
            "year": 2020,
            "kind": "RESULT",
            "status": "PENDING",
            "created": 0,
            "skipped": 0,
            "rejected": 0,
            "open": False,
        }
    ]
    with all_tenants("test"):
        assert await Notice.count() == 0
    await drain_jobs()
    status = (await gql(client, STATUS))["data"]["legacyMigrations"][0]
    assert (status["status"], status["created"], status["rejected"]) == ("COMPLETED", 3, 7)
    home = (await client.get("/")).text
    assert "2020 年 · 结果公告" in home and "已迁移，可查询（3 条）" in home
    found = (await gql(client, SEARCH, {"q": "彩超"}))["data"]["notices"]["edges"]
    assert [e["node"]["kind"] for e in found] == ["RESULT"]
    job = await gql(
        client,
        "query($id: ID!) { job(id: $id) { counts files { name url } } }",
        {"id": started["job"]["id"]},
        token=await login(client, "gd.admin"),
    )
    report = job["data"]["job"]["files"][0]
    text = (
        await client.get(
            report["url"], headers={"authorization": "Bearer " + await login(client, "gd.admin")}
        )
    ).text
    # In Chinese (the job's language: the request's, Chinese by default), with the codes.
    assert text.lstrip("\ufeff").startswith("行号,代码,拒绝原因")
    for reason in (
        "INVALID_JSON,JSON 格式错误",
        'UNKNOWN_KIND,"kind：应为',
        "WRONG_YEAR,发布于 2019-12-31：本批次为 2020 年",
        "DUPLICATE_RECORD,legacy_id R-1 在文件中出现两次",
        "INVALID_AMOUNT,amount '1.005'：以元计的金额，最多两位小数",
        "UNKNOWN_REGION,region_code：没有区划 '999999'",
        "INVALID_AMOUNT,amount '1e20'：以元计、小于 10^15 的金额",
    ):
        assert reason in text, reason

    again = await start(client, "\n".join(GOOD).encode())
    await drain_jobs()
    latest = (await gql(client, STATUS))["data"]["legacyMigrations"][-1]
    assert (latest["created"], latest["skipped"]) == (0, 3)  # idempotent
    with all_tenants("test"):
        assert await Notice.count() == 3
    assert again["errors"] == []


async def test_hidden_until_completed_and_resumed_after_a_crash(
    client, demo, monkeypatch, tmp_path
):
    monkeypatch.setattr(legacy, "CHUNK", 2)
    lines = [line(f"C-{n}", title=f"历史结果公告{n}", project_code=f"P{n}") for n in range(7)]
    started = await start(client, "\n".join(lines).encode())
    with all_tenants("test"):
        batch = (await LegacyBatch.select().order_by(LegacyBatch.id, ascending=False).first())["id"]
    with pytest.raises(RuntimeError, match="simulated crash"):
        await legacy.run(batch, tmp_path, stop_after=2)
    with all_tenants("test"):
        assert await Notice.count() == 4
        crashed = await LegacyBatch.select().where(LegacyBatch.id == batch).first()
    assert (crashed["lines_done"], crashed["status"]) == (4, "failed")
    assert crashed["error"] == "RuntimeError: simulated crash"
    # Migrated rows exist but stay hidden until the batch completes.
    assert (await gql(client, SEARCH, {"q": "历史结果公告"}))["data"]["notices"]["edges"] == []
    await drain_jobs()  # the queued job resumes the batch
    with all_tenants("test"):
        assert await Notice.count() == 7
        sources = [r["source"] for r in await Notice.select(Notice.source)]
    assert len(sources) == len(set(sources))
    assert len((await gql(client, SEARCH, {"q": "历史结果公告"}))["data"]["notices"]["edges"]) == 7
    assert started["errors"] == []


async def test_csv_input_and_bad_requests(client, demo):
    rows = [
        {
            "legacy_id": "T-1",
            "kind": "tender",
            "region_code": "441481",
            "title": "兴宁市道路养护服务采购公告",
            "body": "详见采购文件",
            "published_on": "2020-03-02",
            "project_code": "XN2020-9",
            "method": "open_tender",
            "purchaser_name": "兴宁市交通运输局",
            "amount": "560000",
            "suppliers": "",
        },
    ]
    assert (await start(client, csv_text(rows).encode(), kind="TENDER", fmt="csv", name="t.csv"))[
        "errors"
    ] == []
    await drain_jobs()
    assert len((await gql(client, SEARCH, {"q": "道路养护"}))["data"]["notices"]["edges"]) == 1
    for kwargs, code in (
        ({"fmt": "xml"}, "UNKNOWN_FORMAT"),
        ({"year": 1800}, "INVALID_YEAR"),
        ({"region": "999999"}, "UNKNOWN_REGION"),
    ):
        refused = await start(client, b"{}", **kwargs)
        assert refused["errors"][0]["code"] == code
    assert (await start(client, b""))["errors"][0]["code"] == "EMPTY_FILE"
    denied = await post(client, b"{}", user="xn.admin")
    assert error_codes(denied) == ["FORBIDDEN"]  # the province migrates, not a county
