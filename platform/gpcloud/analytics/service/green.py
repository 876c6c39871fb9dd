"""Green purchasing (节能环保产品): how much of a process's purchases of registry goods went to
goods the registry marks as certified energy-saving (节能产品) or environmental-label
(环境标志产品) products (Government Procurement Law art. 9, Implementing Regulation art. 6).

Only a purchase that names its goods item can be judged: an e-mall order placed from a
listing (direct purchase). Tenders, negotiations and the e-mall's other modes record no goods
item, so they are neither green nor in the denominator. The mark is the goods item's as the
registry holds it when the fact is computed (the orders keep no copy); changing a mark moves
the figures at the next rebuild.
"""

from __future__ import annotations

from gpcloud.core.db import any_of
from gpcloud.registries.goods.tables import GoodsItem, SupplierListing

MEASURES = ("listed_fen", "green_fen")


async def load(orders: list[dict]) -> dict[int, str]:
    """{listing id: its goods item's green label ("" when none)} for the orders' listings."""
    ids = sorted({o["listing"] for o in orders if o["listing"] is not None})
    if not ids:
        return {}
    listings = await SupplierListing.select(SupplierListing.id, SupplierListing.goods_item).where(
        any_of(SupplierListing.id, ids)
    )
    labels = {
        r["id"]: r["green_label"]
        for r in await GoodsItem.select(GoodsItem.id, GoodsItem.green_label).where(
            any_of(GoodsItem.id, sorted({r["goods_item"] for r in listings}))
        )
    }
    return {r["id"]: labels.get(r["goods_item"], "") for r in listings}


def measure(m: dict, labels: dict[int, str], orders: list[dict]) -> None:
    for o in orders:
        label = labels.get(o["listing"]) if o["listing"] is not None else None
        if label is None:
            continue  # no goods item named
        m["listed_fen"] += o["amount_fen"]
        if label:
            m["green_fen"] += o["amount_fen"]
