"""What the scoring engine (scoring.py) is given: the documents' method, criteria and policy
rates, the bids, each expert's points, and the bounds the law sets (from the rule sets).

Plain frozen dataclasses, no database: the evaluation's services read the rows and build these,
the engine answers; so every rule can be tested with numbers worked out by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from gpcloud.core.errors import DomainError

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class ScoringError(DomainError):
    """Input the engine refuses: documents against the law, scores off the documents' criteria."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__("SCORING_INVALID_INPUT", message, field)


class Method(StrEnum):
    """Implementing Regulation art. 34: the two evaluation methods of a tender."""

    COMPREHENSIVE = "comprehensive"  # 综合评分法
    LOWEST_PRICE = "lowest_price"  # 最低评标价法


class Outcome(StrEnum):
    """A committee's decision on a bid flagged as abnormally low (Order 87 art. 60)."""

    JUSTIFIED = "justified"
    UNJUSTIFIED = "unjustified"


@dataclass(frozen=True)
class Criterion:
    """One scoring item of the documents (评审因素) and its full marks. `objective` items (a
    certificate held or not) admit one answer, so experts who differ are flagged."""

    key: str
    max_points: Decimal
    objective: bool = False


@dataclass(frozen=True)
class Documents:
    """What the procurement documents state for the evaluation. Rates are percents (10 = 10%);
    a rate of 0 means the documents grant no such deduction."""

    method: Method
    criteria: tuple[Criterion, ...] = ()
    price_weight: Decimal = ZERO  # percent of the 100 points that the price carries
    is_goods: bool = True  # goods or services: the price weight's lower bound differs
    small_micro_deduction: Decimal = ZERO
    consortium_deduction: Decimal = ZERO
    domestic_preference: Decimal = ZERO
    ceiling: Decimal | None = None  # the maximum price (最高限价), if stated


@dataclass(frozen=True)
class Bid:
    """A bid as the committee evaluates it. `price` is the total in figures on the opening
    schedule; `price_in_words` (大写, parsed) and `line_items` ((quantity, unit price), ...) are
    what the arithmetic check compares it with. `small_micro`: every item is made or served by
    small and micro enterprises (size class from the supplier registry and the declaration);
    `small_micro_share`: their percent of the contract in a consortium or subcontracting
    agreement; `domestic`: domestic products, where the documents grant the preference.
    `invalid`: the reason qualification or compliance review failed it, None if it passed."""

    bid_id: str
    price: Decimal
    price_in_words: Decimal | None = None
    line_items: tuple[tuple[Decimal, Decimal], ...] = ()
    correction_confirmed: bool | None = None
    small_micro: bool = False
    small_micro_share: Decimal = ZERO
    domestic: bool = False
    invalid: str | None = None


@dataclass(frozen=True)
class ExpertScore:
    """One expert's points for one criterion of one bid."""

    expert: str
    bid_id: str
    criterion: str
    points: Decimal


def _percent(rules: Mapping[str, Any], key: str, default: Decimal | None) -> Decimal | None:
    found = rules.get(key)
    if found is None:
        return default
    value = getattr(found, "value", found)  # a Rule / EffectiveRule, or a plain number
    return Decimal(value)


