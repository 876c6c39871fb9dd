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

The most-favoured price (Korea PPS's MAS most-favoured-customer price): a supplier may not list
an item above the lowest price it gave the government for the same item elsewhere on the
platform: its own other live listings of the same product (the same category, brand, model and
unit under another catalogue entry: a supplier has one listing per goods item, which serves all
its regions), its winning quotes in awarded reverse auctions that closed within
`emall_most_favoured_days`, and its maximum unit prices in framework agreements in force. Any
price above it is flagged (basis `most_favoured`, no tolerance), and the alert names the record
(listing, auction or agreement) and its price. One set-based statement per batch
(`most_favoured`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from decimal import Decimal, InvalidOperation
from statistics import median

from piccolo.columns.combination import WhereRaw

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now, start_of, today
from gpcloud.core.db import any_of, in_array, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.plugins.calling import Failure
from gpcloud.core.plugins.hooks import tenant_context, tenant_hooks
from gpcloud.core.tenancy.config import effective_config
from gpcloud.core.tenancy.scope import all_tenants
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


@dataclass(frozen=True)
class Favoured:
    """The lowest price a supplier gave the government for a listing's item elsewhere: its
    fen, the record it came from (kind: listing | auction | agreement, and id) and, in words,
    what that record is."""

    fen: int
    kind: str
    record: int
    label: str


# What the record of each kind is called in the alert (Chinese: the supplier and the operating
# centre read it); of equal prices the listing is named first, then the auction, the agreement.
FAVOURED_KINDS = {
    "listing": "本供应商的商品",
    "auction": "本供应商的竞价成交报价",
    "agreement": "框架协议最高限价",
}
MOST_FAVOURED_SCOPE = (
    "price monitoring: a supplier's own winning quotes and framework agreements in every region "
    "(the most-favoured price)"
)


def _contains(haystack: str, needle: str) -> str:
    """SQL: `needle` occurs in `haystack`, case-insensitively, its LIKE wildcards taken
    literally (both engines)."""
    escaped = f"REPLACE(REPLACE(REPLACE(LOWER({needle}), '!', '!!'), '%', '!%'), '_', '!_')"
    return f"LOWER({haystack}) LIKE '%' || {escaped} || '%' ESCAPE '!'"


def _names_item(text: str) -> str:
    """SQL: the free text (a quote's offer, a designated supplier's item) names the batch
    listing's item: its catalogue code, or both its brand and its model."""
    return (
        f"({_contains(text, 'b.code')} OR (b.brand <> '' AND b.model <> '' AND "
        f"{_contains(text, 'b.brand')} AND {_contains(text, 'b.model')}))"
    )


# One statement for a batch: each listing's lowest candidate of three kinds, all of the
# listing's own supplier. Parameters: the batch's ids, the look-back's first instant, the day
# (twice).
_MOST_FAVOURED_SQL = """
WITH b AS (
    SELECT l.id AS listing, l.organisation AS org, i.id AS item, i.code AS code,
           i.category AS category,
           i.brand AS brand, i.model AS model, i.unit AS unit
    FROM goods_listing l JOIN goods_item i ON i.id = l.goods_item
    WHERE {batch}
),
found AS (
    SELECT b.listing AS listing, CAST(ROUND(l2.price * 100) AS BIGINT) AS fen,
           'listing' AS kind, 1 AS kind_order, l2.id AS record, i2.code AS label
    FROM b
    JOIN goods_item i2 ON i2.model = b.model AND i2.brand = b.brand AND i2.unit = b.unit
      AND i2.category = b.category AND i2.id <> b.item
    JOIN goods_listing l2 ON l2.organisation = b.org AND l2.goods_item = i2.id
    WHERE l2.status = 'active' AND b.model <> ''
    UNION ALL
    SELECT b.listing, q.unit_fen, 'auction', 2, d.id, d.title
    FROM b
    JOIN mall_quote q ON q.supplier_organisation = b.org
    JOIN mall_demand d ON d.id = q.demand AND d.winning_quote = q.id
    WHERE d.status = 'awarded' AND d.closes_at >= {{}} AND d.unit = b.unit
      AND b.category LIKE d.category_code || '%' AND {quote_names}
    UNION ALL
    SELECT b.listing, s.max_unit_fen, 'agreement', 3, a.id, a.title
    FROM b
    JOIN mall_designated_supplier s ON s.supplier_organisation = b.org
    JOIN mall_framework_agreement a ON a.id = s.agreement
    WHERE a.status = 'active' AND a.starts_on <= {{}} AND a.ends_on >= {{}} AND s.unit = b.unit
      AND b.category LIKE a.category_code || '%' AND {agreement_names}
)
SELECT listing, fen, kind, record, label FROM (
    SELECT found.*, ROW_NUMBER() OVER (
        PARTITION BY listing ORDER BY fen, kind_order, record
    ) AS n
    FROM found
) ranked WHERE n = 1
"""


async def most_favoured(listing_ids: list[int], day: date) -> dict[int, Favoured]:
    """{listing: the lowest price its supplier gave the government for its item elsewhere on
    the platform}: its other live listings of the same product (category, brand, model and unit;
    a model is needed), its winning quotes of awarded reverse auctions that closed on or after
    `day` - emall_most_favoured_days (the demand's unit and the item's, the demand's category
    the item's or above, the offer naming the item's code or its brand and model), its maximum
    unit prices in framework agreements in force on `day` (likewise by the designated item's
    text). One statement; listings without any are left out."""
    if not listing_ids:
        return {}
    days = int(await rule_value("emall_most_favoured_days", PROVINCE))
    since = start_of(day - timedelta(days=days)).astimezone(UTC)
    batch_sql, batch = in_array("l.id", sorted(set(listing_ids)))
    sql = _MOST_FAVOURED_SQL.format(
        batch=batch_sql,
        quote_names=_names_item("q.offer"),
        agreement_names=_names_item("s.item"),
    )
    with all_tenants(MOST_FAVOURED_SCOPE):
        rows = await PriceAlert.raw(sql, batch, since, day, day)
    return {
        r["listing"]: Favoured(int(r["fen"]), r["kind"], r["record"], r["label"] or "")
        for r in rows
    }


def _favoured_source(favoured: Favoured) -> str:
    """The record in words: which listing, auction or agreement (basis_source, 128 at most)."""
    noun = FAVOURED_KINDS[favoured.kind]
    if favoured.kind == "listing":
        return f"{noun}（商品编码 {favoured.label}，报价编号 {favoured.record}）"[:128]
    if favoured.kind == "auction":
        return f"{noun}（竞价 {favoured.record}：{favoured.label}）"[:128]
    return f"{noun}（协议 {favoured.record}：{favoured.label}）"[:128]


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


@dataclass(frozen=True)
class Finding:
    """A basis a price is above: the basis, its fen, why in words, its source, the tolerance
    (None: the province's emall_price_tolerance) and the record it came from (most-favoured)."""

    basis: str
    fen: int
    why: str
    source: str = ""
    tolerance: int | None = None
    record_kind: str = ""
    record: int | None = None


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
        favoured = await most_favoured([o["id"] for o in live], today())
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
            findings: list[Finding] = []
            if review_new and last is None:
                findings.append(Finding("new", price, "为新上架商品"))
            if others:
                middle = int(median(others))
                if _over(price, middle, tolerance):
                    findings.append(
                        Finding("median", middle, f"高于同一商品其他{len(others)}个报价的中位数")
                    )
            if last is not None and _over(price, last["price_fen"], tolerance):
                findings.append(Finding("history", last["price_fen"], "高于本报价此前的价格"))
            reference = _reference(
                references.prices.get(offer["goods_item"]), imported.get(listing_id), names
            )
            if reference is not None and _over(price, reference[0], tolerance):
                findings.append(Finding("reference", reference[0], reference[2], reference[1]))
            best = favoured.get(listing_id)
            if best is not None and price > best.fen:  # no tolerance: see the module's doc
                source = _favoured_source(best)
                findings.append(
                    Finding(
                        "most_favoured",
                        best.fen,
                        f"高于本供应商给予政府的最惠价（{source}）",
                        source,
                        0,
                        best.kind,
                        best.record,
                    )
                )
            if last is None or last["price_fen"] != price:
                await ListingPrice.insert(ListingPrice(listing=listing_id, price_fen=price))
            for found in findings:
                if await PriceAlert.exists().where(
                    (PriceAlert.listing == listing_id)
                    & (PriceAlert.price_fen == price)
                    & (PriceAlert.basis == found.basis)
                ):
                    continue
                held = tolerance if found.tolerance is None else found.tolerance
                if found.basis == "new":
                    reason = f"报价 {to_yuan(price)} 元{found.why}，待运营机构审核"
                elif found.basis == "most_favoured":
                    reason = (
                        f"报价 {to_yuan(price)} 元{found.why}（{to_yuan(found.fen)} 元），"
                        "待运营机构审核"
                    )
                else:
                    reason = (
                        f"报价 {to_yuan(price)} 元{found.why}（{to_yuan(found.fen)} 元）超过 "
                        f"{held}%，待运营机构审核"
                    )
                row = PriceAlert(
                    listing=listing_id,
                    goods_item=offer["goods_item"],
                    supplier_organisation=offer["organisation"],
                    price_fen=price,
                    basis=found.basis,
                    basis_fen=found.fen,
                    basis_source=found.source,
                    basis_record_kind=found.record_kind,
                    basis_record=found.record,
                    tolerance_percent=held,
                    reason=reason,
                    raised_on=today(),
                )
                await row.save()
                alert = await PriceAlert.select().where(PriceAlert.id == row.id).first()
                await PRICE_ALERT.created(
                    alert, {"listing": listing_id, "basis": found.basis}, "raise"
                )
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
