"""Reference price files (`reference_prices`): the file exchange of price monitoring. One row
is a goods item's unit price in a region from a source for a period
(docs/import-formats/reference-prices.md); price monitoring compares each listing with the one
in force for its supplier's region (emall/service/prices.py).

Keyed by (goods item, region, source, valid from): the same file loaded twice changes nothing,
a later file for the same key updates the price (and the end of the period); an empty
`valid_to` keeps what is registered.
"""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.clock import now
from gpcloud.core.db import any_of
from gpcloud.core.imports import columns as p
from gpcloud.core.imports.columns import CellError
from gpcloud.core.imports.spec import Column, ImportRow, ImportSpec, reason
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.service.prices import PROVINCE
from gpcloud.emall.tables import ReferencePrice
from gpcloud.registries.goods.service import items
from gpcloud.registries.goods.service import mall as goods

KEY = "goods_code+region+source+valid_from"
_ITEM_CODE = p.pattern(
    items.ITEM_CODE.pattern,
    "INVALID_CODE",
    "3 to 40 letters, digits or '-' (e.g. GD-A02010104-000123)",
)
_REGION = p.pattern(r"[0-9]{6}", "INVALID_FORMAT", "a six-digit region code")


def goods_code(value: str) -> str:
    """As the goods import identifies items: the item's code, case-insensitive."""
    return _ITEM_CODE(value.upper())


def unit_price(value: str) -> int:
    """Yuan in the file, fen in the table."""
    fen = p.fen(value)
    if fen <= 0:
        raise CellError("INVALID_PRICE", "a price in yuan above 0")
    return fen


COLUMNS = (
    Column(
        "goods_code",
        "商品编码",
        True,
        goods_code,
        "GD-A02010104-000001",
        "a goods item of the goods registry, by its code (as the goods import names it)",
    ),
    Column(
        "region",
        "适用区域",
        False,
        _REGION,
        "441400",
        "a city or county code; empty: the whole province",
    ),
    Column("price", "参考单价", True, unit_price, "4380.00", "the unit price in yuan, above 0"),
    Column(
        "source",
        "价格来源",
        True,
        p.text(128),
        "广东省价格监测中心",
        "who surveyed the price: a price monitoring centre, a market survey (shown to suppliers)",
    ),
    Column("valid_from", "生效日期", True, p.iso_date, "2026-01-01", "the first day it applies"),
    Column(
        "valid_to",
        "失效日期",
        False,
        p.iso_date,
        "2026-12-31",
        "the last day it applies; empty: until a later price (keeps what is registered)",
    ),
)


def _check_row(row: ImportRow) -> None:
    v = row.values
    v["region"] = v["region"] or PROVINCE
    if v["valid_to"] is not None and v["valid_to"] < v["valid_from"]:
        row.reject(reason("INVALID_PERIOD", "the period ends before it starts", "valid_to", True))
        return
    # The runner finds duplicates within the file by the key's value.
    v[KEY] = f"{v['goods_code']}+{v['region']}+{v['source']}+{v['valid_from']}"


async def apply_batch(rows: list[ImportRow], tenant: str) -> None:
    tree = await tenant_tree()
    items = await goods.items_by_code([r.values["goods_code"] for r in rows])
    existing: dict[tuple, dict] = {}
    if items:
        found = await ReferencePrice.select().where(
            any_of(ReferencePrice.goods_item, [i["id"] for i in items.values()])
        )
        existing = {(r["goods_item"], r["region"], r["source"], r["valid_from"]): r for r in found}
    fresh: list[ReferencePrice] = []
    fresh_rows: list[ImportRow] = []
    for row in rows:
        v = row.values
        item = items.get(v["goods_code"])
        if item is None:
            row.reject(
                reason(
                    "UNKNOWN_GOODS",
                    f"{v['goods_code']} is not in the goods registry",
                    "goods_code",
                    True,
                )
            )
        node = tree.get(v["region"])
        if node is None:
            row.reject(reason("UNKNOWN_REGION", f"no region {v['region']}", "region", True))
        if not row.ok:
            continue
        current = existing.get((item["id"], v["region"], v["source"], v["valid_from"]))
        if current is None:
            fresh.append(
                ReferencePrice(
                    goods_item=item["id"],
                    region=v["region"],
                    source=v["source"],
                    valid_from=v["valid_from"],
                    valid_to=v["valid_to"],
                    price_fen=v["price"],
                )
            )
            fresh_rows.append(row)
            continue
        changes = {}
        if v["price"] != current["price_fen"]:
            changes["price_fen"] = v["price"]
        if v["valid_to"] is not None and v["valid_to"] != current["valid_to"]:
            changes["valid_to"] = v["valid_to"]
        if changes:
            await ReferencePrice.update({**changes, "updated_at": now()}).where(
                ReferencePrice.id == current["id"]
            )
        row.outcome = "updated" if changes else "unchanged"
    if fresh:
        await ReferencePrice.insert(*fresh)
        for row in fresh_rows:
            row.outcome = "created"


SPEC = ImportSpec(
    registry="reference_prices",
    title="参考价格",
    columns=COLUMNS,
    key=KEY,
    apply_batch=apply_batch,
    permission=Perm.MALL_PRICE_REVIEW,
    tenant_owned=False,
    check_row=_check_row,
)
