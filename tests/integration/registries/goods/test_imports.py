"""The three goods import files through the real runner: CSV (UTF-8 and GBK) and XLSX."""

import csv
import json
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from gpcloud.core.imports.runner import run_import
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.core.validation import uscc_check_char
from gpcloud.registries.goods.imports import CATEGORIES_SPEC, GOODS_SPEC, LISTINGS_SPEC
from gpcloud.registries.goods.tables import Category, GoodsItem, ListingRegion, SupplierListing
from tests.integration.registries.goods.helpers import (
    XN_SUPPLIER,
    audit_entries,
    item_id,
    listing_id,
)
from tests.support import drain_jobs, gql, login

XN_USCC = "91441481MA4W00006" + uscc_check_char("91441481MA4W00006")
MZ_USCC = "91441400MA4W00007" + uscc_check_char("91441400MA4W00007")
SCHOOL_USCC = "12441481MB2C90004" + uscc_check_char(
    "12441481MB2C90004"
)  # a purchaser, not a supplier


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


async def run(spec, path: Path, out: Path | None = None):
    with use_scope((await tenant_tree()).scope_for("440000")):
        return await run_import(spec, path, "440000", out or path.parent / f"{path.stem}-out")


def rejects(summary, out: Path) -> dict[int, str]:
    assert summary.report == ["rejects.xlsx", "rejects.csv"]
    with (out / "rejects.csv").open(encoding="utf-8-sig") as fh:
        return {int(r["row"]): r["reasons"] for r in csv.DictReader(fh)}


CATEGORY_HEADER = ["code", "name", "parent_code", "status"]


async def test_categories_parents_first_and_idempotent(tmp_path, catalogue):
    rows = [
        ["A02010108", "一体式计算机", "A020101", ""],
        ["A0201010801", "信创一体机", "", "有效"],
        ["A0201010901", "孤儿品目", "", ""],  # parent A02010109 not registered
        ["A02010110", "错位品目", "A0202", ""],  # parent must be the code minus two digits
        ["A020101", "计算机设备（更名）", "", ""],
        ["A9", "格式错误", "", ""],
        ["", "缺编码", "", ""],
        ["A02010108", "重复", "", ""],
        ["C0208", "数据标注服务", "C02", "inactive"],
        ["C020801", "图像标注", "C0208", "active"],  # under an inactive parent
    ]
    path = write_csv(tmp_path / "categories.csv", CATEGORY_HEADER, rows)
    summary = await run(CATEGORIES_SPEC, path)
    assert summary.counts == {"created": 3, "updated": 1, "rejected": 6}
    reasons = rejects(summary, tmp_path / "categories-out")
    assert sorted(reasons) == [4, 5, 7, 8, 9, 11]
    assert "A02010109 is not registered" in reasons[4]
    assert "must be A020101" in reasons[5]
    assert reasons[7].startswith("code: A, B or C")
    assert reasons[8] == "code: required"
    assert "also in row 2" in reasons[9]
    assert "parent category C0208 is inactive" in reasons[11]
    row = await Category.select().where(Category.code == "A0201010801").first()
    assert (row["parent"], row["level"], row["kind"], row["status"]) == (
        "A02010108",
        6,
        "goods",
        "active",
    )
    assert (await Category.select(Category.name).where(Category.code == "A020101").first())[
        "name"
    ] == "计算机设备（更名）"
    assert (await Category.select(Category.status).where(Category.code == "C0208").first())[
        "status"
    ] == "inactive"

    again = await run(CATEGORIES_SPEC, path, tmp_path / "again")
    assert again.counts == {"unchanged": 4, "rejected": 6}
    imports = [e for e in await audit_entries("goods_categories.import")]
    assert len(imports) == 2  # the catalogue fixture, then this file's first run


async def test_category_deactivation_by_import_follows_the_rules(tmp_path, goods):
    path = write_csv(
        tmp_path / "off.csv",
        CATEGORY_HEADER,
        [
            ["A020105", "存储设备", "", "停用"],  # free: takes its branch with it
            ["A020201", "复印机", "", "inactive"],  # copiers are listed goods
            ["A02010501", "磁盘阵列", "", "active"],  # now under an inactive parent
            ["B", "工程", "", "inactive"],
            ["A0202", "办公设备", "", ""],  # blank status keeps it active
        ],
    )
    summary = await run(CATEGORIES_SPEC, path)
    assert summary.counts == {"updated": 1, "unchanged": 1, "rejected": 3}
    reasons = rejects(summary, tmp_path / "off-out")
    assert "2 active goods are filed under A020201" in reasons[3]
    assert "parent category A020105 is inactive" in reasons[4]
    assert "stay in the catalogue" in reasons[5]
    inactive = sorted(
        r["code"] for r in await Category.select(Category.code).where(Category.status == "inactive")
    )
    assert inactive == ["A020105", "A02010501", "A02010502", "A02010503", "A02010599"]
    cascaded = [e for e in await audit_entries("goods.deactivate_category")]
    assert [e["object_id"] for e in cascaded] == [
        "A02010501",
        "A02010502",
        "A02010503",
        "A02010599",
    ]


