"""From the evaluation's rows to the scoring engine's input (scoring_inputs) and back: the
state of both reviews per bid, and one run of `scoring.evaluate` over what is recorded. The
engine is the one place the law's arithmetic lives; this module only reads and maps."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from decimal import Decimal

from gpcloud.core.money import to_yuan
from gpcloud.evaluation import scoring
from gpcloud.evaluation import scoring_inputs as si
from gpcloud.evaluation.service import evaluations

SUBMITTED = ("scored", "signed")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class BidReview:
    """One bid through both reviews: `stage` passed | failed | incomplete each; `reasons`
    the failed items with their reasons, as the report states them."""

    bid_id: int
    qualification: str
    compliance: str
    reasons: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return self.qualification == "passed" and self.compliance == "passed"

    @property
    def done(self) -> bool:
        return self.valid or "failed" in (self.qualification, self.compliance)


STAGE_NAMES = {"qualification": "资格审查", "compliance": "符合性审查"}


def _stage(items: list[str], found: dict[str, dict]) -> tuple[str, list[str]]:
    failed = [f"{f['item']}：{f['reason']}" for f in found.values() if not f["passed"]]
    if failed:
        return "failed", failed
    if all(item in found for item in items):
        return "passed", []
    return "incomplete", []


async def reviews(evaluation: dict) -> dict[int, BidReview]:
    scale = evaluations.scale(evaluation)
    by_bid: dict[int, dict[str, dict[str, dict]]] = {}
    for f in await evaluations.findings(evaluation["id"]):
        by_bid.setdefault(f["bid"], {}).setdefault(f["stage"], {})[f["item"]] = f
    result = {}
    for b in await evaluations.bids(evaluation["id"]):
        mine = by_bid.get(b["id"], {})
        q, q_reasons = _stage(scale["qualification"], mine.get("qualification", {}))
        c, c_reasons = _stage(scale["compliance"], mine.get("compliance", {}))
        reasons = [f"{STAGE_NAMES['qualification']}：{r}" for r in q_reasons] + [
            f"{STAGE_NAMES['compliance']}：{r}" for r in c_reasons
        ]
        result[b["id"]] = BidReview(b["id"], q, c, tuple(reasons))
    return result


def documents(evaluation: dict) -> si.Documents:
    scale = evaluations.scale(evaluation)
    return si.Documents(
        method=si.Method(evaluation["method"]),
        criteria=tuple(si.Criterion(c["key"], Decimal(c["max_points"])) for c in scale["criteria"]),
        price_weight=Decimal(scale["price_weight"]),
        is_goods=scale["is_goods"],
        small_micro_deduction=Decimal(scale["small_micro_deduction"]),
        consortium_deduction=Decimal(scale["consortium_deduction"]),
        domestic_preference=Decimal(scale["domestic_preference"]),
    )


def yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else to_yuan(fen)


async def engine_input(evaluation: dict) -> si.Evaluation:
    """The engine's input: every bid with its review outcome and correction; the points of the
    members who submitted (a member still scoring is not counted); the low-price decisions."""
    review = await reviews(evaluation)
    corrections = {c["bid"]: c for c in await evaluations.corrections(evaluation["id"])}
    bids = []
    for b in await evaluations.bids(evaluation["id"]):
        r = review[b["id"]]
        invalid = "；".join(r.reasons) if r.reasons else None
        if invalid is None and not r.valid:
            invalid = "审查未完成"
        correction = corrections.get(b["id"])
        line_items: tuple = ()
        in_words = None
        confirmed = None
        if correction is not None:
            in_words = yuan(correction["price_in_words_fen"])
            line_items = tuple(
                (Decimal(q), Decimal(u)) for q, u in json.loads(correction["line_items"])
            )
            confirmed = {"proposed": None, "confirmed": True, "refused": False}[
                correction["status"]
            ]
        bids.append(
            si.Bid(
                bid_id=str(b["id"]),
                price=yuan(b["price_fen"]),
                price_in_words=in_words,
                line_items=line_items,
                correction_confirmed=confirmed,
                small_micro=b["small_micro"],
                small_micro_share=Decimal(b["small_micro_share"]),
                domestic=b["domestic"],
                invalid=invalid,
            )
        )
    submitted = {
        m["id"] for m in await evaluations.members(evaluation["id"]) if m["status"] in SUBMITTED
    }
    scores = tuple(
        si.ExpertScore(
            str(s["member"]), str(s["bid"]), s["criterion"], Decimal(s["points_hundredths"]) / 100
        )
        for s in await evaluations.scores(evaluation["id"])
        if s["member"] in submitted
    )
    decisions = {
        str(i["bid"]): si.Outcome.JUSTIFIED
        if i["status"] == "justified"
        else si.Outcome.UNJUSTIFIED
        for i in await evaluations.low_prices(evaluation["id"])
        if i["status"] in ("justified", "unjustified")
    }
    return si.Evaluation(
        documents=documents(evaluation),
        bids=tuple(bids),
        scores=scores,
        low_price_decisions=decisions,
        bounds=await evaluations.bounds(evaluation),
    )


async def run(evaluation: dict) -> scoring.Result:
    return scoring.evaluate(await engine_input(evaluation))


async def flagged_low(evaluation: dict) -> dict[str, tuple[str, ...]]:
    """The bids the engine flags as abnormally low now, before anyone has scored: the flags
    depend on the valid prices only, so the engine runs on the prices alone (as lowest price,
    without points), and its own rule decides."""
    found = await engine_input(evaluation)
    prices_only = replace(
        found,
        documents=replace(
            found.documents, method=si.Method.LOWEST_PRICE, criteria=(), price_weight=Decimal(0)
        ),
        scores=(),
    )
    return scoring.evaluate(prices_only).flagged_low