@dataclass(frozen=True)
class Bounds:
    """What the law allows the documents to state, from the rule sets (config/rules): Caiku
    [2022] 19 for the small/micro and consortium deductions, Guobanfa [2025] 34 for the domestic
    preference, Order 87 art. 55 for the price weight. A None maximum: the rule is not in force
    on the day (the documents may then grant no such deduction)."""

    small_micro: tuple[Decimal, Decimal | None] = (Decimal(10), Decimal(20))
    consortium: tuple[Decimal, Decimal | None] = (Decimal(4), Decimal(6))
    consortium_share_min: Decimal = Decimal(30)
    domestic: tuple[Decimal, Decimal | None] = (ZERO, None)
    price_weight_goods_min: Decimal = Decimal(30)
    price_weight_services_min: Decimal = Decimal(10)
    below_mean_of_others: Decimal | None = Decimal(40)
    below_next: Decimal | None = Decimal(30)

    @classmethod
    def from_rules(cls, rules: Mapping[str, Any]) -> Bounds:
        """From `rules_on(day)` or `effective_rules(config, day)` (a tenant's stricter values)."""

        def pair(prefix: str) -> tuple[Decimal, Decimal | None]:
            low = _percent(rules, f"{prefix}_min", ZERO)
            return (low or ZERO, _percent(rules, f"{prefix}_max", None))

        return cls(
            small_micro=pair("sme_price_deduction"),
            consortium=pair("consortium_price_deduction"),
            consortium_share_min=_percent(rules, "consortium_small_micro_share_min", HUNDRED)
            or HUNDRED,
            domestic=pair("domestic_price_preference"),
            price_weight_goods_min=_percent(rules, "price_weight_goods_min", ZERO) or ZERO,
            price_weight_services_min=_percent(rules, "price_weight_services_min", ZERO) or ZERO,
            below_mean_of_others=_percent(rules, "abnormally_low_below_mean_of_others", None),
            below_next=_percent(rules, "abnormally_low_below_next", None),
        )


@dataclass(frozen=True)
class OutlierPolicy:
    """When an expert's total for a bid is flagged for the chair (configurable, no law sets it):
    outside the quartile fences Q1 - k*IQR .. Q3 + k*IQR of the members' totals, and/or more
    than `from_median` points from their median. None switches a test off."""

    fence_factor: Decimal | None = Decimal("1.5")
    from_median: Decimal | None = None


@dataclass(frozen=True)
class Evaluation:
    """Everything one run of the engine needs. `low_price_decisions`: the committee's decision
    on each bid flagged as abnormally low, once it has the bidder's explanation."""

    documents: Documents
    bids: tuple[Bid, ...]
    scores: tuple[ExpertScore, ...] = ()
    low_price_decisions: Mapping[str, Outcome] = field(default_factory=dict)
    bounds: Bounds = field(default_factory=Bounds)
    outliers: OutlierPolicy = field(default_factory=OutlierPolicy)
    # Ties after the score (comprehensive) or evaluated price (lowest price), in order; the
    # default follows Order 87 arts. 55, 56 (unverified text): equal scores by the lower bid
    # price, equal lowest-price bids stay tied. Keys: "bid_price", "price_score",
    # "technical_score", "evaluated_price".
    comprehensive_ties: tuple[str, ...] = ("bid_price",)
    lowest_price_ties: tuple[str, ...] = ()


def check_documents(documents: Documents, bounds: Bounds) -> None:
    """The documents' method, weights and rates against the law (refuses, never clamps)."""
    for name, rate, (low, high) in (
        ("small_micro_deduction", documents.small_micro_deduction, bounds.small_micro),
        ("consortium_deduction", documents.consortium_deduction, bounds.consortium),
        ("domestic_preference", documents.domestic_preference, bounds.domestic),
    ):
        if rate == ZERO:
            continue
        if high is None:
            raise ScoringError(f"{name}: no such deduction is in force", name)
        if not low <= rate <= high:
            raise ScoringError(f"{name} {rate}% is outside {low}%-{high}%", name)
    keys = [c.key for c in documents.criteria]
    if len(set(keys)) != len(keys):
        raise ScoringError("a criterion is listed twice", "criteria")
    if any(c.max_points <= ZERO for c in documents.criteria):
        raise ScoringError("every criterion has positive full marks", "criteria")
    if documents.method is Method.LOWEST_PRICE:
        if documents.criteria:
            raise ScoringError("lowest evaluated price has no scoring criteria", "criteria")
        return
    floor = (
        bounds.price_weight_goods_min if documents.is_goods else bounds.price_weight_services_min
    )
    if not floor <= documents.price_weight <= HUNDRED:
        raise ScoringError(f"price weight {documents.price_weight}% is below {floor}%", "price")
    total = sum((c.max_points for c in documents.criteria), ZERO) + documents.price_weight
    if total != HUNDRED:
        raise ScoringError(f"criteria and price carry {total} points, not 100", "criteria")
