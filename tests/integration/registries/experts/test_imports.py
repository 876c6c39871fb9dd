"""The expert import: CSV (UTF-8 and GBK) and XLSX, upserts by the ID number's digest,
idempotent, blank cells keep, entry rules reject, invalid rows are reported, and no raw ID
number reaches the audit log."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.clock import today
from gpcloud.core.imports.runner import get_spec, run_import
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.experts.service import identity
from gpcloud.registries.experts.tables import Expert, ExpertRegion, ExpertSpecialty
from tests.integration.registries.experts.conftest import OTHER_USCC, born_years_ago, id_number
from tests.support import drain_jobs, gql, login

HEADER = [
    "id_number",
    "name",
    "title_level",
    "title",
    "years_of_experience",
    "employer",
    "employer_uscc",
    "phone",
    "specialties",
    "regions",
    "status",
]
LABELS = [
    "身份证号码",
    "姓名",
    "职称级别",
    "职称",
    "从业年限",
    "工作单位",
    "单位统一社会信用代码",
    "联系电话",
    "评审专业",
    "服务区域",
    "状态",
]
A = id_number(date(1975, 6, 12), sequence=101)
B = id_number(date(1980, 2, 29), area="441424", sequence=202)
C = id_number(date(1968, 11, 3), area="441402", sequence=303)
OLD = id_number(born_years_ago(72), sequence=404)
JUNIOR = id_number(date(1990, 1, 1), sequence=505)
INVALID = id_number(date(1985, 1, 1), sequence=606)
ROWS = [
    [
        A,
        "示例专家甲",
        "正高级",
        "教授",
        "25",
        "嘉应学院",
        OTHER_USCC,
        "13800000001",
        "A020101;C0202",
        "441400;441481",
        "",
    ],
    [
        B.lower(),
        "示例专家乙",
        "副高",
        "高级工程师",
        "12",
        "",
        "",
        "",
        "A02010104",
        "441424",
        "正常",
    ],
    [
        C,
        "示例专家丙",
        "intermediate",
        "会计师",
        "9",
        "兴宁市示例会计师事务所",
        "",
        "0753-3263281",
        "C0802；A020101",
        "441481",
        "暂停",
    ],
    [OLD, "示例专家丁", "正高级", "", "40", "", "", "", "A020101", "441400", ""],
    [JUNIOR, "示例专家戊", "中级", "", "5", "", "", "", "A020101", "441400", ""],
    [INVALID, "示例专家己", "正高级", "", "20", "", "", "", "A020101", "441400", "无效"],
    [
        id_number(date(1979, 1, 1)),
        "示例专家庚",
        "正高级",
        "",
        "20",
        "",
        "",
        "",
        "A0299;C0899",
        "441400",
        "",
    ],
    [
        id_number(date(1979, 1, 2)),
        "示例专家辛",
        "正高级",
        "",
        "20",
        "",
        "",
        "",
        "A020101",
        "999999;440300",
        "",
    ],
    [
        A[:17] + ("0" if A[17] != "0" else "1"),
        "示例专家壬",
        "正高级",
        "",
        "20",
        "",
        "",
        "",
        "A020101",
        "441400",
        "",
    ],
    [A, "示例专家甲", "正高级", "", "25", "", "", "", "A020101", "441400", ""],
    ["", "示例专家癸", "", "", "", "", "", "", "A020101", "441400", ""],
]


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


async def run(path: Path, out: Path):
    with use_scope((await tenant_tree(fresh=True)).scope_for("440000")):
        return await run_import(get_spec("experts"), path, "440000", out)


def rejects(out: Path) -> dict[str, str]:
    with (out / "rejects.csv").open(encoding="utf-8-sig") as fh:
        return {r["row"]: r["reasons"] for r in csv.DictReader(fh)}


async def experts() -> dict[str, dict]:
    rows = await Expert.select().order_by(Expert.id)
    return {r["name"]: r for r in rows}


async def specialties(expert_id: int) -> list[tuple[str, bool]]:
    rows = await ExpertSpecialty.select().where(ExpertSpecialty.expert == expert_id)
    return sorted(
        ((r["category_code"], r["primary"]) for r in rows), key=lambda x: (not x[1], x[0])
    )


async def test_a_csv_file_is_imported_checked_and_reported(catalogue, tmp_path):
    summary = await run(write_csv(tmp_path / "experts.csv", HEADER, ROWS), tmp_path / "out")
    assert summary.rows == 11
    assert summary.counts == {"created": 3, "rejected": 7, "invalid": 1}
    found = await experts()
    assert sorted(found) == ["示例专家丙", "示例专家乙", "示例专家甲"]
    first = found["示例专家甲"]
    assert first["status"] == "active" and first["years_of_experience"] == 25
    assert first["employer_uscc"] == OTHER_USCC and first["phone"] == "13800000001"
    assert first["id_number_masked"] == identity.mask(A) and first[
        "id_number_digest"
    ] == identity.digest(A)
    assert identity.unseal(first["id_number_cipher"]) == A and A not in str(first)
    assert await specialties(first["id"]) == [("A020101", True), ("C0202", False)]
    regions = await ExpertRegion.select(ExpertRegion.region).where(
        ExpertRegion.expert == first["id"]
    )
    assert sorted(r["region"] for r in regions) == ["441400", "441481"]
    assert (
        found["示例专家乙"]["title_level"] == "deputy_senior"
        and found["示例专家乙"]["gender"] == "female"
    )
    assert found["示例专家乙"]["birth_date"] == date(1980, 2, 29)
    assert found["示例专家丙"]["status"] == "suspended"  # migrated as the old pool had it
    assert await specialties(found["示例专家丙"]["id"]) == [("C0802", True), ("A020101", False)]

    report = rejects(tmp_path / "out")
    assert sorted(report, key=int) == ["5", "6", "7", "8", "9", "10", "11", "12"]
    assert "EXPERT_TOO_OLD" in report["5"] and report["5"].startswith(
        "id_number: experts must be under 70"
    )
    assert "EXPERT_NOT_QUALIFIED" in report["6"] and report["6"].startswith("years_of_experience:")
    assert report["7"] == "marked invalid in the old system; not migrated"
    assert "UNKNOWN_CATEGORY" in report["8"] and "A0299" in report["8"] and "C0899" in report["8"]
    assert "UNKNOWN_REGION" in report["9"] and "999999" in report["9"] and "440300" in report["9"]
    assert report["10"] == "id_number: the check digit does not match (GB 11643)"
    assert report["11"] == f"id_number {A} is also in row 2"
    assert (
        report["12"] == "id_number: required; title_level: required; years_of_experience: required"
    )

    # The audit log has the batch, but never an ID number in clear.
    with all_tenants("test: read the audit"):
        entries = await AuditEntry.select().where(AuditEntry.action == "experts.import")
    assert len(entries) == 1 and json.loads(entries[0]["detail"])["created"] == 3
    for number in (A, B, C, OLD, JUNIOR, INVALID):
        assert number not in str(entries) and number.lower() not in str(entries)


async def test_the_same_file_twice_changes_nothing(catalogue, tmp_path):
    path = write_csv(tmp_path / "experts.csv", HEADER, ROWS[:3])
    assert (await run(path, tmp_path / "one")).counts == {"created": 3}
    before = await experts()
    again = await run(path, tmp_path / "two")
    assert again.counts == {"unchanged": 3} and again.report == []
    assert await experts() == before
    with all_tenants("test: read the audit"):
        assert await AuditEntry.count().where(AuditEntry.action == "experts.import") == 1


async def test_blank_cells_keep_and_changes_update(catalogue, tmp_path):
    await run(write_csv(tmp_path / "first.csv", HEADER, ROWS[:3]), tmp_path / "one")
    changed = [
        # Blank title, employer, uscc and phone keep what is registered; the primary specialty changes.
        [A, "示例专家甲", "正高级", "", "26", "", "", "", "C0202;A020101", "441481;441400", ""],
        # Back into the active pool: the entry rules hold (9 years, mid-level: fine).
        [C, "示例专家丙", "中级", "", "9", "", "", "", "C0802;A020101", "441481", "正常"],
    ]
    summary = await run(write_csv(tmp_path / "second.csv", HEADER, changed), tmp_path / "two")
    assert summary.counts == {"updated": 2}
    found = await experts()
    first = found["示例专家甲"]
    assert (
        first["years_of_experience"],
        first["title"],
        first["employer"],
        first["employer_uscc"],
        first["phone"],
    ) == (26, "教授", "嘉应学院", OTHER_USCC, "13800000001")
    assert await specialties(first["id"]) == [("C0202", True), ("A020101", False)]
    assert (
        found["示例专家丙"]["status"] == "active"
        and found["示例专家丙"]["status_reason"] == "imported"
    )


async def test_an_existing_bad_record_keeps_an_expert_out_of_the_active_pool(catalogue, tmp_path):
    await run(write_csv(tmp_path / "first.csv", HEADER, [ROWS[2]]), tmp_path / "one")
    await Expert.update({Expert.bad_record_until: today() + timedelta(days=100)}).where(
        Expert.name == "示例专家丙"
    )
    row = [C, "示例专家丙", "中级", "", "9", "", "", "", "C0802", "441481", "正常"]
    summary = await run(write_csv(tmp_path / "second.csv", HEADER, [row]), tmp_path / "two")
    assert summary.counts == {"rejected": 1}
    assert "EXPERT_BAD_RECORD" in rejects(tmp_path / "two")["2"]
    assert (await experts())["示例专家丙"]["status"] == "suspended"


async def test_a_gbk_file_with_chinese_headers(catalogue, tmp_path):
    path = write_csv(tmp_path / "专家.csv", LABELS, ROWS[:2], encoding="gb18030")
    assert path.read_bytes().decode("gb18030")  # really GBK-encoded, not UTF-8
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    summary = await run(path, tmp_path / "out")
    assert summary.counts == {"created": 2}
    assert sorted(await experts()) == ["示例专家乙", "示例专家甲"]


async def test_an_xlsx_file(catalogue, tmp_path):
    rows = [[cell if i != 4 else int(cell) for i, cell in enumerate(r)] for r in ROWS[:3]]
    rows.append([OLD, "示例专家丁", "正高级", None, 40, None, None, None, "A020101", 441400, None])
    summary = await run(write_xlsx(tmp_path / "experts.xlsx", HEADER, rows), tmp_path / "out")
    assert summary.counts == {"created": 3, "rejected": 1}
    assert "EXPERT_TOO_OLD" in rejects(tmp_path / "out")["5"]
    assert (await experts())["示例专家甲"]["years_of_experience"] == 25


async def test_the_upload_mutation_runs_the_import_as_a_job(client, demo, catalogue):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(ROWS[:5])
    content = buffer.getvalue().encode("utf-8")
    query = (
        "mutation($file: Upload!, $registry: String!) { startImport(registry: $registry, file: $file) "
        "{ job { id status } errors { field code message } } }"
    )

    async def upload(token: str) -> dict:
        response = await client.post(
            "/graphql",
            data={
                "operations": json.dumps(
                    {"query": query, "variables": {"file": None, "registry": "experts"}}
                ),
                "map": json.dumps({"0": ["variables.file"]}),
            },
            files={"0": ("experts.csv", content, "text/csv")},
            headers={"authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        return response.json()["data"]["startImport"]

    refused = await upload(await login(client, "mz.admin"))
    assert refused["job"] is None and [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    token = await login(client, "gd.admin")
    started = await upload(token)
    assert started["errors"] == [] and started["job"]["status"] == "QUEUED"
    await drain_jobs()
    job = (
        await gql(
            client,
            "query($id: ID!) { job(id: $id) { status counts files { name url } } }",
            {"id": started["job"]["id"]},
            token=token,
        )
    )["data"]["job"]
    assert job["status"] == "SUCCEEDED"
    assert job["counts"] == {"rows": 5, "created": 3, "rejected": 2}
    url = next(f["url"] for f in job["files"] if f["name"] == "rejects.csv")
    response = await client.get(url, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    report = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["行号"], r["身份证号码"], r["姓名"]) for r in report] == [
        ("5", OLD, "示例专家丁"),
        ("6", JUNIOR, "示例专家戊"),
    ]
    assert (
        "EXPERT_TOO_OLD" in report[0]["拒绝原因"]
        and "EXPERT_NOT_QUALIFIED" in report[1]["拒绝原因"]
    )
    assert sorted(await experts()) == ["示例专家丙", "示例专家乙", "示例专家甲"]


async def test_a_file_without_the_required_columns_is_refused_at_once(client, demo, catalogue):
    content = "name,phone\n示例专家甲,13800000001\n".encode()
    query = (
        'mutation($file: Upload!) { startImport(registry: "experts", file: $file) '
        "{ job { id } errors { field code message } } }"
    )
    response = await client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": query, "variables": {"file": None}}),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        files={"0": ("experts.csv", content, "text/csv")},
        headers={"authorization": f"Bearer {await login(client, 'gd.admin')}"},
    )
    [error] = response.json()["data"]["startImport"]["errors"]
    assert (
        error["code"] == "BAD_HEADERS"
        and "id_number" in error["message"]
        and "specialties" in error["message"]
    )


async def test_the_values_the_audit_entry_digests_carry_the_masked_number(catalogue):
    """The runner digests `row.values` into the batch's audit entry after apply_batch."""
    from gpcloud.core.db import transaction
    from gpcloud.core.imports.runner import _columns, _parse
    from gpcloud.registries.experts.imports import apply_batch

    spec = get_spec("experts")
    columns = _columns(spec, HEADER)
    rows = [_parse(spec, columns, n, cells) for n, cells in enumerate(ROWS[:3], start=2)]
    assert rows[0].values["id_number"] == A
    with use_scope((await tenant_tree(fresh=True)).scope_for("440000")):
        async with transaction():
            await apply_batch(rows, "440000")
    assert [r.values["id_number"] for r in rows] == [
        identity.mask(A),
        identity.mask(B),
        identity.mask(C),
    ]
    assert not any(A in str(r.values) or B in str(r.values) for r in rows)
    # A retried batch (the runner retries rows one by one) reads the number from the cell again.
    with use_scope((await tenant_tree(fresh=True)).scope_for("440000")):
        async with transaction():
            for row in rows:
                row.outcome = None
            await apply_batch(rows, "440000")
    assert [r.outcome for r in rows] == ["unchanged"] * 3


DOC = Path(__file__).resolve().parents[4] / "docs" / "import-formats" / "experts.md"


async def test_the_published_format_lists_every_column_and_its_example_imports(catalogue, tmp_path):
    text = DOC.read_text(encoding="utf-8")
    for column in get_spec("experts").columns:
        assert f"| {column.name} | {column.label} | {'yes' if column.required else 'no'} |" in text
    example = text.split("```csv\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.csv"
    path.write_text(example, encoding="utf-8")
    summary = await run(path, tmp_path / "out")
    assert summary.counts == {"created": 3}
