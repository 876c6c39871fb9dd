"""The scoring engine: comprehensive scoring and lowest evaluated price (Implementing
Regulation art. 34), as one pure function over the inputs of scoring_inputs.py.

`evaluate` takes the bids through, in the law's order:
1. bids failed in qualification or compliance review stay out, with their reason;
2. arithmetic corrections (Order 87 art. 59, unverified text): binding once the bidder confirms,
   a refused correction makes the bid invalid;
3. the abnormally low price check (Order 87 art. 60) among the remaining bids: a flagged bid
   waits for the committee's decision on its explanation, an unjustified one is invalid;
4. policy price deductions (Caiku [2022] 19, Guobanfa [2025] 34) at the documents' rates,
   within the rule sets' bounds, giving each bid's evaluated price;
5. comprehensive scoring: each expert's points on the documents' criteria only, the mean of
   the members per bid, outlier scores flagged; price score = lowest evaluated price /
   evaluated price x price weight (Order 87 art. 55, its formula x 100 with the weight as a
   fraction); total = technical + price score;
6. the ranking with the documents' tie-breaks; equal bids share a rank.

While a correction or a low-price decision is outstanding the result has no ranking: the
lowest valid price, and so every price score, depends on it. Money and points are Decimal,
stated to 2 places (half up); the engine keeps full precision until each stated figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from gpcloud.evaluation.scoring_checks import (
    Correction,
    Deduction,
    Outlier,
    abnormally_low,
    competition_ranks,
    corrections,
    deductions,
    evaluated_price,
    outlier_totals,
    points,
)
from gpcloud.evaluation.scoring_inputs import (
    ZERO,
    Bid,
    Documents,
    Evaluation,
    ExpertScore,
    Method,
    Outcome,
    ScoringError,
    check_documents,
)

TIE_KEYS = ("bid_price", "price_score", "technical_score", "evaluated_price")


@dataclass(frozen=True)
class Invalid:
    """A bid out of the ranking and why: `code` review | correction_refused |
    abnormally_low_unjustified | over_ceiling | no_price; `reason` the words to report."""

    bid_id: str
    code: str
    reason: str


@dataclass(frozen=True)
class Pending:
    """What the committee still waits for: `kind` correction_confirmation |
    low_price_explanation."""

    bid_id: str
    kind: str
    detail: str


@dataclass(frozen=True)
class Scored:
    """One ranked bid. Comprehensive: technical (mean of the members) + price score = total;
    lowest price: the scores are None and the evaluated price ranks."""

    bid_id: str
    rank: int
    bid_price: Decimal
    evaluated_price: Decimal
    deductions: tuple[Deduction, ...]
    technical_score: Decimal | None
    price_score: Decimal | None
    total: Decimal | None
    expert_totals: dict[str, Decimal]
    abnormally_low: tuple[str, ...] = ()  # the triggers met, when its explanation was accepted


@dataclass(frozen=True)
class Result:
    method: Method
    ranking: tuple[Scored, ...]
    invalid: tuple[Invalid, ...]
    corrections: tuple[Correction, ...]
    flagged_low: dict[str, tuple[str, ...]]
    outliers: tuple[Outlier, ...]
    pending: tuple[Pending, ...]

    @property
    def complete(self) -> bool:
        return not self.pending


def _points_by_bid(
    evaluation: Evaluation, scored: set[str]
) -> tuple[dict[str, dict[str, dict[str, Decimal]]], set[str]]:
    """{bid: {expert: {criterion: points}}} of the bids still in, refusing any score off the
    documents' criteria, out of range, repeated or missing."""
    documents = evaluation.documents
    criteria = {c.key: c for c in documents.criteria}
    known = {b.bid_id for b in evaluation.bids}
    table: dict[str, dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    experts: set[str] = set()
    for score in evaluation.scores:
        criterion = criteria.get(score.criterion)
        if criterion is None:
            raise ScoringError(f"{score.criterion} is not a criterion of the documents", "scores")
        if score.bid_id not in known:
            raise ScoringError(f"no bid {score.bid_id}", "scores")
        if not ZERO <= score.points <= criterion.max_points:
            raise ScoringError(
                f"{score.expert} gave {score.points} on {score.criterion} of {score.bid_id}: "
                f"0-{criterion.max_points}",
                "scores",
            )
        experts.add(score.expert)
        if score.bid_id not in scored:
            continue  # a bid that fell out after scoring: its points no longer count
        given = table[score.bid_id][score.expert]
        if score.criterion in given:
            raise ScoringError(
                f"{score.expert} scored {score.criterion} of {score.bid_id} twice", "scores"
            )
        given[score.criterion] = score.points
    for bid_id in scored:
        for expert in experts:
            missing = set(criteria) - set(table[bid_id][expert])
            if missing:
                raise ScoringError(
                    f"{expert} has not scored {', '.join(sorted(missing))} of {bid_id}", "scores"
                )
    if documents.method is Method.COMPREHENSIVE and scored and not experts:
        raise ScoringError("no expert has scored", "scores")
    return table, experts


def _objective_disagreements(
    documents: Documents, table: dict[str, dict[str, dict[str, Decimal]]]
) -> list[Outlier]:
    """Objective criteria admit one answer: every member whose points differ from the most
    common answer is flagged."""
    found = []
    for criterion in (c for c in documents.criteria if c.objective):
        for bid_id, by_expert in table.items():
            given = {expert: marks[criterion.key] for expert, marks in by_expert.items()}
            values = list(given.values())
            common = max(set(values), key=lambda v: (values.count(v), -v))
            for expert, value in given.items():
                if value != common:
                    found.append(
                        Outlier(
                            bid_id,
                            expert,
                            criterion.key,
                            value,
                            f"objective criterion: {value}, the others {common}",
                        )
                    )
    return found


def _tie_key(evaluation: Evaluation, scored: Scored) -> tuple:
    method = evaluation.documents.method
    ties = (
        evaluation.comprehensive_ties
        if method is Method.COMPREHENSIVE
        else evaluation.lowest_price_ties
    )
    key: list = [-scored.total] if method is Method.COMPREHENSIVE else [scored.evaluated_price]
    for name in ties:
        value = getattr(scored, name)
        key.append(-value if name in ("price_score", "technical_score") else value)
    return tuple(key)


def _review(evaluation: Evaluation):
    """Steps 1-3: who is still in at which price, who is out, what is pending."""
    invalid: list[Invalid] = []
    pending: list[Pending] = []
    found: list[Correction] = []
    prices: dict[str, Decimal] = {}
    ceiling = evaluation.documents.ceiling
    for bid in evaluation.bids:
        if bid.invalid is not None:
            invalid.append(Invalid(bid.bid_id, "review", bid.invalid))
            continue
        mine = corrections(bid)
        found += mine
        price = mine[-1].corrected if mine else bid.price
        if mine and bid.correction_confirmed is False:
            invalid.append(Invalid(bid.bid_id, "correction_refused", "修正后的报价投标人不确认"))
            continue
        if mine and bid.correction_confirmed is None:
            pending.append(Pending(bid.bid_id, "correction_confirmation", f"{price}"))
        if price <= ZERO:
            invalid.append(Invalid(bid.bid_id, "no_price", "报价须大于零"))
        elif ceiling is not None and price > ceiling:
            invalid.append(Invalid(bid.bid_id, "over_ceiling", f"报价超过最高限价 {ceiling}"))
        else:
            prices[bid.bid_id] = price
    flagged = {k: tuple(v) for k, v in abnormally_low(prices, evaluation.bounds).items()}
    for bid_id, reasons in flagged.items():
        decision = evaluation.low_price_decisions.get(bid_id)
        if decision is Outcome.UNJUSTIFIED:
            invalid.append(
                Invalid(
                    bid_id, "abnormally_low_unjustified", "报价明显低于其他报价且不能证明其合理性"
                )
            )
            del prices[bid_id]
        elif decision is None:
            pending.append(Pending(bid_id, "low_price_explanation", "; ".join(reasons)))
    return prices, invalid, pending, found, flagged


def evaluate(evaluation: Evaluation) -> Result:
    documents = evaluation.documents
    check_documents(documents, evaluation.bounds)
    for name in (*evaluation.comprehensive_ties, *evaluation.lowest_price_ties):
        if name not in TIE_KEYS:
            raise ScoringError(f"unknown tie-break {name}", "ties")
    prices, invalid, pending, found, flagged = _review(evaluation)
    table, _ = _points_by_bid(evaluation, set(prices))
    outliers = _objective_disagreements(documents, table)
    bids: dict[str, Bid] = {b.bid_id: b for b in evaluation.bids}
    applied = {i: tuple(deductions(bids[i], documents, evaluation.bounds)) for i in prices}
    evaluated = {i: evaluated_price(prices[i], applied[i]) for i in prices}
    if pending or not prices:
        return Result(
            documents.method, (), tuple(invalid), tuple(found), flagged, tuple(outliers),
            tuple(pending),
        )  # fmt: skip
    lowest = min(evaluated.values())
    rows = []
    for bid_id in prices:
        technical = price_score = total = None
        totals: dict[str, Decimal] = {}
        if documents.method is Method.COMPREHENSIVE:
            totals = {e: sum(m.values(), ZERO) for e, m in table[bid_id].items()}
            outliers += outlier_totals(
                bid_id, totals, evaluation.outliers.fence_factor, evaluation.outliers.from_median
            )
            technical = points(sum(totals.values(), ZERO) / len(totals))
            price_score = points(lowest / evaluated[bid_id] * documents.price_weight)
            total = technical + price_score
        rows.append(
            Scored(
                bid_id,
                0,
                prices[bid_id],
                evaluated[bid_id],
                applied[bid_id],
                technical,
                price_score,
                total,
                totals,
                flagged.get(bid_id, ()),
            )  # fmt: skip
        )
    rows.sort(key=lambda s: (_tie_key(evaluation, s), s.bid_id))
    ranks = competition_ranks(rows, lambda s: _tie_key(evaluation, s))
    ranking = tuple(replace(row, rank=rank) for row, rank in zip(rows, ranks, strict=True))
    return Result(
        documents.method, ranking, tuple(invalid), tuple(found), flagged, tuple(outliers), ()
    )


__all__ = ["Evaluation", "ExpertScore", "Result", "Scored", "evaluate"]
