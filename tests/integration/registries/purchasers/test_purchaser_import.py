"""Importing the old portal's purchaser file: formats, encodings, rejects, idempotency, accounts."""

import csv
import hashlib
import io
import json
import os
import subprocess
import sys

import pytest
from openpyxl import Workbook, load_workbook

from gpcloud.core.auth.tables import User
from gpcloud.core.imports.reader import ImportFileError
from gpcloud.core.imports.runner import get_spec, run_import
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.core.validation import uscc_check_char
from gpcloud.registries.purchasers.tables import Purchaser
from tests.support import LOGIN, drain_jobs, gql, login

HEADER = [
    "budget_unit_code",
    "name",
    "uscc",
    "parent_budget_unit_code",
    "contact_phone",
    "login_name",
    "password_hash",
    "status",
]


def uscc(seq: int) -> str:
    head = f"12441481MA6T{seq:05d}"
    return head + uscc_check_char(head)


ROWS = [
    ["441481100", "兴宁市教育局", uscc(1), "", "0753-3000001", "xn_jyj", "", "正常"],
    [
        "441481101",
        "兴宁市第一中学附属小学",
        uscc(2),
        "441481100",
        "",
        "xn_fx",
        "md5:" + hashlib.md5(b"OldPass#1").hexdigest(),
        "",
    ],
    ["441481102", "兴宁市第三中学", "", "441481100", "13800000002", "", "", "active"],
    ["441481103", "兴宁市某已撤销单位", "", "", "", "", "", "无效"],
    ["441481104", "坏的信用代码", "12441481MA6T000010", "", "", "", "", ""],
    ["441481105", "无上级", "", "441481999", "", "", "", ""],
    ["441481100", "重复编码", "", "", "", "", "", ""],
    ["", "缺编码", "", "", "", "", "", ""],
]


def write_csv(path, header, rows, encoding="utf-8-sig"):
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path, header, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


async def run(path, tenant="441481", out=None):
    with use_scope((await tenant_tree()).scope_for(tenant)):
        return await run_import(get_spec("purchasers"), path, tenant, out or path.parent / "out")


async def units(tenant="441481") -> dict[str, dict]:
    with all_tenants("test: read units"):
        rows = await Purchaser.select(
            Purchaser.budget_unit_code,
            Purchaser.parent.budget_unit_code.as_alias("parent_code"),
            Purchaser.organisation.name.as_alias("name"),
            Purchaser.contact_phone,
            Purchaser.status,
        ).where(Purchaser.tenant_id == tenant)
    return {r["budget_unit_code"]: r for r in rows}


async def test_a_file_is_validated_row_by_row_and_imported_whole(tmp_path, demo):
    path = write_csv(tmp_path / "purchasers.csv", HEADER, ROWS)
    summary = await run(path)
    assert summary.rows == 8
    assert summary.counts == {"created": 3, "invalid": 1, "rejected": 4}
    found = await units()
    assert set(found) == {"441481100", "441481101", "441481102"}
    assert found["441481101"]["parent_code"] == "441481100"
    report = list(
        csv.reader(io.StringIO((tmp_path / "out" / "rejects.csv").read_text(encoding="utf-8-sig")))
    )
    assert report[0][:2] == ["row", "reasons"]
    reasons = {int(r[0]): r[1] for r in report[1:]}
    assert set(reasons) == {5, 6, 7, 8, 9}
    assert reasons[5] == "marked invalid in the old system; not migrated"
    assert reasons[6].startswith("uscc: not a valid unified social credit code")
    assert "441481999 is not registered" in reasons[7]
    assert reasons[8] == "budget_unit_code 441481100 is also in row 2"
    assert reasons[9] == "budget_unit_code: required"
    sheet = load_workbook(tmp_path / "out" / "rejects.xlsx").active
    assert [c.value for c in sheet[2]][:2] == [
        5,
        "marked invalid in the old system; not migrated",
    ] or [c.value for c in sheet[2]][:2] == ["5", "marked invalid in the old system; not migrated"]


async def test_the_same_file_twice_changes_nothing_and_a_corrected_file_upserts(tmp_path, demo):
    path = write_csv(tmp_path / "purchasers.csv", HEADER, ROWS[:3])
    assert (await run(path)).counts == {"created": 3}
    assert (await run(path)).counts == {"unchanged": 3}
    corrected = [row[:] for row in ROWS[:3]]
    corrected[2][4] = "13800000003"
    corrected[0][1] = "兴宁市教育局（更名）"
    corrected[1][4] = ""  # blank means "keep", not "erase"
    path = write_csv(tmp_path / "corrected.csv", HEADER, corrected)
    assert (await run(path)).counts == {"updated": 2, "unchanged": 1}
    found = await units()
    assert found["441481102"]["contact_phone"] == "13800000003"
    assert found["441481100"]["name"] == "兴宁市教育局（更名）"


