"""Realistic registry files at volume, for the import and search benchmarks.

Deterministic (seeded) so two runs measure the same data. Names are synthetic; credit codes
and resident ID numbers carry valid check characters but belong to nobody.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from gpcloud.core.validation import uscc_check_char

CITIES = [
    "440100",
    "440200",
    "440400",
    "440500",
    "440600",
    "440700",
    "440800",
    "440900",
    "441200",
    "441300",
    "441400",
    "441500",
    "441600",
    "441700",
    "441800",
    "441900",
    "442000",
    "445100",
    "445200",
    "445300",
]
MEIZHOU = ["441400", "441402", "441403", "441422", "441423", "441424", "441426", "441427", "441481"]
REGIONS = CITIES + MEIZHOU[1:]
WORDS = [
    "华岭",
    "嘉应",
    "客都",
    "宁江",
    "粤东",
    "梅江",
    "合水",
    "兴城",
    "南粤",
    "岭南",
    "五华",
    "平远",
    "蕉岭",
    "丰顺",
    "大埔",
    "叶塘",
    "罗浮",
    "韩江",
    "梅州",
    "东山",
]
TRADES = [
    "办公设备",
    "电子科技",
    "信息技术",
    "建筑工程",
    "物业管理",
    "医疗器械",
    "家具制造",
    "印刷",
    "文化传媒",
    "环保科技",
    "安防工程",
    "会议服务",
]
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def uscc(prefix: str, region: str, seq: int) -> str:
    head = f"{prefix}{region}MA{seq:07d}"
    return head + uscc_check_char(head)


def id_number(region: str, birth: date, seq: int) -> str:
    head = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    total = sum(int(ch) * w for ch, w in zip(head, ID_WEIGHTS, strict=True))
    return head + "10X98765432"[total % 11]


def company(rng: random.Random, seq: int) -> str:
    return f"{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司{seq}"


def write(path: Path, header: list[str], rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def purchasers(folder: Path, tenant: str, count: int, start: int) -> Path:
    rng = random.Random(f"purchasers-{tenant}")
    rows = []
    for i in range(count):
        seq = start + i
        parent = f"P{start + (i // 50) * 50:07d}" if i % 50 else ""
        rows.append(
            [
                f"P{seq:07d}",
                f"{rng.choice(WORDS)}{rng.choice(['教育局', '卫生院', '中学', '小学', '街道办事处', '水务局'])}{seq}",
                uscc("12", tenant, seq),
                parent,
                "0753-3000000",
            ]
        )
    return write(
        folder / f"purchasers-{tenant}.csv",
        ["budget_unit_code", "name", "uscc", "parent_budget_unit_code", "contact_phone"],
        rows,
    )


def suppliers(folder: Path, count: int) -> Path:
    rng = random.Random("suppliers")
    sizes = ["large", "medium", "small", "small", "micro", "micro"]
    rows = (
        [
            uscc("91", region, i),
            company(rng, i),
            region,
            rng.choice(sizes),
            f"示例地址{i}号",
            "示例联系人",
            "0753-3000000",
            f"4A{i:08X}",
            "广东省电子商务认证有限公司",
            "2027-12-31",
        ]
        for i in range(count)
        for region in (rng.choice(REGIONS),)
    )
    return write(
        folder / "suppliers.csv",
        [
            "uscc",
            "name",
            "region_code",
            "size_class",
            "address",
            "contact_name",
            "contact_phone",
            "ca_serial",
            "ca_issuer",
            "ca_valid_until",
        ],
        rows,
    )


def agencies(folder: Path, count: int) -> Path:
    rng = random.Random("agencies")
    rows = (
        [
            uscc("91", region, 5_000_000 + i),
            f"{rng.choice(WORDS)}招标代理有限公司{i}",
            region,
            region if region.endswith("00") else f"{region};{region[:4]}00",
            "业务部",
            "0753-3000000",
            f"5B{i:08X}",
            "广东数字证书认证中心",
            "2027-12-31",
        ]
        for i in range(count)
        for region in (rng.choice(MEIZHOU[1:] + CITIES),)
    )
    return write(
        folder / "agencies.csv",
        [
            "uscc",
            "name",
            "region_code",
            "tenants",
            "contact_name",
            "contact_phone",
            "ca_serial",
            "ca_issuer",
            "ca_valid_until",
        ],
        rows,
    )


def experts(folder: Path, count: int, categories: list[str]) -> Path:
    rng = random.Random("experts")
    titles = [
        ("senior", "正高级工程师", 10),
        ("deputy_senior", "高级工程师", 8),
        ("intermediate", "工程师", 9),
    ]
    rows = []
    for i in range(count):
        region = rng.choice(MEIZHOU + CITIES)
        birth = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 30))
        level, title, years = rng.choice(titles)
        specialties = ";".join(rng.sample(categories, 3))
        regions = ";".join(sorted({region[:4] + "00", rng.choice(CITIES)}))
        rows.append(
            [
                id_number(region, birth, i),
                f"示例专家{i:05d}",
                level,
                title,
                years + rng.randrange(15),
                "示例单位",
                "13800000000",
                specialties,
                regions,
            ]
        )
    return write(
        folder / "experts.csv",
        [
            "id_number",
            "name",
            "title_level",
            "title",
            "years_of_experience",
            "employer",
            "phone",
            "specialties",
            "regions",
        ],
        rows,
    )


def goods(folder: Path, count: int, categories: list[str]) -> Path:
    rng = random.Random("goods")
    rows = (
        [
            f"GD-{category}-{i:06d}",
            category,
            f"示例商品{i}",
            rng.choice(WORDS),
            f"M{i}",
            "台",
            f"{rng.randrange(500, 20000)}.00",
            "颜色=黑;保修=3年",
        ]
        for i in range(count)
        for category in (rng.choice(categories),)
    )
    return write(
        folder / "goods.csv",
        ["code", "category_code", "name", "brand", "model", "unit", "reference_price", "specs"],
        rows,
    )


def listings(
    folder: Path, count: int, supplier_usccs: list[str], goods_codes: list[tuple[str, int]]
) -> Path:
    """Unique (supplier, goods) pairs; prices at 80-100% of the reference price."""
    rng = random.Random("listings")
    per_supplier = max(1, count // len(supplier_usccs) + 1)
    rows, made = [], 0
    for supplier in supplier_usccs:
        for code, reference in rng.sample(goods_codes, min(per_supplier, len(goods_codes))):
            if made == count:
                break
            price = reference * rng.randrange(80, 101) // 100
            rows.append(
                [
                    supplier,
                    code,
                    f"{price}.00",
                    rng.randrange(100),
                    ";".join(rng.sample(MEIZHOU, 2)),
                ]
            )
            made += 1
        if made == count:
            break
    return write(
        folder / "listings.csv", ["supplier_uscc", "goods_code", "price", "stock", "regions"], rows
    )
