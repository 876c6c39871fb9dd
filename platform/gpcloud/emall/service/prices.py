"""Price monitoring: each live listing against the median of the same item's other listings and
against its own earlier price. Above the tolerance (`emall_price_tolerance`, the province's) a
price alert is raised; the listing cannot be bought by direct purchase at that price until the
operating centre clears the alert. The supplier sees the alert and why.

Where the province reviews new listings (`emall.review_new_listings`, 上架审核), a listing is
not bought until the operating centre cleared its first review: monitoring raises it (basis
`new`) the first time it sees the listing, and until then the listing waits for it.

An alert is about a price: when the supplier changes the price, the next run closes the alerts
of the old one (superseded) and judges the new one afresh.

Live reference prices (a market feed) come from the province's approved plugins through the
hook gpcloud_reference_prices, once per batch and before its transaction (a feed is slow and
may fail: the failure is logged and monitoring goes on with the median and the history).
Imported reference prices (the `reference_prices` file, emall/imports.py) are read in the
batch: the one in force on the monitoring day for the item in the supplier's region, the
nearest region first (county, city, province). Where both a feed and a file give one, the
lower is the basis (the stricter: one alert per price and basis); the alert names its source
(basis_source) and the reason says it, so the supplier sees why.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from statistics import median

from piccolo.columns.combination import WhereRaw

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now, today
from gpcloud.core.db import any_of, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.plugins.calling import Failure
from gpcloud.core.plugins.hooks import tenant_context, tenant_hooks
from gpcloud.core.tenancy.config import effective_config
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.service.common import rule_value
from gpcloud.emall.service.machines import PRICE_ALERT
from gpcloud.emall.tables import ListingPrice, PriceAlert, ReferencePrice
from gpcloud.registries.goods.service import mall as goods
from gpcloud.registries.goods.service.conditions import LISTING_ID, PRICE_FEN

log = logging.getLogger("gpcloud.emall")
PROVINCE = "440000"
BLOCKING = ("open", "upheld")
AWAITING_REVIEW = "新上架商品，待运营机构审核后方可直购"


async def reviews_new_listings() -> bool:
    return bool(
        (await effective_config(PROVINCE)).values.get("emall", {}).get("review_new_listings")
    )


def _holding_alert(listing, price_fen) -> WhereRaw:
    """An alert that holds the listing at the price: open or upheld, on that price, or its
    first review (basis `new`: of the listing, whatever its price). `listing` and `price_fen`
    are values, or SQL (the listing's row in the catalogue search)."""
    return WhereRaw(
        '"mall_price_alert"."listing" = {} AND ("mall_price_alert"."price_fen" = {} '
        'OR "mall_price_alert"."basis" = \'new\') AND "mall_price_alert"."status" IN '
        f"({', '.join(repr(s) for s in BLOCKING)})",
        listing,
        price_fen,
    )


def _seen(listing) -> WhereRaw:
    """Monitoring has seen the listing (it has a price history)."""
    return WhereRaw('"mall_listing_price"."listing" = {}', listing)


def not_held(review_new: bool):
    """The listing's row (goods' LISTING_ID and PRICE_FEN) is held by nothing `blocking` would
    name: the same rule as one SQL condition, for the catalogue search."""
    free = WhereRaw(
        'NOT EXISTS (SELECT 1 FROM "mall_price_alert" WHERE {})',
        _holding_alert(LISTING_ID, PRICE_FEN).querystring,
    )
    if not review_new:
        return free
    return free & WhereRaw(
        'EXISTS (SELECT 1 FROM "mall_listing_price" WHERE {})', _seen(LISTING_ID).querystring
    )


async def blocking(listing_id: int, price: Decimal) -> dict | None:
    """What holds the listing at this price, if anything: an alert on the price, or (where new
    listings are reviewed) its first review not cleared, or not yet raised because monitoring
    has not seen the listing."""
    alert = await PriceAlert.select().where(_holding_alert(listing_id, to_fen(price))).first()
    if alert is not None or not await reviews_new_listings():
        return alert
    seen = await ListingPrice.exists().where(_seen(listing_id))
    return None if seen else {"reason": AWAITING_REVIEW}


async def holding_alerts(listing_ids: list[int]) -> list[dict | None]:
    """Each listing's alert that holds it at its current price (open or upheld; or its first
    review), the latest where several do: one statement for the page. Who may see it is the
    caller's to decide (the goods registry's field)."""
    if not listing_ids:
        return []
    marks = ", ".join("{}" for _ in listing_ids)
    holding = _holding_alert(LISTING_ID, PRICE_FEN).querystring
    rows = await PriceAlert.raw(
        'SELECT "mall_price_alert".* FROM "mall_price_alert" JOIN "goods_listing" ON '
        '"goods_listing"."id" = "mall_price_alert"."listing" WHERE "goods_listing"."id" IN '
        f'({marks}) AND {{}} ORDER BY "mall_price_alert"."id"',
        *listing_ids,
        holding,
    )
    latest = {r["listing"]: r for r in rows}
    return [latest.get(i) for i in listing_ids]


def _over(price_fen: int, basis_fen: int, tolerance: int) -> bool:
    return price_fen * 100 > basis_fen * (100 + tolerance)


@dataclass
class References:
    """The live reference prices of a batch's items: {goods item: (fen, plugin)}."""

    prices: dict[int, tuple[int, str]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)


def _fen(value: object) -> int | None:
    try:
        price = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not price.is_finite() or price <= 0 or price != price.quantize(Decimal("0.01")):
        return None
    return to_fen(price)


async def reference_prices(offers: list[dict]) -> References:
    """Ask the province's approved feeds (gpcloud_reference_prices) for the offers' items."""
    hooks = await tenant_hooks(PROVINCE)
    items = {
        o["item_code"]: (
            o["goods_item"],
            {
                "code": o["item_code"],
                "name": o["item_name"],
                "brand": o["brand"],
                "model": o["model"],
                "unit": o["unit"],
                "category_code": o["category"],
            },
        )
        for o in offers
    }
    if not hooks.active or not items:
        return References()
    outcome = await asyncio.to_thread(
        hooks.call_robust,
        "gpcloud_reference_prices",
        tenant=await tenant_context(PROVINCE),
        items=[item for _, item in items.values()],
    )
    found = References(failures=outcome.failures)
    answer = outcome.answers
    if answer is None:
        return found
    if not isinstance(answer.value, dict):
        log.warning("gpcloud_reference_prices: plugin %s answered no dict", answer.plugin)
        return found
    for code, value in answer.value.items():
        fen = _fen(value)
        if code not in items or fen is None:
            log.warning(
                "gpcloud_reference_prices: plugin %s: ignored %r for %r", answer.plugin, value, code
            )
            continue
        found.prices[items[code][0]] = (fen, answer.plugin)
    return found


@dataclass(frozen=True)
class Imported:
    """An imported reference price in force: what a listing is compared with, and whence."""

    fen: int
    source: str
    region: str


async def imported_references(offers: list[dict], day) -> dict[int, Imported]:
    """{listing: the imported reference price in force on `day` for its item in its supplier's
    region}: the nearest region that has one (county, then city, then province); there, the
    latest valid_from, and of equals the lowest price (the strictest survey)."""
    if not offers:
        return {}
    tree = await tenant_tree()
    chains = {
        o["id"]: [o["supplier_region"], *tree.ancestors(o["supplier_region"])] for o in offers
    }
    rows = await ReferencePrice.select(
        ReferencePrice.goods_item,
        ReferencePrice.region,
        ReferencePrice.source,
        ReferencePrice.valid_from,
        ReferencePrice.price_fen,
    ).where(
        any_of(ReferencePrice.goods_item, sorted({o["goods_item"] for o in offers}))
        & any_of(ReferencePrice.region, sorted({r for c in chains.values() for r in c}))
        & (ReferencePrice.valid_from <= day)
        & (ReferencePrice.valid_to.is_null() | (ReferencePrice.valid_to >= day))
    )
    best: dict[tuple[int, str], dict] = {}
    for row in rows:
        key = (row["goods_item"], row["region"])
        held = best.get(key)
        if held is None or (row["valid_from"], -row["price_fen"]) > (
            held["valid_from"],
            -held["price_fen"],
        ):
            best[key] = row
    found = {}
    for offer in offers:
        for region in chains[offer["id"]]:
            row = best.get((offer["goods_item"], region))
            if row is not None:
                found[offer["id"]] = Imported(row["price_fen"], row["source"], region)
                break
    return found


def _reference(live: tuple[int, str] | None, imported: Imported | None, names) -> tuple | None:
    """The reference a listing is held to: (fen, source, why), the lower of the feed's and the
    file's."""
    options = []
    if live is not None:
        options.append((live[0], live[1], f"高于实时参考价（来源：{live[1]}）"))
    if imported is not None:
        options.append(
            (
                imported.fen,
                imported.source,
                f"高于参考价（来源：{imported.source}，适用区域：{names(imported.region)}）",
            )
        )
    return min(options, key=lambda o: o[0]) if options else None


async def check(listing_ids: list[int], failures: list[Failure] | None = None) -> list[dict]:
    """Judge these listings' current prices; the alerts raised (one transaction). A failing
    reference feed is appended to `failures` when given."""
    tolerance = int(await rule_value("emall_price_tolerance", PROVINCE))
    review_new = await reviews_new_listings()
    offers = await goods.offers(listing_ids)
    live = [o for o in offers.values() if o["status"] == "active"]
    references = await reference_prices(live)
    if failures is not None:
        failures += references.failures
    names = (await tenant_tree()).name_of
    raised = []
    async with transaction():
        imported = await imported_references(live, today())
        peers = await goods.item_prices([o["goods_item"] for o in offers.values()])
        for listing_id, offer in sorted(offers.items()):
            if offer["status"] != "active":
                continue
            price = to_fen(offer["price"])
            for old in await PriceAlert.select().where(
                (PriceAlert.listing == listing_id)
                & (PriceAlert.status == "open")
                & (PriceAlert.price_fen != price)
                & (PriceAlert.basis != "new")  # a new listing's review is of the listing
            ):
                await PRICE_ALERT.move(None, old, "supersede", detail={"price": price})
            last = (
                await ListingPrice.select(ListingPrice.price_fen)
                .where(ListingPrice.listing == listing_id)
                .order_by(ListingPrice.id, ascending=False)
                .first()
            )
            others = [to_fen(p) for i, p in peers[offer["goods_item"]] if i != listing_id]
            findings: list[tuple[str, int, str, str]] = []  # basis, its fen, why, source
            if review_new and last is None:
                findings.append(("new", price, "为新上架商品", ""))
            if others:
                middle = int(median(others))
                if _over(price, middle, tolerance):
                    findings.append(
                        ("median", middle, f"高于同一商品其他{len(others)}个报价的中位数", "")
                    )
            if last is not None and _over(price, last["price_fen"], tolerance):
                findings.append(("history", last["price_fen"], "高于本报价此前的价格", ""))
            reference = _reference(
                references.prices.get(offer["goods_item"]), imported.get(listing_id), names
            )
            if reference is not None and _over(price, reference[0], tolerance):
                findings.append(("reference", reference[0], reference[2], reference[1]))
            if last is None or last["price_fen"] != price:
                await ListingPrice.insert(ListingPrice(listing=listing_id, price_fen=price))
            for basis, basis_fen, why, source in findings:
                if await PriceAlert.exists().where(
                    (PriceAlert.listing == listing_id)
                    & (PriceAlert.price_fen == price)
                    & (PriceAlert.basis == basis)
                ):
                    continue
                reason = (
                    f"报价 {to_yuan(price)} 元{why}，待运营机构审核"
                    if basis == "new"
                    else f"报价 {to_yuan(price)} 元{why}（{to_yuan(basis_fen)} 元）超过 "
                    f"{tolerance}%，待运营机构审核"
                )
                row = PriceAlert(
                    listing=listing_id,
                    goods_item=offer["goods_item"],
                    supplier_organisation=offer["organisation"],
                    price_fen=price,
                    basis=basis,
                    basis_fen=basis_fen,
                    basis_source=source,
                    tolerance_percent=tolerance,
                    reason=reason,
                    raised_on=today(),
                )
                await row.save()
                alert = await PriceAlert.select().where(PriceAlert.id == row.id).first()
                await PRICE_ALERT.created(alert, {"listing": listing_id, "basis": basis}, "raise")
                raised.append(alert)
    return raised


async def monitor(batch: int = 500, failures: list[Failure] | None = None) -> int:
    """Every live listing, a batch per transaction; how many alerts were raised (the job).
    Failing reference feeds are appended to `failures` when given."""
    raised, after = 0, 0
    while ids := await goods.active_listing_ids(after, batch):
        raised += len(await check(ids, failures))
        after = ids[-1]
    return raised


@requires(Perm.MALL_PRICE_REVIEW)
async def review(actor: CurrentUser, alert_id: int, clear: bool, note: str) -> dict:
    """The operating centre clears an alert (the price is reasonable: buyable again) or upholds
    it (the listing stays unbuyable at this price)."""
    if not note.strip():
        raise DomainError("REASON_REQUIRED", "say why", "note")
    async with transaction():
        row = await PriceAlert.select().where(PriceAlert.id == alert_id).first()
        if row is None:
            raise NotFound("price alert", alert_id)
        return await PRICE_ALERT.move(
            actor,
            row,
            "clear" if clear else "uphold",
            {
                PriceAlert.reviewed_by: actor.id,
                PriceAlert.review_note: note.strip(),
                PriceAlert.updated_at: now(),
            },
            {"note": note.strip()},
        )


async def search(
    actor: CurrentUser, status: str | None, first: int | None, after: str | None
) -> Page:
    """The operating centre: every alert; a supplier: its own listings' (to see why)."""
    query = PriceAlert.select()
    if not actor.can(Perm.MALL_PRICE_REVIEW):
        query = query.where(PriceAlert.supplier_organisation == actor.organisation_id)
    if status:
        query = query.where(PriceAlert.status == status)
    return await keyset_page(query, PriceAlert.id, first, after)
