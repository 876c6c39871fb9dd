"""The engine's single rules, each a small pure function: arithmetic corrections, policy price
deductions, the abnormally low price trigger, outlier scores, and the ranking's ties."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gpcloud.evaluation.scoring_inputs import CENT, HUNDRED, ZERO, Bid, Bounds, Documents


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


points = money  # scores are stated to 2 places as well


@dataclass(frozen=True)
class Correction:
    """An arithmetic correction (Order 87 art. 59, unverified text): `rule` is "words" (the
    amount in words prevails over figures) or "unit_prices" (the sum of quantity x unit price
    prevails over the total); binding only once the bidder confirms it."""

    bid_id: str
    rule: str
    stated: Decimal
    corrected: Decimal


def corrections(bid: Bid) -> list[Correction]:
    """Art. 59 applies its rules in order, each to the result of the one before."""
    found = []
    price = bid.price
    if bid.price_in_words is not None and bid.price_in_words != price:
        found.append(Correction(bid.bid_id, "words", price, bid.price_in_words))
        price = bid.price_in_words
    if bid.line_items:
        summed = money(sum((q * unit for q, unit in bid.line_items), ZERO))
        if summed != price:
            found.append(Correction(bid.bid_id, "unit_prices", price, summed))
    return found


@dataclass(frozen=True)
class Deduction:
    """A policy price deduction applied to a bid: `kind` small_micro | consortium | domestic."""

    kind: str
    rate: Decimal


def deductions(bid: Bid, documents: Documents, bounds: Bounds) -> list[Deduction]:
    """What the bid earns of the documents' rates. Small/micro (Caiku [2022] 19) and the
    consortium/subcontracting deduction exclude each other: the latter is for a bid that is
    not wholly small/micro but gives them at least the rule set's share of the contract."""
    found = []
    if bid.small_micro and documents.small_micro_deduction > ZERO:
        found.append(Deduction("small_micro", documents.small_micro_deduction))
    elif (
        not bid.small_micro
        and documents.consortium_deduction > ZERO
        and bid.small_micro_share >= bounds.consortium_share_min
    ):
        found.append(Deduction("consortium", documents.consortium_deduction))
    if bid.domestic and documents.domestic_preference > ZERO:
        found.append(Deduction("domestic", documents.domestic_preference))
    return found


def evaluated_price(price: Decimal, applied: Sequence[Deduction]) -> Decimal:
    """The price the evaluation compares: each deduction in turn, to the cent. How two
    deductions combine is not stated in the texts at hand (unverified): one after the other."""
    for deduction in applied:
        price = price * (HUNDRED - deduction.rate) / HUNDRED
    return money(price)


def abnormally_low(prices: dict[str, Decimal], bounds: Bounds) -> dict[str, list[str]]:
    """Bids whose price is far below the others' (Order 87 art. 60 names no number; the rule
    set's triggers): {bid: [the triggers it met]}. Compared among the valid bids' prices."""
    flagged: dict[str, list[str]] = {}
    if len(prices) < 2:
        return flagged
    total = sum(prices.values(), ZERO)
    ordered = sorted(prices.values())
    for bid_id, price in prices.items():
        reasons = []
        mean_others = (total - price) / (len(prices) - 1)
        if bounds.below_mean_of_others is not None and mean_others > ZERO:
            below = (mean_others - price) / mean_others * HUNDRED
            if below >= bounds.below_mean_of_others:
                reasons.append(f"{money(below)}% below the mean of the others")
        higher = [p for p in ordered if p > price]
        if bounds.below_next is not None and higher:
            below = (higher[0] - price) / higher[0] * HUNDRED
            if below >= bounds.below_next:
                reasons.append(f"{money(below)}% below the next")
        if reasons:
            flagged[bid_id] = reasons
    return flagged


def quartiles(values: Sequence[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """Q1, median, Q3 by linear interpolation between order statistics (statistics.quantiles'
    "inclusive" method), exact in Decimal."""
    ordered = sorted(values)
    last = len(ordered) - 1

    def at(q: Decimal) -> Decimal:
        position = q * last
        low = int(position)
        fraction = position - low
        if low >= last:
            return ordered[last]
        return ordered[low] + (ordered[low + 1] - ordered[low]) * fraction

    return at(Decimal("0.25")), at(Decimal("0.5")), at(Decimal("0.75"))


@dataclass(frozen=True)
class Outlier:
    """An expert's total for a bid, or points on an objective criterion, flagged for the chair.
    `criterion` is None for a total."""

    bid_id: str
    expert: str
    criterion: str | None
    score: Decimal
    reason: str


def outlier_totals(
    bid_id: str,
    totals: dict[str, Decimal],
    fence_factor: Decimal | None,
    from_median: Decimal | None,
) -> list[Outlier]:
    if len(totals) < 3:
        return []
    q1, median, q3 = quartiles(list(totals.values()))
    spread = q3 - q1
    found = []
    for expert, total in totals.items():
        reasons = []
        if fence_factor is not None:
            low, high = q1 - fence_factor * spread, q3 + fence_factor * spread
            if total < low or total > high:
                reasons.append(f"outside the quartile fences {points(low)}-{points(high)}")
        if from_median is not None and abs(total - median) > from_median:
            reasons.append(f"{points(abs(total - median))} points from the median {median}")
        if reasons:
            found.append(Outlier(bid_id, expert, None, total, "; ".join(reasons)))
    return found


def competition_ranks(items: Sequence, key: Callable) -> list[int]:
    """Ranks of `items`, already sorted by `key`: equal keys share a rank, the next rank skips
    (1, 1, 3), as tied bids stand side by side (并列)."""
    ranks: list[int] = []
    for index, item in enumerate(items):
        if index and key(item) == key(items[index - 1]):
            ranks.append(ranks[-1])
        else:
            ranks.append(index + 1)
    return ranks
