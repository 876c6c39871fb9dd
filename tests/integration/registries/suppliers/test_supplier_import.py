"""Importing the old portal's supplier and qualification files: formats, encodings, rejects,
idempotency, migrated accounts, and the upload through the API."""

import csv
import hashlib
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from gpcloud.core.auth.passwords import UNUSABLE
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.clock import today
from gpcloud.core.imports.runner import get_spec, run_import
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.core.validation import uscc_check_char
from gpcloud.registries.suppliers.imports import LONG_TERM
from gpcloud.registries.suppliers.tables import Supplier, SupplierQualification
from tests.integration.registries.suppliers.helpers import (
    XN_SUPPLIER,
    bad_check,
    code,
    organisation,
)
from tests.support import LOGIN, drain_jobs, error_codes, gql, login

FORMAT_PAGE = Path(__file__).resolve().parents[4] / "docs/import-formats/suppliers.md"
HEADER = [
    "uscc",
    "name",
    "region_code",
    "size_class",
    "address",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "contact_email",
    "ca_serial",
    "ca_issuer",
    "ca_valid_until",
    "login_name",
    "password_hash",
    "status",
]
LEGACY = "md5:" + hashlib.md5(b"OldPass#1").hexdigest()
CA_UNTIL = (today() + timedelta(days=365)).isoformat()
CA = ["4A3F0001", "广东省电子商务认证有限公司", CA_UNTIL]


def school_uscc() -> str:
    head = "12441481MB2C90004"  # 兴宁市第一中学, a purchaser (gpcloud.demo)
    return head + uscc_check_char(head)


