"""Migrating the old portal's agencies and their rooms: formats, rejects, idempotency, accounts."""

import csv
import hashlib
import io
import json

from openpyxl import Workbook, load_workbook

from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.imports.runner import get_spec, run_import
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.agencies.tables import Agency, AgencyRoom, AgencyTenant
from tests.integration.registries.agencies.helpers import (
    XN_AGENCY,
    gap_codes,
    org_uscc,
    readiness,
    uscc,
)
from tests.support import drain_jobs, gql, login

HEADER = [
    "uscc",
    "name",
    "region_code",
    "tenants",
    "contact_name",
    "contact_phone",
    "ca_serial",
    "ca_issuer",
    "ca_valid_until",
    "login_name",
    "password_hash",
    "status",
]
LABELS = [
    "统一社会信用代码",
    "机构名称",
    "所在地区",
    "业务地区",
    "联系人",
    "联系电话",
    "CA证书序列号",
    "CA颁发机构",
    "CA有效期至",
    "登录账号",
    "密码哈希",
    "状态",
]
A1, A2, A3 = uscc("91441481MA5X00001"), uscc("91441400MA5X00002"), uscc("91441424MA5X00003")
OLD_HASH = "md5:" + hashlib.md5(b"OldPass#1").hexdigest()
ROWS = [
    [
        A1,
        "兴宁市示例招标代理有限公司",
        "441481",
        "441481；441400",
        "业务部",
        "0753-3000011",
        "5A3F0011223344",
        "广东数字证书认证中心",
        "2099-12-31",
        "xn_shili",
        OLD_HASH,
        "",
    ],
    [A2, "梅州市示例工程咨询有限公司", "441400", "", "", "", "", "", "", "mz_shili", "", "正常"],
    [
        A3,
        "五华县示例项目管理有限公司",
        "441424",
        "441424",
        "",
        "13800000003",
        "",
        "",
        "",
        "",
        "",
        "暂停",
    ],
    [uscc("91441481MA5X00004"), "已注销代理机构", "441481", "", "", "", "", "", "", "", "", "无效"],
    ["91441481MA5X00005X", "坏的信用代码", "441481", "", "", "", "", "", "", "", "", ""],
    [
        uscc("91440300MA5X00006"),
        "深圳示例代理有限公司",
        "440300",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        uscc("91441481MA5X00007"),
        "业务地区未知",
        "441481",
        "441481;999999",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    [uscc("91441481MA5X00008"), "CA 不全", "441481", "", "", "", "5A3F0011", "", "", "", "", ""],
    [A1, "重复的信用代码", "441481", "", "", "", "", "", "", "", "", ""],
    [uscc("91441481MA5X00009"), "", "441481", "", "", "", "", "", "", "", "", ""],
    [uscc("91441481MA5X00010"), "账号被占用", "441481", "", "", "", "", "", "", "xn.admin", "", ""],
    [uscc("91441481MA5X00011"), "负数电话", "441481", "", "", "-1", "", "", "", "", "", ""],
]
ROOM_HEADER = [
    "uscc",
    "kind",
    "name",
    "region_code",
    "computers",
    "camera_resolution",
    "av_monitoring",
    "recording_retained",
]
ROOMS = [
    [A1, "开标室", "开标一室", "441481", "2", "1080", "是", "是"],
    [A1, "评标室", "评标一室", "441481", "10", "720", "是", "是"],
    [A2, "evaluation", "评标一室", "441400", "6", "", "", ""],
    [A1, "评标室", "评标一室", "441481", "12", "", "", ""],
    [A1, "评标室", "评标二室", "441424", "8", "", "", ""],
    [uscc("91441481MA5X00099"), "开标室", "开标室", "441481", "1", "", "", ""],
    [A2, "开标室", "负数", "441400", "-1", "", "", ""],
    [A2, "会议室", "会议室", "441400", "1", "", "", ""],
    [A2, "评标室", "超清", "441400", "9", "100000", "是", "maybe"],
]


def write_csv(path, header, rows, encoding="utf-8-sig"):
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path, header, rows):
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


