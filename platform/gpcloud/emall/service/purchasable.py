"""Directly purchasable (可直购): what a listing must be for a purchaser of a region to order it
by direct purchase now, as one list of rules, each a SQL condition on the listing's row.

The order (orders.place) and the catalogue search (supplierListings' directPurchase filter,
asked through gpcloud.domains.DIRECT_PURCHASE) both read this list, so a listing the search
returns is one the order accepts, and the reason an order is refused is the rule it failed:

| rule | error | defined in |
|---|---|---|
| offered, of an item still listed | LISTING_NOT_LIVE | goods: conditions.live |
| serves the region or a region above it | NOT_SERVED | goods: conditions.serving |
| not held by a price alert or a pending listing review | PRICE_UNDER_REVIEW | prices.not_held |
| the quantity at its price within the region's direct-purchase cap | OVER_MODE_CAP | common.cap_fen |
| the quantity in stock | OUT_OF_STOCK | goods: conditions.in_stock |

What depends on the purchase rather than the listing is checked by the order alone: the
comparison of makers above the band (a listing above it stays purchasable, with a comparison),
the plan line's balance and the splitting sums of the unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpcloud.core.errors import DomainError
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.emall.service import prices
from gpcloud.emall.service.common import cap_error, cap_fen
from gpcloud.registries.goods.service import conditions as goods

MODE = "direct_purchase"


@dataclass(frozen=True)
class Rule:
    code: str
    message: str
    field: str
    condition: object  # a piccolo combinable over "goods_listing"

    def error(self) -> DomainError:
        return DomainError(self.code, self.message, self.field)


async def rules(region: str, quantity: int = 1, selective: bool = True) -> list[Rule]:
    """The rules for `quantity` units ordered by a purchaser of `region`, in the order an order
    meets them; `selective`: the search has another selective filter (see goods' serving)."""
    cap = await cap_fen(region, MODE)  # first: the region's config read covers the province's
    found = [
        Rule("LISTING_NOT_LIVE", "the listing is withdrawn", "listingId", goods.live()),
        Rule(
            "NOT_SERVED",
            "the listing does not deliver to your region",
            "listingId",
            await goods.serving(region, selective),
        ),
        Rule(
            "PRICE_UNDER_REVIEW",
            "the listing's price is held for review",
            "listingId",
            prices.not_held(await prices.reviews_new_listings()),
        ),
    ]
    if cap is not None:
        # price x quantity <= cap, in fen: the unit price at most cap // quantity fen.
        most = cap // quantity
        found.append(
            Rule(
                "OVER_MODE_CAP",
                f"{quantity} at its price is above the cap of {to_yuan(cap)} yuan",
                "quantity",
                goods.priced_at_most(to_yuan(most)),
            )
        )
    found.append(
        Rule(
            "OUT_OF_STOCK",
            f"the listing has fewer than {quantity} in stock",
            "quantity",
            goods.in_stock(quantity),
        )
    )
    return found


async def search_conditions(region: str, selective: bool) -> list:
    """The catalogue search's filter: every rule for one unit (gpcloud.domains.DIRECT_PURCHASE)."""
    return [rule.condition for rule in await rules(region, 1, selective)]


async def comparable(listing_ids: list[int], region: str) -> set[int]:
    """Of the listings, those live and serving the region (the first two rules): what a
    comparison of makers above the band may count."""
    found = [r for r in await rules(region) if r.code in ("LISTING_NOT_LIVE", "NOT_SERVED")]
    met = await goods.meets(listing_ids, [r.condition for r in found])
    return {listing for listing, oks in met.items() if all(oks)}


async def check(offer: dict, region: str, quantity: int) -> None:
    """Refuse the order of `quantity` of the listing `offer` (goods' mall.offer) with the first
    rule it fails, checked in one statement, saying why."""
    found = await rules(region, quantity)
    met = (await goods.meets([offer["id"]], [r.condition for r in found])).get(offer["id"])
    for rule, ok in zip(found, met or [False] * len(found), strict=True):
        if ok:
            continue
        if rule.code == "PRICE_UNDER_REVIEW":
            alert = await prices.blocking(offer["id"], offer["price"])
            reason = alert["reason"] if alert else ""
            raise DomainError(
                "PRICE_UNDER_REVIEW",
                f"the listing's price is held for review: {reason}",
                rule.field,
            )
        if rule.code == "OVER_MODE_CAP":
            cap = await cap_fen(region, MODE)
            raise cap_error(to_fen(offer["price"]) * quantity, cap or 0, MODE)
        raise rule.error()