async def test_gbk_csv_with_chinese_headers_and_xlsx(tmp_path, demo):
    labels = [
        "预算单位编码",
        "单位名称",
        "统一社会信用代码",
        "上级单位编码",
        "联系电话",
        "登录账号",
        "密码哈希",
        "状态",
    ]
    path = write_csv(tmp_path / "gbk.csv", labels, ROWS[:3], encoding="gbk")
    assert (await run(path)).counts == {"created": 3}
    xlsx = write_xlsx(
        tmp_path / "more.xlsx",
        HEADER,
        [["441481200", "兴宁市第四中学", uscc(9), "441481100", "", "", "", ""]],
    )
    assert (await run(xlsx)).counts == {"created": 1}
    assert (await units())["441481200"]["parent_code"] == "441481100"


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("headers.csv", "编号,名称\n1,x\n".encode(), "BAD_HEADERS"),
        ("utf16.csv", "budget_unit_code,name\n1,单位\n".encode("utf-16"), "BAD_ENCODING"),
        ("binary.csv", bytes(range(128, 256)) * 10, "BAD_ENCODING"),
        ("empty.csv", b"\n\n", "EMPTY_FILE"),
        ("data.txt", b"budget_unit_code,name\n", "BAD_FILE"),
        ("broken.xlsx", b"PK\x03\x04 not really a workbook", "BAD_FILE"),
    ],
)
async def test_unreadable_files_are_refused_whole(tmp_path, demo, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as info:
        await run(path)
    assert info.value.code == code
    assert await units() == {}


async def test_migrated_accounts_keep_login_names_and_must_change_password(client, tmp_path, demo):
    await run(write_csv(tmp_path / "p.csv", HEADER, ROWS[:2]))
    with all_tenants("test: accounts"):
        accounts = {
            u["username"]: u
            for u in await User.select().where(User.username.is_in(["xn_jyj", "xn_fx"]))
        }
    assert {u["must_change_password"] for u in accounts.values()} == {True}
    assert accounts["xn_jyj"]["password_hash"] == "!"
    refused = await gql(client, LOGIN, {"username": "xn_jyj", "password": "anything"})
    assert refused["data"]["login"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    token = await login(client, "xn_fx", "OldPass#1")  # the old portal's password, once
    me = await gql(client, "{ me { mustChangePassword } }", token=token)
    assert me["data"]["me"] == {"mustChangePassword": True}
    with all_tenants("test: the hash was upgraded at login"):
        upgraded = await User.select(User.password_hash).where(User.username == "xn_fx").first()
    assert upgraded["password_hash"].startswith("$argon2")
    taken = write_csv(
        tmp_path / "taken.csv", HEADER, [["441481300", "另一单位", "", "", "", "xn_jyj", "", ""]]
    )
    summary = await run(taken, out=tmp_path / "taken")
    assert summary.counts == {"rejected": 1}


async def test_upload_through_the_api_runs_as_a_job(client, tmp_path, demo):
    token = await login(client, "xn.admin")
    path = write_csv(tmp_path / "p.csv", HEADER, ROWS)
    operations = {
        "query": 'mutation($file: Upload!) { startImport(registry: "purchasers", file: $file) '
        "{ job { id status } errors { field code message } } }",
        "variables": {"file": None},
    }
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("purchasers.csv", path.read_bytes(), "text/csv")},
        headers={"authorization": f"Bearer {token}"},
    )
    payload = response.json()["data"]["startImport"]
    assert payload["errors"] == [] and payload["job"]["status"] == "QUEUED"
    await drain_jobs()
    job = (
        await gql(
            client,
            "query($id: ID!) { job(id: $id) { status counts progressDone progressTotal "
            "files { name url } } }",
            {"id": payload["job"]["id"]},
            token=token,
        )
    )["data"]["job"]
    assert job["status"] == "SUCCEEDED"
    assert job["counts"] == {"rows": 8, "created": 3, "invalid": 1, "rejected": 4}
    assert job["progressDone"] == job["progressTotal"] == 8
    assert [f["name"] for f in job["files"]] == ["rejects.xlsx", "rejects.csv"]
    download = await client.get(
        job["files"][1]["url"], headers={"authorization": f"Bearer {token}"}
    )
    assert download.status_code == 200 and "缺编码" in download.content.decode("utf-8-sig")

    bad = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("wrong.csv", "编号,名称\n1,x\n".encode(), "text/csv")},
        headers={"authorization": f"Bearer {token}"},
    )
    assert bad.json()["data"]["startImport"]["errors"][0]["code"] == "BAD_HEADERS"
    purchaser = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("p.csv", path.read_bytes(), "text/csv")},
        headers={"authorization": f"Bearer {await login(client, 'xn.purchaser')}"},
    )
    assert purchaser.json()["data"]["startImport"]["errors"][0]["code"] == "FORBIDDEN"


async def test_a_county_cannot_import_into_another(tmp_path, demo):
    from gpcloud.core.errors import DomainError
    from gpcloud.core.imports.service import start_import

    path = write_csv(tmp_path / "p.csv", HEADER, ROWS[:1])
    with use_scope((await tenant_tree()).scope_for("441481")):
        with pytest.raises(DomainError) as info:
            await start_import(None, "purchasers", "p.csv", path.read_bytes(), "441424")
    assert info.value.code == "TENANT_NOT_FOUND"


def test_the_cli_imports_with_a_summary(tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, ROWS)
    result = subprocess.run(
        [sys.executable, "-m", "gpcloud", "import", "purchasers", str(path), "--tenant", "441481"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "created" in result.stdout and "rejected" in result.stdout
    assert "rejects.xlsx" in result.stdout
    unknown = subprocess.run(
        [sys.executable, "-m", "gpcloud", "import", "nothing", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert unknown.returncode == 1 and "no import for 'nothing'" in unknown.stderr


async def test_a_hundred_thousand_rows_with_five_percent_bad(tmp_path, demo):
    rows = []
    for i in range(100_000):
        row = [f"X{i:06d}", f"测试单位{i}", "", "", "", "", "", ""]
        if i % 20 == 7:
            row[2] = "NOT-A-CREDIT-CODE"
        rows.append(row)
    path = write_csv(tmp_path / "big.csv", HEADER, rows)
    summary = await run(path)
    assert summary.counts == {"created": 95_000, "rejected": 5_000}
    with all_tenants("test: count"):
        assert await Purchaser.count().where(Purchaser.tenant_id == "441481") == 95_000
    assert (await run(path, out=tmp_path / "again")).counts == {
        "unchanged": 95_000,
        "rejected": 5_000,
    }