async def run(path, registry="agencies", tenant="440000", out=None):
    with use_scope((await tenant_tree()).scope_for(tenant)):
        return await run_import(
            get_spec(registry), path, tenant, out or path.parent / f"out-{path.stem}"
        )


def report(folder) -> dict[int, str]:
    rows = list(csv.reader(io.StringIO((folder / "rejects.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0][:2] == ["row", "reasons"]
    return {int(r[0]): r[1] for r in rows[1:]}


async def agencies() -> dict[str, dict]:
    with all_tenants("test"):
        rows = await Agency.select(
            Agency.id,
            Agency.status,
            Agency.contact_name,
            Agency.contact_phone,
            Agency.ca_valid_until,
            Agency.organisation.uscc.as_alias("uscc"),
            Agency.organisation.name.as_alias("name"),
            Agency.organisation.region.as_alias("region"),
        )
        tenants = await AgencyTenant.select(AgencyTenant.agency, AgencyTenant.tenant)
    return {
        r["uscc"]: {**r, "tenants": sorted(t["tenant"] for t in tenants if t["agency"] == r["id"])}
        for r in rows
    }


async def test_the_old_portals_agencies_are_migrated_and_bad_rows_reported(tmp_path, demo):
    path = write_csv(tmp_path / "agencies.csv", HEADER, ROWS)
    summary = await run(path)
    assert summary.rows == 12
    assert summary.counts == {"created": 3, "invalid": 1, "rejected": 8}
    found = await agencies()
    assert set(found) == {A1, A2, A3}
    assert found[A1]["tenants"] == ["441400", "441481"] and found[A1]["status"] == "approved"
    assert (
        found[A2]["tenants"] == ["441400"] and found[A2]["status"] == "approved"
    )  # default: its region
    assert found[A3]["status"] == "suspended" and found[A3]["region"] == "441424"
    reasons = report(tmp_path / "out-agencies")
    assert reasons == {
        5: "marked invalid in the old system; not migrated",
        6: "uscc: not a valid unified social credit code (18 characters, GB 32100 check)",
        7: "region_code: 440300 深圳市 is not on the platform",
        8: "tenants: no region 999999",
        9: "ca_issuer, ca_valid_until: required with ca_serial",
        10: f"uscc {A1} is also in row 2",
        11: "name: required",
        12: "login_name: xn.admin is taken",
        13: "contact_phone: not a mobile or landline number",
    }
    sheet = load_workbook(tmp_path / "out-agencies" / "rejects.xlsx").active
    assert [c.value for c in sheet[1]][:3] == ["row", "reasons", "uscc"]
    # Issue 21: row numbers are numbers, the header stays in view, columns fit their text.
    assert all(c.data_type == "n" for c in sheet["A"][1:]) and sheet["A"][1].value == min(reasons)
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width >= 6


async def test_migrated_accounts_use_the_old_password_once_and_must_change_it(
    client, tmp_path, demo
):
    await run(write_csv(tmp_path / "a.csv", HEADER, ROWS[:2]))
    with all_tenants("test"):
        users = {
            u["username"]: u
            for u in await User.select().where(User.username.is_in(["xn_shili", "mz_shili"]))
        }
        roles = await UserRole.select(UserRole.role).where(
            UserRole.user.is_in([u["id"] for u in users.values()])
        )
    assert {u["tenant_id"] for u in users.values()} == {"441481", "441400"}
    assert {u["must_change_password"] for u in users.values()} == {True}
    assert users["mz_shili"]["password_hash"] == "!"
    assert {r["role"] for r in roles} == {"agency"}
    token = await login(client, "xn_shili", "OldPass#1")
    me = await gql(
        client, "{ me { mustChangePassword user { organisation { name } } } }", token=token
    )
    assert me["data"]["me"] == {
        "mustChangePassword": True,
        "user": {"organisation": {"name": "兴宁市示例招标代理有限公司"}},
    }


async def test_the_same_file_twice_changes_nothing_and_blank_cells_keep(tmp_path, demo):
    path = write_csv(tmp_path / "a.csv", HEADER, ROWS[:3])
    assert (await run(path)).counts == {"created": 3}
    assert (await run(path, out=tmp_path / "again")).counts == {"unchanged": 3}
    corrected = [row[:] for row in ROWS[:3]]
    corrected[0][5] = ""  # blank: keep the phone
    corrected[0][3] = "441424"  # a tenant is added, none removed
    corrected[1][1] = "梅州市示例工程咨询有限公司（更名）"
    corrected[2][11] = "approved"
    summary = await run(write_csv(tmp_path / "b.csv", HEADER, corrected))
    assert summary.counts == {"updated": 3}
    found = await agencies()
    assert found[A1]["contact_phone"] == "0753-3000011"
    assert found[A1]["tenants"] == ["441400", "441424", "441481"]
    assert found[A2]["name"] == "梅州市示例工程咨询有限公司（更名）"
    assert found[A3]["status"] == "approved"
    with all_tenants("test"):
        assert await User.count().where(User.username == "xn_shili") == 1


async def test_gbk_with_chinese_headers_xlsx_and_an_existing_organisation(tmp_path, demo):
    path = write_csv(tmp_path / "gbk.csv", LABELS, ROWS[:2], encoding="gb18030")
    assert (await run(path)).counts == {"created": 2}
    own = await org_uscc(XN_AGENCY)  # the demo agency's organisation has no agency record yet
    xlsx = write_xlsx(
        tmp_path / "more.xlsx",
        HEADER,
        [[own, XN_AGENCY, "441481", "", "招标部", "13800000001", "", "", "", "", "", "pending"]],
    )
    assert (await run(xlsx)).counts == {"created": 1}
    found = await agencies()
    assert found[own]["status"] == "pending" and found[own]["name"] == XN_AGENCY
    with all_tenants("test"):
        assert await Organisation.count().where(Organisation.uscc == own) == 1
    supplier = await org_uscc("兴宁市合水电子科技有限公司")
    refused = write_csv(
        tmp_path / "supplier.csv", HEADER, [[supplier, "供应商", "441481"] + [""] * 9]
    )
    assert (await run(refused)).counts == {"rejected": 1}
    assert "is not an agency" in report(tmp_path / "out-supplier")[2]


async def test_rooms_follow_their_agencies_and_show_in_readiness(client, tmp_path, demo):
    await run(write_csv(tmp_path / "a.csv", HEADER, ROWS[:3]))
    path = write_csv(tmp_path / "rooms.csv", ROOM_HEADER, ROOMS)
    summary = await run(path, "agency_rooms")
    assert summary.counts == {"created": 3, "rejected": 6}
    reasons = report(tmp_path / "out-rooms")
    assert reasons == {
        5: f"room {A1}/评标一室 is also in row 3",
        6: "region_code: the agency does not work in 441424 (add it to its tenants)",
        7: f"uscc: no agency {uscc('91441481MA5X00099')} is registered (import the agencies file first)",
        8: "computers: a whole number, 0 or more",
        9: "kind: one of opening, 开标室, 开标, evaluation, 评标室, 评标, 评审室",
        10: "camera_resolution: at most 4320; recording_retained: one of yes, no, 是, 否, true, false, 1, 0",
    }
    assert (await run(path, "agency_rooms", out=tmp_path / "again")).counts == {
        "unchanged": 3,
        "rejected": 6,
    }
    with all_tenants("test"):
        rooms = {r["name"] + r["tenant"]: r for r in await AgencyRoom.select()}
    assert (
        rooms["评标一室441400"]["camera_resolution"] == 0
        and rooms["评标一室441400"]["av_monitoring"] is False
    )
    a1 = str((await agencies())[A1]["id"])
    result = (await readiness(client, a1))["data"]["agencyReadiness"]
    assert result["ready"] is True, result["missing"]
    upgrade = write_csv(
        tmp_path / "upgrade.csv",
        ROOM_HEADER,
        [[A1, "评标室", "评标一室", "441481", "6", "", "", "否"]],
    )
    assert (await run(upgrade, "agency_rooms")).counts == {"updated": 1}
    assert gap_codes((await readiness(client, a1))["data"]["agencyReadiness"]) == [
        "EVALUATION_ROOM_COMPUTERS",
        "RECORDING_NOT_RETAINED",
    ]


def upload(client, token, registry, name, content):
    operations = {
        "query": "mutation($file: Upload!, $registry: String!) { startImport(registry: $registry, file: $file) "
        "{ job { id status } errors { field code message } } }",
        "variables": {"file": None, "registry": registry},
    }
    return client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (name, content, "text/csv")},
        headers={"authorization": f"Bearer {token}"},
    )


async def test_the_province_uploads_through_the_api_and_downloads_the_rejects(
    client, tmp_path, demo
):
    token = await login(client, "gd.admin")
    content = write_csv(tmp_path / "a.csv", HEADER, ROWS).read_bytes()
    payload = (await upload(client, token, "agencies", "agencies.csv", content)).json()["data"][
        "startImport"
    ]
    assert payload["errors"] == [] and payload["job"]["status"] == "QUEUED"
    await drain_jobs()
    job = (
        await gql(
            client,
            "query($id: ID!) { job(id: $id) { status counts tenant { regionCode } "
            "files { name url } } }",
            {"id": payload["job"]["id"]},
            token=token,
        )
    )["data"]["job"]
    assert job["status"] == "SUCCEEDED" and job["tenant"] == {"regionCode": "440000"}
    assert job["counts"] == {"rows": 12, "created": 3, "invalid": 1, "rejected": 8}
    assert [f["name"] for f in job["files"]] == ["rejects.xlsx", "rejects.csv"]
    download = await client.get(
        job["files"][1]["url"], headers={"authorization": f"Bearer {token}"}
    )
    text = download.content.decode("utf-8-sig")
    assert download.status_code == 200
    assert "深圳示例代理有限公司" in text and "440300 深圳市 尚未上线平台" in text
    assert set(await agencies()) == {A1, A2, A3}
    rooms = write_csv(tmp_path / "r.csv", ROOM_HEADER, ROOMS[:2]).read_bytes()
    queued = (await upload(client, token, "agency_rooms", "rooms.csv", rooms)).json()["data"][
        "startImport"
    ]
    assert queued["errors"] == []
    await drain_jobs()
    with all_tenants("test"):
        assert await AgencyRoom.count() == 2


async def test_only_the_province_imports_agencies(client, tmp_path, demo):
    content = write_csv(tmp_path / "a.csv", HEADER, ROWS[:1]).read_bytes()
    for username in ("xn.admin", "mz.admin", "xn.agency"):
        result = (
            await upload(client, await login(client, username), "agencies", "a.csv", content)
        ).json()
        assert result["data"]["startImport"]["errors"][0]["code"] == "FORBIDDEN"
    wrong = await upload(
        client, await login(client, "gd.admin"), "agencies", "x.csv", "编号,名称\n1,x\n".encode()
    )
    assert wrong.json()["data"]["startImport"]["errors"][0]["code"] == "BAD_HEADERS"
    assert await agencies() == {}


async def test_a_county_import_creates_no_accounts_elsewhere(tmp_path, demo):
    summary = await run(write_csv(tmp_path / "a.csv", HEADER, ROWS[1:2]), tenant="441481")
    assert summary.counts == {"rejected": 1}
    assert report(tmp_path / "out-a") == {
        2: "login_name: accounts of 441400 need an import for the province"
    }


async def test_the_documented_examples_import(tmp_path, demo):
    from tests.support import ROOT_TENANTS

    text = (ROOT_TENANTS.parent / "docs" / "import-formats" / "agencies.md").read_text(
        encoding="utf-8"
    )
    agencies_csv, rooms_csv = [block.split("```", 1)[0] for block in text.split("```csv\n")[1:]]
    (tmp_path / "agencies.csv").write_text(agencies_csv, encoding="utf-8")
    (tmp_path / "rooms.csv").write_text(rooms_csv, encoding="utf-8")
    assert (await run(tmp_path / "agencies.csv")).counts == {"created": 2, "invalid": 1}
    assert (await run(tmp_path / "rooms.csv", "agency_rooms")).counts == {"created": 3}
