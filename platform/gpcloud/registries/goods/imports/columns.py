"""The goods registry's own cell parsers (codes, prices, specs, regions); the common ones are in
gpcloud.core.imports.columns."""

from __future__ import annotations

import re

from gpcloud.core.imports import columns as p
from gpcloud.core.imports.spec import ImportRow
from gpcloud.registries.goods.service import categories, items
from gpcloud.registries.goods.service.common import MAX_PRICE

SPEC_SEPARATORS = re.compile(r"[;；\n]")
REGION_SEPARATORS = re.compile(r"[;；,，\s]+")


def category_code(value: str) -> str:
    value = value.upper()
    if not categories.CODE.fullmatch(value):
        raise ValueError("A, B or C followed by two digits per level, e.g. A02010104")
    return value


def goods_code(value: str) -> str:
    value = value.upper()
    if not items.ITEM_CODE.fullmatch(value):
        raise ValueError("3 to 40 letters, digits or '-', e.g. GD-A02010104-000123")
    return value


def price(value: str):
    amount = p.money(value)
    if amount <= 0 or amount > MAX_PRICE:
        raise ValueError("an amount in yuan above 0")
    return amount


def specs(value: str) -> dict:
    """'CPU=8核; 内存=16GB' -> {"CPU": "8核", "内存": "16GB"}."""
    found = {}
    for part in SPEC_SEPARATORS.split(value):
        if not part.strip():
            continue
        name, sep, content = part.replace("＝", "=").partition("=")
        if not sep or not name.strip():
            raise ValueError('name=value pairs separated by ";", e.g. CPU=8核; 内存=16GB')
        found[name.strip()] = content.strip()
    problem = items.specs_problem(found)
    if problem is not None:
        raise ValueError(problem.message)
    return found


def regions(value: str) -> list[str]:
    codes = [c for c in REGION_SEPARATORS.split(value) if c]
    if not codes or any(not (c.isdigit() and len(c) == 6) for c in codes):
        raise ValueError('six-digit region codes separated by ";", e.g. 441400;441481')
    return sorted(set(codes))


GREEN_LABEL = p.choice(
    {
        "none": "",
        "无": "",
        "energy_saving": "energy_saving",
        "节能产品": "energy_saving",
        "environmental": "environmental",
        "环境标志产品": "environmental",
        "both": "both",
        "节能产品和环境标志产品": "both",
    }
)
ACTIVE_INACTIVE = p.choice(
    {
        "active": "active",
        "有效": "active",
        "启用": "active",
        "正常": "active",
        "inactive": "inactive",
        "停用": "inactive",
        "无效": "inactive",
    }
)
LISTING_STATUS = p.choice(
    {
        "active": "active",
        "有效": "active",
        "上架": "active",
        "正常": "active",
        "withdrawn": "withdrawn",
        "撤回": "withdrawn",
        "下架": "withdrawn",
    }
)


def changed(row: ImportRow, current: dict, keys: tuple[str, ...]) -> dict:
    """What the row changes; an empty optional cell means "keep", not "erase"."""
    return {
        k: row.values[k] for k in keys if row.values[k] is not None and row.values[k] != current[k]
    }
