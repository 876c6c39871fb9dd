"""Red flags per procurement process, after the Open Contracting Partnership's red-flag guide
as open-contracting/cardinal-rs defines them (docs/cli/indicators/R/*.md; definitions read,
no code taken). Pure functions over a `Process`, so that the platform's own processes
(facts.py) and an uploaded OCDS file (ocds.py) raise the same flags.

Where cardinal-rs compares with quartile fences over the whole data set (R024, R058, R038),
the platform's incremental path uses fixed thresholds (a flag must not come and go as other
processes arrive); the OCDS upload computes the fences over the file, as cardinal-rs does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from statistics import quantiles

VALID, DISQUALIFIED = "valid", "disqualified"
# Cardinal-rs: R018 applies to competitive methods (OCDS open | selective).
COMPETITIVE = ("open_tender", "invited_tender", "open", "selective")
# Fixed thresholds of the incremental path (cardinal-rs' configurable defaults).
R024_THRESHOLD = Decimal("0.01")
R058_THRESHOLD = Decimal("0.50")
R038_THRESHOLD = Decimal("0.50")


@dataclass(frozen=True)
class Bid:
    supplier: str
    price_fen: int | None
    received_at: datetime | None
    status: str  # valid | disqualified


@dataclass(frozen=True)
class Process:
    key: str
    method: str
    buyer: str = ""
    tender_start: date | None = None
    tender_end: date | None = None
    deadline_at: datetime | None = None
    bid_period_min: int | None = None  # the statutory minimum for its method, in days
    bids: tuple[Bid, ...] = ()
    winners: tuple[str, ...] = ()  # suppliers of active awards
    award_fen: int | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Flag:
    code: str
    title: str
    value: str
    explanation: str


TITLES = {
    "R003": "投标期限过短",
    "R018": "仅一家投标",
    "R024": "报价与中标价过于接近",
    "R028": "不同投标人报价相同",
    "R030": "迟交的投标中标",
    "R035": "除中标人外的投标均被否决",
    "R036": "最低价投标被否决",
    "R038": "否决投标比例过高",
    "R058": "中标价大幅低于次低价",
}
# Red flags the platform's own data cannot raise yet, and why (docs/analytics.md). R035, R036
# and R038 read bids revoked at the opening and bids its record found invalid (facts.py).
NOT_ON_PLATFORM: dict[str, str] = {}


def _pct(x: Decimal) -> str:
    return f"{(x * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def _priced(process: Process) -> list[Bid]:
    return [b for b in process.bids if b.status == VALID and b.price_fen is not None]


def difference(process: Process) -> Decimal | None:
    """(second-lowest valid bid - winning bid) / winning bid, when the single winner's bid is
    the lowest valid one (cardinal-rs' exclusions for R024 and R058)."""
    if len(process.winners) != 1:
        return None
    priced = sorted(_priced(process), key=lambda b: b.price_fen)
    if len(priced) < 2 or priced[0].supplier != process.winners[0] or priced[0].price_fen <= 0:
        return None
    low, second = priced[0].price_fen, priced[1].price_fen
    return ((Decimal(second) - low) / low).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def r003(p: Process) -> Flag | None:
    if p.bid_period_min is None or p.tender_start is None or p.tender_end is None:
        return None
    days = (p.tender_end - p.tender_start).days
    if days >= p.bid_period_min:
        return None
    return Flag(
        "R003",
        TITLES["R003"],
        str(days),
        f"投标期限为 {days} 天，少于法定最短 {p.bid_period_min} 天（政府采购法第三十五条），"
        "潜在供应商准备时间不足，知情者更易中标。",
    )


def r018(p: Process) -> Flag | None:
    tenderers = {b.supplier for b in p.bids if b.status == VALID}
    if p.method not in COMPETITIVE or len(tenderers) != 1:
        return None
    return Flag(
        "R018",
        TITLES["R018"],
        "1",
        "竞争性采购仅收到一家有效投标：竞争可能被压制。",
    )


def r024(p: Process, threshold: Decimal = R024_THRESHOLD) -> Flag | None:
    diff = difference(p)
    if diff is None or diff > threshold:
        return None
    return Flag(
        "R024",
        TITLES["R024"],
        str(diff),
        f"次低有效报价仅比中标价高 {_pct(diff)}（阈值 {_pct(threshold)}）："
        "陪标者可能以相近价格制造竞争假象。",
    )


def r058(p: Process, threshold: Decimal = R058_THRESHOLD) -> Flag | None:
    diff = difference(p)
    if diff is None or diff < threshold:
        return None
    return Flag(
        "R058",
        TITLES["R058"],
        str(diff),
        f"次低有效报价比中标价高 {_pct(diff)}（阈值 {_pct(threshold)}）："
        "中标价异常低，需关注履约质量（“柠檬”风险）。",
    )


def r028(p: Process) -> Flag | None:
    by_price: dict[int, set[str]] = {}
    for b in p.bids:
        if b.price_fen is not None:
            by_price.setdefault(b.price_fen, set()).add(b.supplier)
    same = sorted(price for price, who in by_price.items() if len(who) > 1)
    if not same:
        return None
    names = "、".join(sorted(by_price[same[0]]))
    return Flag(
        "R028",
        TITLES["R028"],
        str(len(by_price[same[0]])),
        f"{names} 的报价完全相同（{Decimal(same[0]) / 100} 元）：可能存在串通或报价泄露。",
    )


def r030(p: Process) -> Flag | None:
    if p.deadline_at is None:
        return None
    late = [
        b
        for b in p.bids
        if b.status == VALID
        and b.received_at is not None
        and b.received_at > p.deadline_at
        and b.supplier in p.winners
    ]
    if not late:
        return None
    return Flag(
        "R030",
        TITLES["R030"],
        "1",
        f"中标人 {late[0].supplier} 的投标在截止时间之后收到：截止时间可能未被遵守。",
    )


def r035(p: Process, threshold: int = 1) -> Flag | None:
    if not p.winners:
        return None
    valid = {b.supplier for b in p.bids if b.status == VALID}
    others = {b.supplier for b in p.bids if b.status == DISQUALIFIED} - valid
    if len(valid) != 1 or valid != set(p.winners) or len(others) < threshold:
        return None
    return Flag(
        "R035",
        TITLES["R035"],
        str(len(others)),
        f"除中标人外的 {len(others)} 家投标人均被否决：可能通过否决投标为预定供应商铺路。",
    )


def r036(p: Process) -> Flag | None:
    priced = [b for b in p.bids if b.price_fen is not None]
    if not p.winners or not priced:
        return None
    lowest = min(priced, key=lambda b: b.price_fen)
    if lowest.status != DISQUALIFIED:
        return None
    return Flag(
        "R036",
        TITLES["R036"],
        "1",
        f"最低报价（{lowest.supplier}，{Decimal(lowest.price_fen) / 100} 元）被否决。",
    )


PER_PROCESS = (r003, r018, r024, r028, r030, r035, r036, r058)


def raise_flags(process: Process) -> list[Flag]:
    """The red flags one process raises (fixed thresholds)."""
    return [f for check in PER_PROCESS if (f := check(process)) is not None]


def fences(values: Iterable[Decimal]) -> tuple[Decimal, Decimal] | None:
    """Tukey's fences (Q1 - 1.5 IQR, Q3 + 1.5 IQR), as cardinal-rs flags outliers."""
    data = sorted(values)
    if len(data) < 4:
        return None
    q1, _, q3 = quantiles(data, n=4)
    iqr = q3 - q1
    return q1 - Decimal("1.5") * iqr, q3 + Decimal("1.5") * iqr


def r038_buyer(
    buyer: str,
    processes: int,
    disqualified: int,
    bids: int,
    upper: Decimal = R038_THRESHOLD,
    minimum: int = 2,
) -> Flag | None:
    """A buyer whose share of disqualified bids reaches `upper`, over at least `minimum`
    processes with bids (the platform's fixed threshold, or the file's fence)."""
    if processes < minimum or not bids or not disqualified:
        return None
    ratio = (Decimal(disqualified) / bids).quantize(Decimal("0.0001"))
    if ratio < upper:
        return None
    return Flag(
        "R038",
        TITLES["R038"],
        str(ratio),
        f"采购人 {buyer} 否决了 {_pct(ratio)} 的投标（{disqualified}/{bids}，{processes} 个项目），"
        f"高于上限 {_pct(upper)}：可能借否决投标排斥潜在供应商。",
    )


def r038(processes: Iterable[Process], minimum: int = 2) -> dict[str, Flag]:
    """Buyers whose share of disqualified bids is a high outlier (needs >= `minimum` processes
    per buyer): {buyer: flag}."""
    bids: dict[str, list[int]] = {}
    for p in processes:
        if p.buyer and p.bids:
            counts = bids.setdefault(p.buyer, [0, 0, 0])
            counts[0] += 1
            counts[1] += sum(b.status == DISQUALIFIED for b in p.bids)
            counts[2] += len(p.bids)
    ratios = {
        buyer: (Decimal(d) / n).quantize(Decimal("0.0001"))
        for buyer, (count, d, n) in bids.items()
        if count >= minimum and n
    }
    limits = fences(ratios.values())
    upper = limits[1] if limits else R038_THRESHOLD
    found = {
        buyer: r038_buyer(buyer, *bids[buyer], upper=upper, minimum=minimum) for buyer in ratios
    }
    return {buyer: flag for buyer, flag in found.items() if flag is not None}