GOODS_HEADER = [
    "code",
    "category_code",
    "name",
    "brand",
    "model",
    "unit",
    "reference_price",
    "specs",
    "status",
]
GOODS_ROWS = [
    [
        "gd-a02010104-000901",
        "A02010104",
        "台式计算机（教学型）",
        "华岭",
        "HL-T300",
        "台",
        "4,600.00",
        "CPU=6核; 内存=8GB；硬盘=512GB SSD",
        "",
    ],
    ["GD-A060301-000901", "A060301", "办公椅（皮面）", "", "", "把", "880", "", "有效"],
    ["GD-X-1", "A99", "未知品目", "", "", "台", "10", "", ""],
    ["GD-X-2", "A", "太笼统", "", "", "台", "10", "", ""],
    ["GD-X-3", "A02010104", "零价", "", "", "台", "0", "", ""],
    ["GD-X-4", "A02010104", "坏规格", "", "", "台", "10", "CPU 8核", ""],
    ["GD-X-5", "A02010104", "负价", "", "", "台", "-5", "", ""],
    ["GD-A02010104-000901", "A02010104", "重复编码", "", "", "台", "10", "", ""],
    ["GD-X-6", "A02010104", "名" * 129, "", "", "台", "10", "", ""],
]


async def test_goods_from_a_gbk_csv_and_a_second_run_changes_nothing(tmp_path, catalogue):
    path = write_csv(tmp_path / "goods.csv", GOODS_HEADER, GOODS_ROWS, encoding="gb18030")
    summary = await run(GOODS_SPEC, path)
    assert summary.counts == {"created": 2, "rejected": 7}
    reasons = rejects(summary, tmp_path / "goods-out")
    assert "A99 is not in the procurement catalogue" in reasons[4]
    assert "below goods, works or services" in reasons[5]
    assert reasons[6].startswith("reference_price: an amount in yuan above 0")
    assert reasons[7].startswith("specs: name=value pairs")
    assert reasons[8].startswith("reference_price:")
    assert "also in row 2" in reasons[9]
    assert reasons[10] == "name: 1 to 128 characters"
    row = await GoodsItem.select().where(GoodsItem.code == "GD-A02010104-000901").first()
    assert json.loads(row["specs"]) == {"CPU": "6核", "内存": "8GB", "硬盘": "512GB SSD"}
    assert Decimal(str(row["reference_price"])) == Decimal("4600")
    again = await run(GOODS_SPEC, path, tmp_path / "again")
    assert again.counts == {"unchanged": 2, "rejected": 7}


async def test_goods_from_xlsx_update_keep_blanks_and_withdraw_listings(tmp_path, goods):
    header = GOODS_HEADER
    rows = [
        # The printer (listed at 1420 and 1460) gets a lower ceiling; blank brand/model/specs keep.
        [
            "GD-A0201060102-000001",
            "A0201060102",
            "A4黑白激光打印机（双面）",
            None,
            None,
            "台",
            1450,
            None,
            None,
        ],
        # The chair is discontinued: its listing is withdrawn.
        [
            "GD-A060301-000001",
            "A060301",
            "办公椅（网布人体工学）",
            "梅岭家具",
            "ML-Y200",
            "把",
            "680.00",
            None,
            "停用",
        ],
        # Unchanged.
        [
            "GD-A080101-000001",
            "A080101",
            "A4复印纸（70g，5包/箱）",
            "岭南纸业",
            "LN-A470",
            "箱",
            "165",
            None,
            None,
        ],
    ]
    path = write_xlsx(tmp_path / "goods.xlsx", header, rows)
    summary = await run(GOODS_SPEC, path)
    assert summary.counts == {"updated": 2, "unchanged": 1}
    printer = await GoodsItem.select().where(GoodsItem.code == "GD-A0201060102-000001").first()
    assert (printer["name"], printer["brand"], printer["model"]) == (
        "A4黑白激光打印机（双面）",
        "嘉印",
        "JY-P3010",
    )
    assert json.loads(printer["specs"])["打印速度"] == "30页/分"
    statuses = {
        r["id"]: r["status"]
        for r in await SupplierListing.select(SupplierListing.id, SupplierListing.status)
    }
    assert statuses[int(await listing_id(XN_SUPPLIER, "GD-A0201060102-000001"))] == "withdrawn"
    assert list(statuses.values()).count("withdrawn") == 2
    withdrawals = await audit_entries("goods.withdraw_listing")
    assert [e["tenant_id"] for e in withdrawals] == ["441481", "441400"]
    again = await run(GOODS_SPEC, path, tmp_path / "again")
    assert again.counts == {"unchanged": 3}