def rows() -> list[list[str]]:
    xn = "91441481MA4W00006" + uscc_check_char("91441481MA4W00006")
    return [
        [
            code(1),
            "兴宁市宁江五金机电有限公司",
            "441481",
            "小型",
            "兴宁市兴城镇工业大道18号",
            "示例法人甲",
            "示例联系人甲",
            "0753-0000001",
            "wj@example.com",
            *CA,
            "NJ_WuJin",
            LEGACY,
            "正常",
        ],
        [
            code(2),
            "兴宁市兴田印务有限公司",
            "441481",
            "",
            "",
            "",
            "",
            "13800000002",
            "",
            "",
            "",
            "",
            "xt_yinwu",
            "",
            "",
        ],
        [
            code(3),
            "梅州市已停业贸易有限公司",
            "441400",
            "micro",
            "梅州市某地",
            "",
            "",
            "0753-0000003",
            "",
            "",
            "",
            "",
            "",
            "",
            "停用",
        ],
        [
            code(4),
            "梅州市已注销商行有限公司",
            "441400",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "无效",
        ],
        [
            bad_check(code(5)),
            "校验位错误有限公司",
            "441481",
            "",
            "",
            "",
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
        [code(6), "深圳市某科技有限公司", "440300", "", "", "", "", "", "", "", "", "", "", "", ""],
        [code(7), "不存在区划有限公司", "999999", "", "", "", "", "", "", "", "", "", "", "", ""],
        [code(1), "重复代码有限公司", "441481", "", "", "", "", "", "", "", "", "", "", "", ""],
        [
            code(9),
            "电话错误有限公司",
            "441481",
            "",
            "",
            "",
            "",
            "12345",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            code(10),
            "规模错误有限公司",
            "441481",
            "超大型",
            "",
            "",
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
        [school_uscc(), "兴宁市第一中学", "441481", "", "", "", "", "", "", "", "", "", "", "", ""],
        [
            code(12),
            "抢账号有限公司",
            "441481",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "xn.admin",
            "",
            "",
        ],
        [
            xn,
            XN_SUPPLIER,
            "441481",
            "micro",
            "兴宁市合水镇工业园2号",
            "",
            "示例联系人乙",
            "0753-0000013",
            "",
            *CA,
            "xn.supplier",
            "",
            "active",
        ],
        [
            code(14),
            "只有哈希有限公司",
            "441481",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            LEGACY,
            "",
        ],
        [
            code(15),
            "邮箱错误有限公司",
            "441481",
            "",
            "",
            "",
            "",
            "",
            "not-an-email",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            code(16),
            "同批账号有限公司",
            "441481",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "xt_yinwu",
            "",
            "",
        ],
        [
            code(17),
            "证书过期有限公司",
            "441424",
            "medium",
            "五华县某地",
            "",
            "",
            "0753-0000017",
            "",
            "4A3F0017",
            "广东省电子商务认证有限公司",
            "2020-01-01",
            "",
            "",
            "",
        ],
    ]


EXPECTED_COUNTS = {"created": 5, "invalid": 1, "rejected": 11}


def write_csv(path, header, data, encoding="utf-8-sig"):
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(data)
    return path


def write_xlsx(path, header, data):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in data:
        sheet.append(row)
    book.save(path)
    return path


async def run(path, registry="suppliers", tenant="440000"):
    with use_scope((await tenant_tree()).scope_for(tenant)):
        return await run_import(get_spec(registry), path, tenant, path.parent / f"out-{path.stem}")


async def suppliers_by_code() -> dict[str, dict]:
    rows_ = await Supplier.select(
        Supplier.all_columns(),
        Supplier.organisation.uscc.as_alias("uscc"),
        Supplier.organisation.name.as_alias("name"),
        Supplier.organisation.region.as_alias("region"),
    ).order_by(Supplier.id)
    return {r["uscc"]: r for r in rows_}


def rejects(path) -> dict[int, str]:
    with (path.parent / f"out-{path.stem}" / "rejects.csv").open(encoding="utf-8-sig") as fh:
        return {int(r["row"]): r["reasons"] for r in csv.DictReader(fh)}


async def test_a_file_is_validated_row_by_row_and_imported(tmp_path, demo):
    path = write_csv(tmp_path / "suppliers.csv", HEADER, rows())
    summary = await run(path)
    assert summary.rows == 17
    assert summary.counts == EXPECTED_COUNTS
    found = await suppliers_by_code()
    complete = found[code(1)]
    assert (complete["status"], complete["size_class"], complete["name"]) == (
        "active",
        "small",
        "兴宁市宁江五金机电有限公司",
    )
    assert (
        complete["ca_valid_until"] == date.fromisoformat(CA_UNTIL)
        and complete["region"] == "441481"
    )
    # Missing size class, address and CA certificate: incomplete, completed by its users.
    assert found[code(2)]["status"] == "incomplete"
    assert found[code(3)]["status"] == "inactive"
    assert found[code(17)]["status"] == "incomplete"  # its certificate expired: kept, to be renewed
    assert code(4) not in found  # marked invalid in the old system
    adopted = found[(await organisation(XN_SUPPLIER))["uscc"]]
    assert adopted["status"] == "active" and adopted["contact_phone"] == "0753-0000013"
    assert await Organisation.count().where(Organisation.name == XN_SUPPLIER) == 1

    reasons = rejects(path)
    assert sorted(reasons) == [5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17]
    assert "uscc: not a valid unified social credit code" in reasons[6]
    assert "深圳市" in reasons[7] and "not on the platform" in reasons[7]
    assert "region_code: no region 999999" in reasons[8]
    assert f"uscc {code(1)} is also in row 2" in reasons[9]
    assert reasons[10].startswith("contact_phone:")
    assert reasons[11].startswith("size_class: one of")
    assert "registered to an organisation that is not a supplier" in reasons[12]
    assert "login_name: xn.admin is taken" in reasons[13]
    assert "password_hash: needs a login_name" in reasons[15]
    assert reasons[16].startswith("contact_email:")
    assert "xt_yinwu is also on another row" in reasons[17]


async def test_migrated_accounts_must_change_their_password(client, tmp_path, demo):
    await run(write_csv(tmp_path / "suppliers.csv", HEADER, rows()))
    with all_tenants("test: migrated accounts"):
        users = {
            u["username"]: u
            for u in await User.select().where(User.username.is_in(["nj_wujin", "xt_yinwu"]))
        }
        roles = await UserRole.select(UserRole.role).where(
            UserRole.user.is_in([u["id"] for u in users.values()])
        )
    assert {u["must_change_password"] for u in users.values()} == {True}
    assert (
        users["nj_wujin"]["tenant_id"] == "441481"
        and users["nj_wujin"]["display_name"] == "示例联系人甲"
    )
    assert users["xt_yinwu"]["password_hash"] == UNUSABLE
    assert [r["role"] for r in roles] == ["supplier", "supplier"]
    # The old portal's password works once, for the first-login password change.
    result = await gql(client, LOGIN, {"username": "nj_wujin", "password": "OldPass#1"})
    assert result["data"]["login"]["me"]["mustChangePassword"] is True
    assert (await gql(client, LOGIN, {"username": "xt_yinwu", "password": "OldPass#1"}))["data"][
        "login"
    ]["errors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_the_same_file_twice_changes_nothing(tmp_path, demo):
    path = write_csv(tmp_path / "suppliers.csv", HEADER, rows())
    await run(path)
    before = await suppliers_by_code()
    with all_tenants("count accounts"):
        accounts = await User.count()
    again = await run(write_csv(tmp_path / "again.csv", HEADER, rows()))
    assert again.counts == {"unchanged": 5, "invalid": 1, "rejected": 11}
    assert await suppliers_by_code() == before
    with all_tenants("count accounts"):
        assert await User.count() == accounts


async def test_blank_cells_keep_and_filled_cells_update(tmp_path, demo):
    await run(write_csv(tmp_path / "suppliers.csv", HEADER, rows()))
    first = (await suppliers_by_code())[code(2)]
    update = write_csv(
        tmp_path / "update.csv",
        [
            "uscc",
            "name",
            "region_code",
            "size_class",
            "address",
            "ca_serial",
            "ca_issuer",
            "ca_valid_until",
            "contact_phone",
        ],
        [
            [code(2), "兴宁市兴田印务有限公司", "441481", "微型", "兴宁市兴田街道1号", *CA, ""],
            [code(1), "兴宁市宁江五金机电股份有限公司", "441402", "", "", "", "", "", ""],
            [code(3), "梅州市已停业贸易有限公司", "441400", "", "", "", "", "", ""],
        ],
    )
    summary = await run(update)
    assert summary.counts == {"updated": 2, "unchanged": 1}
    found = await suppliers_by_code()
    completed = found[code(2)]
    assert (completed["status"], completed["size_class"]) == ("active", "micro")
    assert completed["contact_phone"] == first["contact_phone"] == "13800000002"
    renamed = found[code(1)]
    assert (renamed["name"], renamed["region"], renamed["address"]) == (
        "兴宁市宁江五金机电股份有限公司",
        "441402",
        "兴宁市兴城镇工业大道18号",
    )
    assert found[code(3)]["status"] == "inactive"  # a blank status keeps it inactive


async def test_an_import_keeps_a_suspension(tmp_path, suppliers):
    xn = await organisation(XN_SUPPLIER)
    await Supplier.update({Supplier.status: "suspended"}).where(Supplier.organisation == xn["id"])
    path = write_csv(
        tmp_path / "s.csv",
        ["uscc", "name", "region_code", "address", "status"],
        [[xn["uscc"], XN_SUPPLIER, "441481", "兴宁市合水镇新址", "正常"]],
    )
    assert (await run(path)).counts == {"updated": 1}
    assert (await suppliers_by_code())[xn["uscc"]]["status"] == "suspended"


async def test_gbk_and_xlsx_files_import_the_same(tmp_path, demo):
    gbk = await run(write_csv(tmp_path / "gbk.csv", HEADER, rows(), encoding="gb18030"))
    assert gbk.counts == EXPECTED_COUNTS
    assert (await suppliers_by_code())[code(1)]["name"] == "兴宁市宁江五金机电有限公司"

    data = [
        [
            code(40 + n),
            f"梅州市表格导入{n}号有限公司",
            441481,
            "小型",
            "兴宁市某路",
            "",
            "",
            "0753-0000040",
            "",
            "4A3F0040",
            "广东省电子商务认证有限公司",
            datetime.combine(today() + timedelta(days=90), datetime.min.time()),
            None,
            None,
            "正常",
        ]
        for n in range(3)
    ]
    data.append(
        [
            code(50),
            "表格错误有限公司",
            441481,
            "巨型",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ]
    )
    headers = [
        "统一社会信用代码",
        "供应商名称",
        "所属区划",
        "企业规模",
        "地址",
        "法定代表人",
        "联系人",
        "联系电话",
        "电子邮箱",
        "CA证书序列号",
        "CA证书颁发机构",
        "CA证书有效期至",
        "登录账号",
        "密码哈希",
        "状态",
    ]
    xlsx = await run(write_xlsx(tmp_path / "suppliers.xlsx", headers, data))
    assert xlsx.counts == {"created": 3, "rejected": 1}
    found = await suppliers_by_code()
    assert found[code(40)]["status"] == "active"
    assert found[code(40)]["ca_valid_until"] == today() + timedelta(days=90)


async def test_only_a_provincial_admin_imports_suppliers(tmp_path, demo):
    from gpcloud.core.auth.service import load_current_user
    from gpcloud.core.errors import DomainError
    from gpcloud.core.imports.service import start_import

    with all_tenants("test"):
        user_id = (await User.select(User.id).where(User.username == "xn.admin").first())["id"]
    actor = await load_current_user(user_id)
    with use_scope((await tenant_tree()).scope_for("441481")):
        try:
            await start_import(actor, "suppliers", "s.csv", b"uscc,name,region_code\n", "441481")
        except DomainError as exc:
            assert exc.code == "FORBIDDEN"
        else:
            raise AssertionError("a tenant admin started a supplier import")


async def test_a_city_import_cannot_place_suppliers_outside_the_city(tmp_path, demo):
    """The runner's tenant bounds the regions a file may name (the CLI's --tenant)."""
    guangzhou = write_csv(
        tmp_path / "gz.csv",
        ["uscc", "name", "region_code"],
        [[code(62), "广州市某有限公司", "440100"]],
    )
    assert (await run(guangzhou)).counts == {"created": 1}
    path = write_csv(
        tmp_path / "city.csv",
        ["uscc", "name", "region_code"],
        [
            [code(60), "梅州市城内有限公司", "441481"],
            [code(61), "广州市城外有限公司", "440100"],
            [code(62), "广州市某有限公司", "441481"],
        ],
    )
    summary = await run(path, tenant="441400")
    assert summary.counts == {"created": 1, "rejected": 2}
    reasons = rejects(path)
    assert "no region 440100 in the import's region" in reasons[3]
    assert "registered outside the import's region" in reasons[4]
    assert (await suppliers_by_code())[code(62)]["region"] == "440100"


QUALIFICATION_HEADER = ["uscc", "kind", "number", "name", "issuer", "valid_until"]


async def test_qualifications_import_after_their_suppliers(tmp_path, demo):
    await run(write_csv(tmp_path / "suppliers.csv", HEADER, rows()))
    future = (today() + timedelta(days=200)).isoformat()
    data = [
        [code(1), "iso9001", "00121Q30001R0S", "", "示例认证有限公司", future],
        [code(1), "营业执照", code(1), "", "兴宁市市场监督管理局", "长期"],
        [code(1), "ISO14001", "00121E30001R0S", "", "", "2020-12-31"],
        [code(99), "iso9001", "00121Q30099R0S", "", "", future],
        [code(2), "other", "QT-0001", "", "", future],
        [code(2), "other", "QT-0002", "食品小作坊登记证", "", future],
        [code(2), "许可证", "XK-1", "", "", future],
        [code(2), "iso9001", "00121Q30001R0S", "", "", future],
        [code(2), "iso45001", "", "", "", future],
    ]
    path = write_csv(tmp_path / "qualifications.csv", QUALIFICATION_HEADER, data)
    summary = await run(path, registry="supplier_qualifications")
    assert summary.counts == {"created": 3, "rejected": 6}
    reasons = rejects(path)
    assert sorted(reasons) == [4, 5, 6, 8, 9, 10]
    assert "valid_until: expired on 2020-12-31" in reasons[4]
    assert f"no supplier {code(99)}" in reasons[5]
    assert "name: required for kind other" in reasons[6]
    assert reasons[8].startswith("kind: one of")
    assert "is also in row 2" in reasons[9]
    assert "number: required" in reasons[10]
    held = {(q["kind"], q["number"]): q for q in await SupplierQualification.select()}
    assert held[("business_license", code(1))]["valid_until"] == LONG_TERM
    assert held[("business_license", code(1))]["name"] == "营业执照"
    assert held[("other", "QT-0002")]["name"] == "食品小作坊登记证"

    again = await run(
        write_csv(tmp_path / "again.csv", QUALIFICATION_HEADER, data[:2]),
        registry="supplier_qualifications",
    )
    assert again.counts == {"unchanged": 2}
    renewed = await run(
        write_csv(
            tmp_path / "renewed.csv",
            QUALIFICATION_HEADER,
            [[code(1), "iso9001", "00121Q30001R0S", "", "", "2099-01-01"]],
        ),
        registry="supplier_qualifications",
    )
    assert renewed.counts == {"updated": 1}
    q = (
        await SupplierQualification.select()
        .where(SupplierQualification.number == "00121Q30001R0S")
        .first()
    )
    assert (q["valid_until"], q["issuer"]) == (date(2099, 1, 1), "示例认证有限公司")


def upload(path, registry="suppliers"):
    operations = {
        "query": "mutation($file: Upload!, $r: String!) { startImport(registry: $r, file: $file) "
        "{ job { id status } errors { field code message } } }",
        "variables": {"file": None, "r": registry},
    }
    return {
        "data": {
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        "files": {"0": (path.name, path.read_bytes(), "text/csv")},
    }


async def test_an_upload_through_the_api_is_imported_by_a_job(client, tmp_path, demo):
    token = await login(client, "gd.admin")
    path = write_csv(tmp_path / "suppliers.csv", HEADER, rows(), encoding="gb18030")
    response = await client.post(
        "/graphql", **upload(path), headers={"authorization": f"Bearer {token}"}
    )
    payload = response.json()["data"]["startImport"]
    assert payload["errors"] == [] and payload["job"]["status"] == "QUEUED"
    await drain_jobs()
    job = (
        await gql(
            client,
            "query($id: ID!) { job(id: $id) { status counts progressDone tenant { regionCode } "
            "files { name url } } }",
            {"id": payload["job"]["id"]},
            token=token,
        )
    )["data"]["job"]
    assert job["status"] == "SUCCEEDED" and job["tenant"] == {"regionCode": "440000"}
    assert job["counts"] == {"rows": 17, **EXPECTED_COUNTS}
    assert [f["name"] for f in job["files"]] == ["rejects.xlsx", "rejects.csv"]
    download = await client.get(
        job["files"][1]["url"], headers={"authorization": f"Bearer {token}"}
    )
    report = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [int(r["行号"]) for r in report] == [5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17]
    by_row = {int(r["行号"]): r for r in report}
    assert (
        "原系统中标记为无效" in by_row[5]["拒绝原因"]
        and by_row[5]["供应商名称"] == "梅州市已注销商行有限公司"
    )
    assert "尚未上线平台" in by_row[7]["拒绝原因"] and by_row[7]["所属区划"] == "440300"
    assert by_row[11]["企业规模"] == "超大型"
    assert (await suppliers_by_code())[code(1)]["status"] == "active"

    formats = await gql(
        client,
        "{ importFormats { registry key permission columns { name required } } }",
        token=token,
    )
    specs = {f["registry"]: f for f in formats["data"]["importFormats"]}
    assert specs["suppliers"]["key"] == "uscc"
    assert specs["suppliers"]["permission"] == "supplier.import"
    assert [c["name"] for c in specs["suppliers"]["columns"] if c["required"]] == [
        "uscc",
        "name",
        "region_code",
    ]
    assert "supplier_qualifications" in specs

    county = await login(client, "xn.admin")
    refused = await client.post(
        "/graphql", **upload(path), headers={"authorization": f"Bearer {county}"}
    )
    assert refused.json()["data"]["startImport"]["errors"][0] == {
        "field": None,
        "code": "FORBIDDEN",
        "message": "需要权限 supplier.import（拥有该权限的角色：PROVINCE_ADMIN）",
    }
    wrong = write_csv(tmp_path / "wrong.csv", ["编号", "名称"], [["1", "x"]])
    bad = await client.post(
        "/graphql", **upload(wrong), headers={"authorization": f"Bearer {token}"}
    )
    assert bad.json()["data"]["startImport"]["errors"][0]["code"] == "BAD_HEADERS"
    assert error_codes(await gql(client, "{ importFormats { registry } }")) == ["UNAUTHENTICATED"]


async def test_the_published_examples_import_as_documented(tmp_path, demo):
    """docs/import-formats/suppliers.md: its example files do what the page says."""
    page = FORMAT_PAGE.read_text("utf-8")
    blocks = [b.split("```")[0].strip() for b in page.split("```csv\n")[1:]]
    later = (today() + timedelta(days=30)).isoformat()
    suppliers_csv = tmp_path / "doc-suppliers.csv"
    suppliers_csv.write_text(blocks[0] + "\n", encoding="utf-8")
    assert (await run(suppliers_csv)).counts == {"created": 3, "invalid": 1}
    found = await suppliers_by_code()
    first = "active" if today() <= date(2027, 6, 30) else "incomplete"  # its certificate's date
    assert [s["status"] for s in found.values()] == [first, "incomplete", "inactive"]
    with all_tenants("test: the example's accounts"):
        assert await User.count().where(User.username.is_in(["nj_wujin", "xt_yinwu"])) == 2
    qualifications_csv = tmp_path / "doc-qualifications.csv"
    qualifications_csv.write_text(blocks[1].replace("2027-12-31", later) + "\n", encoding="utf-8")
    assert (await run(qualifications_csv, registry="supplier_qualifications")).counts == {
        "created": 3
    }
