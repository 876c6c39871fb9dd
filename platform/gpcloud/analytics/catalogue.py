"""The indicator catalogue: every figure the analytics centre shows, in one place.

Each indicator names its definition, its formula over the rollup measures (rollup.MEASURES),
where its inputs come from and the rule it checks, its unit, and who may see it. Who: the
rollup rows are tenant-owned, so a county reads its own, a city itself and its counties, the
province all (the tenant scope); `public` indicators are also shown on the portal to anyone.
The functions in `FORMULAS` are the only place an indicator's number is computed, from summed
measures, so the dashboards, the API, the exports and the reconciliation test agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# Where a figure's grouping comes from: the rollup dimension it is read from.
DIMENSIONS = ("month", "method", "category", "object_type", "region")
CATEGORY_PREFIX = 3  # catalogue code prefix the rollups keep, e.g. A02 (goods: equipment)


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str  # Chinese, as finance staff read it
    definition: str
    formula: str
    source: str  # source tables or rule, with the legal basis where there is one
    unit: str  # yuan | ratio | count | days | hhi
    public: bool
    group: str
    # The dimensions it may be broken down by (series); concentration has its own.
    dimensions: tuple[str, ...] = DIMENSIONS


def _ratio(a: int, b: int) -> Decimal | None:
    if not b:
        return None
    return (Decimal(a) / Decimal(b)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _mean(total: int, n: int) -> Decimal | None:
    if not n:
        return None
    return (Decimal(total) / Decimal(n)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        "spend",
        "采购金额",
        "Awarded amount of the procurement processes whose award falls in the period.",
        "sum(award_fen) / 100",
        "transaction result announcements (awards), e-mall orders; MOF national statistics",
        "yuan",
        True,
        "spend",
    ),
    Indicator(
        "processes",
        "采购项目数",
        "Number of procurement processes awarded in the period.",
        "sum(awarded)",
        "transaction projects with a result, e-mall orders",
        "count",
        True,
        "spend",
    ),
    Indicator(
        "savings_rate_award",
        "节支率（中标）",
        "Share of the budget not spent at award: 1 - awarded / budget, for awarded processes.",
        "1 - sum(award_fen) / sum(budget_fen)",
        "procurement plans (budget) and awards; MOF statistics 节约资金",
        "ratio",
        True,
        "savings",
    ),
    Indicator(
        "savings_rate_contract",
        "节支率（合同）",
        "Share of the budget not spent in signed contracts: 1 - contracted / budget.",
        "1 - sum(contract_fen) / sum(contract_budget_fen)",
        "contracts (signed) and their plans' budgets",
        "ratio",
        False,
        "savings",
    ),
    Indicator(
        "sme_share",
        "中小企业份额",
        "Share of the awarded amount won by small and medium enterprises (size class medium, "
        "small or micro).",
        "sum(sme_fen) / sum(award_fen)",
        "awards x supplier size class; Caiku [2020] 46 (SME policy), MOF statistics",
        "ratio",
        True,
        "sme",
    ),
    Indicator(
        "small_micro_share",
        "小微企业份额",
        "Share of the awarded amount won by small and micro enterprises.",
        "sum(small_micro_fen) / sum(award_fen)",
        "awards x supplier size class; Caiku [2020] 46 art. 8",
        "ratio",
        True,
        "sme",
    ),
    Indicator(
        "bids_per_tender",
        "平均投标人数",
        "Mean number of valid bids per electronically bid process.",
        "sum(bids) / sum(tenders)",
        "sealed bids received (unsealed or still sealed; withdrawn and revoked excluded)",
        "count",
        True,
        "competition",
    ),
    Indicator(
        "single_bid_share",
        "单一投标占比",
        "Share of electronically bid processes that received exactly one valid bid (R018).",
        "sum(single_bid) / sum(tenders)",
        "sealed bids; open-contracting red flag R018",
        "ratio",
        True,
        "competition",
    ),
    Indicator(
        "intention_lead_days",
        "意向公开提前天数",
        "Mean days from the procurement intention's publication to the tender announcement.",
        "sum(lead_sum) / sum(lead_n)",
        "intentions and tender announcements; Caiku [2020] 10 (>= 30 d)",
        "days",
        False,
        "timeliness",
    ),
    Indicator(
        "award_days",
        "公告至中标天数",
        "Mean days from the tender announcement to the result announcement.",
        "sum(award_sum) / sum(award_n)",
        "tender and result announcements",
        "days",
        False,
        "timeliness",
    ),
    Indicator(
        "signing_on_time",
        "合同按时签订率",
        "Share of contracts signed within 30 days of the award notice.",
        "sum(sign_ok) / sum(sign_n)",
        "result announcements and contracts; Government Procurement Law art. 46",
        "ratio",
        True,
        "timeliness",
    ),
    Indicator(
        "signing_days",
        "中标至签约天数",
        "Mean days from the result announcement to the contract's signature.",
        "sum(sign_sum) / sum(sign_n)",
        "result announcements and contracts; Government Procurement Law art. 46",
        "days",
        False,
        "timeliness",
    ),
    Indicator(
        "publication_on_time",
        "信息公开及时率",
        "Share of the period's processes' publications made within their legal time limit of the "
        "event they publish: the result within 2 working days of the winner's confirmation, the "
        "contract within 2 working days of its signing (a signed contract left unpublished past "
        "its limit counts as late).",
        "sum(pub_ok) / sum(pub_n)",
        "evaluation reports (confirmation), result announcements, contracts (signing, "
        "publication_due, publication); rules result_publication (Implementing Regulation "
        "art. 43; MOF Order 87 art. 69, unverified text) and contract_publication (Implementing "
        "Regulation art. 50), counted in working days on the calendar",
        "ratio",
        True,
        "timeliness",
    ),
    Indicator(
        "payment_delay_days",
        "验收至付款天数",
        "Mean days from the final acceptance to the final payment's request.",
        "sum(pay_sum) / sum(pay_n)",
        "acceptance reports (final) and payments; Caiku [2020] 46 art. 19 (unverified)",
        "days",
        False,
        "timeliness",
    ),
    Indicator(
        "green_share",
        "节能环保产品采购占比",
        "Share of the amount of purchases naming a registry goods item (e-mall orders from a "
        "listing) spent on items certified as energy-saving (节能产品) or environmental-label "
        "(环境标志产品) products.",
        "sum(green_fen) / sum(listed_fen)",
        "e-mall orders x goods registry items' green_label; Government Procurement Law art. 9, "
        "Implementing Regulation art. 6; MOF national statistics (green purchasing); "
        "certification lists Caiku [2019] 9 (unverified text)",
        "ratio",
        True,
        "policy",
    ),
    Indicator(
        "red_flags",
        "风险提示数",
        "Red flags raised on the period's processes (R003, R018, R024, R028, R030, R035, "
        "R036, R058; R038 is a buyer's and listed with the flags, not counted here).",
        "sum(flags)",
        "red flags (analytics.flags); open-contracting cardinal-rs definitions",
        "count",
        False,
        "integrity",
    ),
    Indicator(
        "disqualified_share",
        "否决投标比例",
        "Share of the bidders of electronically bid processes whose bids were disqualified "
        "(revoked at the opening, or found invalid by its record).",
        "sum(disqualified) / (sum(bids) + sum(disqualified))",
        "sealed bids and opening records; Implementing Regulation art. 33; red flag R038",
        "ratio",
        False,
        "integrity",
    ),
    Indicator(
        "challenge_rate",
        "质疑率",
        "Share of the period's awarded processes on which a supplier filed a challenge.",
        "sum(challenged) / sum(awarded)",
        "challenges (complaints domain); Government Procurement Law art. 52",
        "ratio",
        False,
        "remedies",
    ),
    Indicator(
        "challenges",
        "质疑件数",
        "Challenges filed on the period's awarded processes.",
        "sum(challenges)",
        "challenges (complaints domain); Government Procurement Law art. 52",
        "count",
        False,
        "remedies",
    ),
    Indicator(
        "complaint_rate",
        "投诉率",
        "Share of the period's awarded processes complained about to a finance department.",
        "sum(complained) / sum(awarded)",
        "complaints (complaints domain); Government Procurement Law art. 55",
        "ratio",
        True,
        "remedies",
    ),
    Indicator(
        "complaints",
        "投诉件数",
        "Complaints filed on the period's awarded processes.",
        "sum(complaints)",
        "complaints (complaints domain); Government Procurement Law art. 55",
        "count",
        True,
        "remedies",
    ),
    Indicator(
        "complaint_upheld_share",
        "投诉成立率",
        "Share of the complaint decisions on the period's processes that upheld the complaint.",
        "sum(complaints_upheld) / sum(complaints_decided)",
        "published complaint decisions; Law art. 56, Implementing Regulation art. 58",
        "ratio",
        True,
        "remedies",
    ),
    Indicator(
        "guarantees",
        "电子投标保函数",
        "Electronic bid guarantees issued (and since released, claimed or paid) for the period's "
        "processes: each one a cash deposit the supplier did not have to pay.",
        "sum(guarantees)",
        "bid guarantees (finance centre); Implementing Regulation art. 33",
        "count",
        False,
        "finance",
    ),
    Indicator(
        "guarantee_amount",
        "保函替代保证金金额",
        "The amount of bid security given by those guarantees instead of cash.",
        "sum(guarantee_fen) / 100",
        "bid guarantees (finance centre)",
        "yuan",
        False,
        "finance",
    ),
    Indicator(
        "loans",
        "政采贷笔数",
        "Financing (政采贷) approved by an institution against the contracts of the period's "
        "processes.",
        "sum(loans)",
        "financing offers approved (finance centre)",
        "count",
        False,
        "finance",
    ),
    Indicator(
        "loan_amount",
        "政采贷金额",
        "The amount of that approved financing.",
        "sum(loan_fen) / 100",
        "financing offers approved (finance centre)",
        "yuan",
        False,
        "finance",
    ),
    Indicator(
        "top_supplier_share",
        "前五名供应商份额",
        "Share of the awarded amount won by the five largest suppliers.",
        "sum(top 5 suppliers' award_fen) / sum(award_fen)",
        "awards by supplier organisation",
        "ratio",
        False,
        "concentration",
        ("category", "region"),
    ),
    Indicator(
        "hhi",
        "赫芬达尔指数",
        "Herfindahl-Hirschman index of suppliers' shares of the awarded amount (0 to 10000).",
        "sum over suppliers of (100 x award_fen / total)^2",
        "awards by supplier organisation",
        "hhi",
        False,
        "concentration",
        ("category", "region"),
    ),
    Indicator(
        "credit_records",
        "信用记录数",
        "Credit records recorded in the period, by kind (read from credit directly).",
        "count(credit_record) by kind",
        "credit records; Government Procurement Law art. 77",
        "count",
        True,
        "credit",
        (),
    ),
    Indicator(
        "flagged_listings",
        "电子卖场价格预警数",
        "E-mall price alerts raised in the period (listings priced above the median or their "
        "own history beyond the tolerance), and the upheld ones; each counts in its supplier's "
        "region.",
        "count(mall_price_alert)",
        "e-mall price monitoring (emall price alerts)",
        "count",
        False,
        "emall",
        (),
    ),
    Indicator(
        "emall_price_index",
        "电子卖场价格指数",
        "Flagged listings' mean price relative to their basis (median or earlier price), x 100.",
        "100 x sum(price_fen) / sum(basis_fen) over the period's price alerts",
        "e-mall price alerts",
        "index",
        False,
        "emall",
        (),
    ),
)

BY_ID = {i.id: i for i in CATALOGUE}
# Indicators read from the process rollups (the rest have their own readers in service/).
FROM_ROLLUPS = tuple(i.id for i in CATALOGUE if i.group not in ("concentration", "credit", "emall"))

FORMULAS: dict[str, Callable[[dict], Decimal | None]] = {
    "spend": lambda m: _yuan(m["award_fen"]),
    "processes": lambda m: Decimal(m["awarded"]),
    "savings_rate_award": lambda m: (
        None if not m["budget_fen"] else Decimal(1) - _ratio(m["award_fen"], m["budget_fen"])
    ),
    "savings_rate_contract": lambda m: (
        None
        if not m["contract_budget_fen"]
        else Decimal(1) - _ratio(m["contract_fen"], m["contract_budget_fen"])
    ),
    "sme_share": lambda m: _ratio(m["sme_fen"], m["award_fen"]),
    "small_micro_share": lambda m: _ratio(m["small_micro_fen"], m["award_fen"]),
    "bids_per_tender": lambda m: _mean(m["bids"], m["tenders"]),
    "single_bid_share": lambda m: _ratio(m["single_bid"], m["tenders"]),
    "intention_lead_days": lambda m: _mean(m["lead_sum"], m["lead_n"]),
    "award_days": lambda m: _mean(m["award_sum"], m["award_n"]),
    "signing_on_time": lambda m: _ratio(m["sign_ok"], m["sign_n"]),
    "signing_days": lambda m: _mean(m["sign_sum"], m["sign_n"]),
    "payment_delay_days": lambda m: _mean(m["pay_sum"], m["pay_n"]),
    "publication_on_time": lambda m: _ratio(m["pub_ok"], m["pub_n"]),
    "green_share": lambda m: _ratio(m["green_fen"], m["listed_fen"]),
    "red_flags": lambda m: Decimal(m["flags"]),
    "disqualified_share": lambda m: _ratio(m["disqualified"], m["bids"] + m["disqualified"]),
    "challenge_rate": lambda m: _ratio(m["challenged"], m["awarded"]),
    "challenges": lambda m: Decimal(m["challenges"]),
    "complaint_rate": lambda m: _ratio(m["complained"], m["awarded"]),
    "complaints": lambda m: Decimal(m["complaints"]),
    "complaint_upheld_share": lambda m: _ratio(m["complaints_upheld"], m["complaints_decided"]),
    "guarantees": lambda m: Decimal(m["guarantees"]),
    "guarantee_amount": lambda m: _yuan(m["guarantee_fen"]),
    "loans": lambda m: Decimal(m["loans"]),
    "loan_amount": lambda m: _yuan(m["loan_fen"]),
}


def concentration(amounts: list[int]) -> dict[str, Decimal | None]:
    """Top-5 share and HHI of suppliers' awarded amounts."""
    total = sum(amounts)
    if total <= 0:
        return {"top_supplier_share": None, "hhi": None}
    top = sum(sorted(amounts, reverse=True)[:5])
    hhi = sum((Decimal(100) * a / total) ** 2 for a in amounts)
    return {
        "top_supplier_share": _ratio(top, total),
        "hhi": hhi.quantize(Decimal("0.01"), ROUND_HALF_UP),
    }