async def test_goods_green_label_set_kept_when_blank_cleared_by_none_and_checked(tmp_path, goods):
    """The energy-saving / environmental-label mark (green purchasing, analytics): Chinese or
    English, a blank keeps it, `none` clears it, anything else is rejected."""
    header = ["code", "category_code", "name", "unit", "reference_price", "green_label"]
    base = ["A0201060102", "A4黑白激光打印机", "台", "1500.00"]

    async def label(code: str) -> str:
        row = await GoodsItem.select(GoodsItem.green_label).where(GoodsItem.code == code).first()
        return row["green_label"]

    rows = [
        ["GD-A0201060102-000801", *base, "节能产品"],
        ["GD-A0201060102-000802", *base, "environmental"],
        ["GD-A0201060102-000803", *base, None],
        ["GD-A0201060102-000804", *base, "绿色"],
    ]
    first = await run(GOODS_SPEC, write_csv(tmp_path / "g1.csv", header, rows))
    assert first.counts == {"created": 3, "rejected": 1}
    assert rejects(first, tmp_path / "g1-out")[5].startswith("green_label: one of none")
    assert [await label(f"GD-A0201060102-00080{n}") for n in (1, 2, 3)] == [
        "energy_saving",
        "environmental",
        "",
    ]
    rows = [
        ["GD-A0201060102-000801", *base, None],  # kept
        ["GD-A0201060102-000802", *base, "none"],  # cleared
        ["GD-A0201060102-000803", *base, "both"],
    ]
    second = await run(GOODS_SPEC, write_csv(tmp_path / "g2.csv", header, rows))
    assert second.counts == {"unchanged": 1, "updated": 2}
    assert [await label(f"GD-A0201060102-00080{n}") for n in (1, 2, 3)] == [
        "energy_saving",
        "",
        "both",
    ]


LISTING_HEADER = ["supplier_uscc", "goods_code", "price", "stock", "regions", "status"]


async def test_listings_import_checks_every_rule_and_is_idempotent(tmp_path, goods):
    rows = [
        [XN_USCC, "GD-A02010105-000002", "7600", "5", "441481；441424", ""],  # new
        [
            XN_USCC.lower(),
            "GD-A02010104-000001",
            "5000",
            "",
            "441481",
            "",
        ],  # price change, stock kept
        [MZ_USCC, "GD-A02010105-000002", "7700", "3", "441400", "下架"],  # new, withdrawn
        [XN_USCC, "GD-A02010105-000002", "7500", "1", "441481", ""],  # repeated pair
        [
            "91440000MA4W0000XX",
            "GD-A02010105-000002",
            "1",
            "1",
            "441481",
            "",
        ],  # bad check character
        [
            "91440000MA4W00099" + uscc_check_char("91440000MA4W00099"),
            "GD-A02010105-000002",
            "1",
            "1",
            "441481",
            "",
        ],  # nobody has this code
        [SCHOOL_USCC, "GD-A02010105-000002", "1", "1", "441481", ""],  # not a supplier
        [XN_USCC, "GD-NOPE-1", "1", "1", "441481", ""],  # unknown goods
        [XN_USCC, "GD-A020201-000001", "18500.01", "1", "441481", ""],  # above the reference
        [XN_USCC, "GD-A020201-000002", "100", "-1", "441481", ""],  # negative stock
        [XN_USCC, "GD-A020202-000001", "100", "1", "440300", ""],  # Shenzhen not on the platform
        [XN_USCC, "GD-A060302-000001", "100", "1", "999999", ""],  # unknown region
        [XN_USCC, "GD-A060501-000001", "100", "1", "", ""],  # no region
        [XN_USCC, "GD-A060201-000001", "0", "1", "441481", ""],  # zero price
    ]
    path = write_csv(tmp_path / "listings.csv", LISTING_HEADER, rows)
    summary = await run(LISTINGS_SPEC, path)
    assert summary.counts == {"created": 2, "updated": 1, "rejected": 11}
    reasons = rejects(summary, tmp_path / "listings-out")
    assert "supplier_uscc+goods_code" in reasons[5] and "also in row 2" in reasons[5]
    assert reasons[6].startswith("supplier_uscc: not a valid unified social credit code")
    assert "no organisation with the code" in reasons[7]
    assert "is not a supplier" in reasons[8]
    assert "GD-NOPE-1 is not in the goods registry" in reasons[9]
    assert "price: above the reference price 18500.00" in reasons[10]
    assert reasons[11].startswith("stock: a whole number")
    assert "not on the platform: 440300" in reasons[12]
    assert "no region 999999" in reasons[13]
    assert reasons[14] == "regions: required"
    assert reasons[15].startswith("price: an amount in yuan above 0")

    new = (
        await SupplierListing.select()
        .where(SupplierListing.id == int(await listing_id(XN_SUPPLIER, "GD-A02010105-000002")))
        .first()
    )
    assert (Decimal(str(new["price"])), new["stock"], new["status"]) == (
        Decimal("7600"),
        5,
        "active",
    )
    regions = await ListingRegion.select(ListingRegion.region).where(
        ListingRegion.listing == new["id"]
    )
    assert sorted(r["region"] for r in regions) == ["441424", "441481"]
    changed = (
        await SupplierListing.select()
        .where(SupplierListing.id == int(await listing_id(XN_SUPPLIER, "GD-A02010104-000001")))
        .first()
    )
    assert (Decimal(str(changed["price"])), changed["stock"]) == (Decimal("5000"), 25)
    mz = (
        await SupplierListing.select(SupplierListing.status)
        .where(SupplierListing.goods_item == int(await item_id("GD-A02010105-000002")))
        .order_by(SupplierListing.id)
    )
    assert [r["status"] for r in mz] == ["active", "withdrawn"]

    again = await run(LISTINGS_SPEC, path, tmp_path / "again")
    assert again.counts == {"unchanged": 3, "rejected": 11}
    regions_only = write_csv(
        tmp_path / "regions.csv",
        LISTING_HEADER,
        [
            [XN_USCC, "GD-A02010105-000002", "7600", "", "441400", ""],
        ],
    )
    moved = await run(LISTINGS_SPEC, regions_only)
    assert moved.counts == {"updated": 1}
    regions = await ListingRegion.select(ListingRegion.region).where(
        ListingRegion.listing == new["id"]
    )
    assert [r["region"] for r in regions] == ["441400"]


