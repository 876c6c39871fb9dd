"""Demo data of the goods registry: the catalogue, ~20 common goods with plausible reference
prices, and the two demo suppliers' listings in Meizhou and Xingning.

Brands and models are fictional. Idempotent: the catalogue goes through the import (a second run
changes nothing), goods and listings that exist are left alone.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import transaction
from gpcloud.core.imports.runner import run_import
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.goods.imports import CATEGORIES_SPEC
from gpcloud.registries.goods.service import items, listings
from gpcloud.registries.goods.tables import GoodsItem, SupplierListing

CATALOGUE = Path(__file__).parent / "catalogue.csv"
PROVINCE = "440000"
MEIZHOU_SUPPLIER = "梅州市客都办公设备有限公司"
XINGNING_SUPPLIER = "兴宁市合水电子科技有限公司"

# code, category, name, brand, model, unit, reference price, specs
GOODS = (
    (
        "GD-A02010104-000001",
        "A02010104",
        "台式计算机（信创办公型）",
        "华岭",
        "HL-D5000",
        "台",
        "5200.00",
        {
            "CPU": "国产8核 2.5GHz",
            "内存": "16GB DDR4",
            "硬盘": "512GB SSD",
            "显示器": "23.8英寸",
            "操作系统": "国产操作系统",
        },
    ),
    (
        "GD-A02010104-000002",
        "A02010104",
        "台式计算机（通用办公型）",
        "南粤星",
        "NY-M600",
        "台",
        "4300.00",
        {
            "CPU": "6核 3.0GHz",
            "内存": "8GB DDR4",
            "硬盘": "256GB SSD + 1TB HDD",
            "显示器": "21.5英寸",
        },
    ),
    (
        "GD-A02010105-000001",
        "A02010105",
        "便携式计算机（14英寸办公型）",
        "华岭",
        "HL-N14",
        "台",
        "6500.00",
        {
            "CPU": "8核 2.4GHz",
            "内存": "16GB",
            "硬盘": "512GB SSD",
            "屏幕": "14英寸 1920×1080",
            "重量": "1.4kg",
        },
    ),
    (
        "GD-A02010105-000002",
        "A02010105",
        "便携式计算机（13.3英寸轻薄型）",
        "南粤星",
        "NY-Air13",
        "台",
        "7800.00",
        {"CPU": "8核 2.8GHz", "内存": "16GB", "硬盘": "1TB SSD", "屏幕": "13.3英寸 2560×1600"},
    ),
    (
        "GD-A02010103-000001",
        "A02010103",
        "机架式服务器（2U双路）",
        "粤丰",
        "YF-R2200",
        "台",
        "38000.00",
        {"CPU": "2×16核", "内存": "128GB", "硬盘": "2×960GB SSD + 4×4TB", "电源": "双冗余"},
    ),
    (
        "GD-A0201060102-000001",
        "A0201060102",
        "A4黑白激光打印机",
        "嘉印",
        "JY-P3010",
        "台",
        "1500.00",
        {"打印速度": "30页/分", "双面打印": "自动", "网络": "有线+无线"},
    ),
    (
        "GD-A0201060102-000002",
        "A0201060102",
        "A4彩色激光打印机",
        "嘉印",
        "JY-C2200",
        "台",
        "3600.00",
        {"打印速度": "22页/分（彩色）", "双面打印": "自动", "网络": "有线"},
    ),
    (
        "GD-A020204-000001",
        "A020204",
        "A4黑白激光多功能一体机（打印/复印/扫描）",
        "嘉印",
        "JY-M3020",
        "台",
        "2300.00",
        {"打印速度": "30页/分", "扫描": "双面自动输稿器", "网络": "有线+无线"},
    ),
    (
        "GD-A020201-000001",
        "A020201",
        "A3黑白数码复印机（35页/分）",
        "客都影像",
        "KD-3500",
        "台",
        "18500.00",
        {"复印速度": "35页/分", "纸盒": "2×500页", "功能": "复印/打印/扫描"},
    ),
    (
        "GD-A020201-000002",
        "A020201",
        "A3彩色数码复合机（30页/分）",
        "客都影像",
        "KD-C3000",
        "台",
        "32000.00",
        {"复印速度": "30页/分（彩色）", "纸盒": "4×500页", "功能": "复印/打印/扫描/传真"},
    ),
    (
        "GD-A020202-000001",
        "A020202",
        "商务投影仪（4000流明）",
        "光岭",
        "GL-X4000",
        "台",
        "4800.00",
        {"亮度": "4000流明", "分辨率": "1024×768", "接口": "HDMI×2"},
    ),
    (
        "GD-A02010202-000001",
        "A02010202",
        "千兆以太网交换机（24口）",
        "粤丰",
        "YF-S24G",
        "台",
        "2600.00",
        {"端口": "24×千兆电口 + 4×千兆光口", "管理": "二层网管"},
    ),
    (
        "GD-A02010301-000001",
        "A02010301",
        "下一代防火墙（千兆）",
        "粤丰",
        "YF-FW1000",
        "台",
        "28000.00",
        {"吞吐量": "4Gbps", "接口": "8×千兆电口", "授权": "三年特征库升级"},
    ),
    (
        "GD-A0206180201-000001",
        "A0206180201",
        "分体壁挂式空调（1.5匹，一级能效）",
        "南风",
        "NF-35GW",
        "台",
        "3600.00",
        {"制冷量": "3500W", "能效": "一级", "类型": "变频冷暖"},
    ),
    (
        "GD-A0206180202-000001",
        "A0206180202",
        "柜式空调（3匹，一级能效）",
        "南风",
        "NF-72LW",
        "台",
        "8800.00",
        {"制冷量": "7200W", "能效": "一级", "类型": "变频冷暖"},
    ),
    (
        "GD-A060201-000001",
        "A060201",
        "办公桌（钢木结构，1.4米）",
        "梅岭家具",
        "ML-Z1400",
        "张",
        "1600.00",
        {"尺寸": "1400×700×750mm", "材质": "E1级板材+钢架"},
    ),
    (
        "GD-A060301-000001",
        "A060301",
        "办公椅（网布人体工学）",
        "梅岭家具",
        "ML-Y200",
        "把",
        "680.00",
        {"材质": "网布+尼龙脚", "功能": "升降/倾仰"},
    ),
    (
        "GD-A060302-000001",
        "A060302",
        "会议椅（带写字板）",
        "梅岭家具",
        "ML-H120",
        "把",
        "420.00",
        {"材质": "皮面+钢架"},
    ),
    (
        "GD-A060501-000001",
        "A060501",
        "钢制文件柜（四门）",
        "梅岭家具",
        "ML-G400",
        "个",
        "1300.00",
        {"尺寸": "900×400×1800mm", "材质": "0.8mm冷轧钢板"},
    ),
    (
        "GD-A080101-000001",
        "A080101",
        "A4复印纸（70g，5包/箱）",
        "岭南纸业",
        "LN-A470",
        "箱",
        "165.00",
        {"克重": "70g/㎡", "规格": "A4 500张/包×5包"},
    ),
    (
        "GD-A0901-000001",
        "A0901",
        "激光打印机硒鼓（黑色）",
        "嘉印",
        "JY-T3010",
        "个",
        "420.00",
        {"适用机型": "JY-P3010 / JY-M3020", "打印量": "约3000页"},
    ),
    (
        "GD-A02021101-000001",
        "A02021101",
        "碎纸机（4级保密）",
        "客都影像",
        "KD-S400",
        "台",
        "1200.00",
        {"保密等级": "4级", "碎纸效果": "2×10mm"},
    ),
)

# The demo's green purchasing marks (fictional certificates): one-star-efficiency air
# conditioners and office computers are energy-saving products, the printers, copier and paper
# environmental-label products.
GREEN = {
    "GD-A02010104-000001": "both",
    "GD-A02010104-000002": "energy_saving",
    "GD-A0206180201-000001": "energy_saving",
    "GD-A0206180202-000001": "energy_saving",
    "GD-A0201060102-000001": "environmental",
    "GD-A020201-000001": "environmental",
    "GD-A080101-000001": "environmental",
}

# supplier, goods code, price, stock, regions
LISTINGS = (
    (MEIZHOU_SUPPLIER, "GD-A0201060102-000001", "1420.00", 40, ["441400"]),
    (MEIZHOU_SUPPLIER, "GD-A0201060102-000002", "3450.00", 15, ["441400"]),
    (MEIZHOU_SUPPLIER, "GD-A020204-000001", "2180.00", 30, ["441400"]),
    (MEIZHOU_SUPPLIER, "GD-A020201-000001", "17600.00", 6, ["441400"]),
    (MEIZHOU_SUPPLIER, "GD-A020201-000002", "30500.00", 3, ["441400"]),
    (MEIZHOU_SUPPLIER, "GD-A060201-000001", "1520.00", 60, ["441400"]),
    (MEIZHOU_SUPPLIER, "GD-A060301-000001", "640.00", 120, ["441400"]),
    (MEIZHOU_SUPPLIER, "GD-A060501-000001", "1250.00", 45, ["441400"]),
    (MEIZHOU_SUPPLIER, "GD-A080101-000001", "158.00", 500, ["441400"]),
    (MEIZHOU_SUPPLIER, "GD-A0901-000001", "398.00", 200, ["441400"]),
    (MEIZHOU_SUPPLIER, "GD-A02021101-000001", "1150.00", 20, ["441400"]),
    (XINGNING_SUPPLIER, "GD-A02010104-000001", "5050.00", 25, ["441481"]),
    (XINGNING_SUPPLIER, "GD-A02010104-000002", "4180.00", 40, ["441481"]),
    (XINGNING_SUPPLIER, "GD-A02010105-000001", "6280.00", 12, ["441481"]),
    (XINGNING_SUPPLIER, "GD-A02010202-000001", "2450.00", 18, ["441481"]),
    (XINGNING_SUPPLIER, "GD-A0201060102-000001", "1460.00", 20, ["441481"]),
    (XINGNING_SUPPLIER, "GD-A0206180201-000001", "3380.00", 30, ["441481"]),
    (XINGNING_SUPPLIER, "GD-A0206180202-000001", "8450.00", 8, ["441481"]),
)


async def load_catalogue() -> None:
    """The shipped catalogue through the categories import (parents first, idempotent)."""
    with tempfile.TemporaryDirectory(prefix="gpcloud-catalogue-") as out:
        summary = await run_import(CATEGORIES_SPEC, CATALOGUE, PROVINCE, Path(out))
    if summary.report:
        raise RuntimeError(f"the shipped catalogue has rejected rows: {summary.counts}")


async def seed() -> None:
    with use_scope((await tenant_tree()).scope_for(PROVINCE)):
        await load_catalogue()
        async with transaction():
            known = {r["code"] for r in await GoodsItem.select(GoodsItem.code)}
            for code, category, name, brand, model, unit, price, specs in GOODS:
                if code not in known:
                    await items.create_item(
                        None,
                        items.GoodsItemInput(
                            code=code,
                            category_code=category,
                            name=name,
                            brand=brand,
                            model=model,
                            specs=specs,
                            unit=unit,
                            reference_price=Decimal(price),
                        ),
                    )
            for code, label in GREEN.items():
                await GoodsItem.update({GoodsItem.green_label: label}).where(
                    (GoodsItem.code == code) & (GoodsItem.green_label == "")
                )
            goods = {
                r["code"]: r["id"] for r in await GoodsItem.select(GoodsItem.id, GoodsItem.code)
            }
            names = sorted({supplier for supplier, *_ in LISTINGS})
            orgs = {
                r["name"]: r["id"]
                for r in await Organisation.select(Organisation.id, Organisation.name).where(
                    Organisation.name.is_in(names) & (Organisation.kind == "supplier")
                )
            }
            for supplier, code, price, stock, regions in LISTINGS:
                if supplier not in orgs:  # the core demo accounts were not seeded
                    continue
                if await SupplierListing.exists().where(
                    (SupplierListing.organisation == orgs[supplier])
                    & (SupplierListing.goods_item == goods[code])
                ):
                    continue
                await listings.create_listing(
                    None,
                    listings.ListingInput(
                        organisation_id=orgs[supplier],
                        goods_item_id=goods[code],
                        price=Decimal(price),
                        stock=stock,
                        regions=regions,
                    ),
                )