async def test_the_catalogue_file_is_its_own_import_format(tmp_path, catalogue):
    """Loading the shipped catalogue twice writes nothing the second time."""
    from gpcloud.registries.goods.demo import CATALOGUE

    summary = await run(CATEGORIES_SPEC, CATALOGUE, tmp_path / "out")
    assert summary.counts == {"unchanged": await Category.count()}


async def test_upload_through_the_api_runs_as_a_job_with_a_reject_report(client, tmp_path, goods):
    token = await login(client, "gd.admin")
    path = write_csv(tmp_path / "goods.csv", GOODS_HEADER, GOODS_ROWS[:4], encoding="gb18030")
    operations = {
        "query": 'mutation($file: Upload!) { startImport(registry: "goods", file: $file) '
        "{ job { id status } errors { field code message } } }",
        "variables": {"file": None},
    }

    async def upload(token, content, name="goods.csv"):
        response = await client.post(
            "/graphql",
            data={
                "operations": json.dumps(operations),
                "map": json.dumps({"0": ["variables.file"]}),
            },
            files={"0": (name, content, "text/csv")},
            headers={"authorization": f"Bearer {token}"},
        )
        return response.json()["data"]["startImport"]

    payload = await upload(token, path.read_bytes())
    assert payload["errors"] == [] and payload["job"]["status"] == "QUEUED"
    await drain_jobs()
    job = (
        await gql(
            client,
            "query($id: ID!) { job(id: $id) { status counts tenant { regionCode } files { name url } } }",
            {"id": payload["job"]["id"]},
            token=token,
        )
    )["data"]["job"]
    assert job["status"] == "SUCCEEDED" and job["tenant"] == {"regionCode": "440000"}
    assert job["counts"] == {"rows": 4, "created": 2, "rejected": 2}
    download = await client.get(
        job["files"][1]["url"], headers={"authorization": f"Bearer {token}"}
    )
    # Started through the API without Accept-Language: the report is in Chinese, its cells
    # under the columns' labels.
    report = list(csv.DictReader(download.content.decode("utf-8-sig").splitlines()))
    assert [(r["行号"], r["商品编码"]) for r in report] == [("4", "GD-X-1"), ("5", "GD-X-2")]
    assert "品目编码：A99 不在政府采购品目目录中" in report[0]["拒绝原因"]
    assert await GoodsItem.exists().where(GoodsItem.code == "GD-A060301-000901")

    wrong = await upload(token, "商品,价格\n台式机,1\n".encode())
    assert wrong["errors"][0]["code"] == "BAD_HEADERS"
    for username in ("xn.supplier", "mz.admin"):
        refused = await upload(await login(client, username), path.read_bytes())
        assert refused["errors"][0]["code"] == "FORBIDDEN", username
