"""Generated procurement processes for the demo, the reconciliation test and the benchmark:
plans with their intentions, projects, announcements, sealed bids (as unsealed), awards,
contracts, final acceptances and payments, and e-mall orders; written in bulk into the source
tables, as the history a migration brings. Deterministic for a seed.

`flawed` processes of the first tenant are deliberately wrong, one red flag each, in this order
(or, given as {tenant: flag codes}, those flags in each tenant): a single bid in an open tender
(R018), identical bid prices (R028), a short bidding period (R003), a runner-up
within 1% of the winner (R024), a winner 60% below the runner-up (R058), every bid but the
winner's revoked at the opening (R035, with R018), the lowest bid found invalid by the opening
record (R036). Challenges, complaints, guarantees, loans and a few revoked bids come from
sample_remedies.py; evaluations with their confirmations, contract publications and goods
listings for green purchasing from sample_publications.py.
Every generated process also yields a `Truth` the test checks the indicators against, computed
here from what was generated, not from the tables.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from gpcloud.analytics import sample_contracts, sample_publications, sample_remedies
from gpcloud.analytics.sample_contracts import at as _at
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import bulk_insert, transaction
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.tables import MallOrder
from gpcloud.integrations.digital_finance.tables import BudgetIndicator
from gpcloud.registries.agencies.tables import Agency
from gpcloud.registries.purchasers.tables import Purchaser
from gpcloud.registries.suppliers.tables import Supplier
from gpcloud.supervision.tables import ProcurementIntention, ProcurementPlan
from gpcloud.transaction.tables import Announcement, Award, Bid, Project

FLAWS = ("R018", "R028", "R003", "R024", "R058", "R035", "R036")
METHODS = (
    "open_tender",
    "open_tender",
    "invited_tender",
    "competitive_negotiation",
    "competitive_consultation",
    "request_for_quotation",
)
CATEGORIES = {
    "goods": ("A02010104", "A02021000", "A05010000"),
    "works": ("B01010000", "B08000000"),
    "services": ("C16020000", "C02010000", "C99000000"),
}
SUPPLIERS = (
    ("梅州市嘉联信息技术有限公司", "small"),
    ("广东梅江建设工程有限公司", "medium"),
    ("兴宁市恒达办公家具厂", "micro"),
    ("梅州市客都物业服务有限公司", "small"),
    ("广东粤东医疗器械有限公司", "large"),
    ("梅州市华侨教学设备有限公司", "medium"),
    ("兴宁市宁江印务有限公司", "micro"),
    ("广州南粤数据科技股份有限公司", "large"),
    ("梅州市五华环境工程有限公司", "small"),
    ("广东客家园林绿化有限公司", "medium"),
)


@dataclass
class Truth:
    """What was generated, summed per tenant: the test's independent expectation."""

    award_fen: dict = field(default_factory=dict)
    processes: dict = field(default_factory=dict)
    single_bid: dict = field(default_factory=dict)
    tenders: dict = field(default_factory=dict)
    flawed: list = field(default_factory=list)  # (plan id, flag code)
    challenges: dict = field(default_factory=dict)
    complaints: dict = field(default_factory=dict)
    guarantee_fen: dict = field(default_factory=dict)
    loan_fen: dict = field(default_factory=dict)
    disqualified: dict = field(default_factory=dict)
    pub_n: dict = field(default_factory=dict)
    pub_ok: dict = field(default_factory=dict)
    listed_fen: dict = field(default_factory=dict)
    green_fen: dict = field(default_factory=dict)

    def add(self, name: str, tenant: str, n: int) -> None:
        bucket = getattr(self, name)
        bucket[tenant] = bucket.get(tenant, 0) + n


async def _parties(tenants: list[str], tag: str) -> dict:
    """A purchaser (with a budget line) and an agency per tenant; the shared suppliers."""
    tree = await tenant_tree()
    out: dict = {"purchaser": {}, "agency": {}, "indicator": {}, "suppliers": []}
    orgs = await bulk_insert(
        Organisation,
        [{"name": f"{n}{tag}", "kind": "supplier", "region": tenants[0]} for n, _ in SUPPLIERS],
    )
    await bulk_insert(
        Supplier,
        [
            {"organisation": o, "size_class": size, "status": "active"}
            for o, (_, size) in zip(orgs, SUPPLIERS, strict=True)
        ],
        returning=False,
    )
    out["suppliers"] = [(o, f"{n}{tag}") for o, (n, _) in zip(orgs, SUPPLIERS, strict=True)]
    out["listed"] = await sample_publications.listings(out["suppliers"], tag)
    for t in tenants:
        unit, agency_org = await bulk_insert(
            Organisation,
            [
                {
                    "name": f"{tree.name_of(t)}公共资源采购中心{tag}",
                    "kind": "purchaser",
                    "region": t,
                },
                {
                    "name": f"{tree.name_of(t)}诚信招标代理有限公司{tag}",
                    "kind": "agency",
                    "region": t,
                },
            ],
        )
        (purchaser,) = await bulk_insert(
            Purchaser, [{"tenant_id": t, "organisation": unit, "budget_unit_code": f"G{tag}{t}"}]
        )
        (agency,) = await bulk_insert(Agency, [{"organisation": agency_org, "status": "approved"}])
        (indicator,) = await bulk_insert(
            BudgetIndicator,
            [
                {
                    "tenant_id": t,
                    "code": f"ZB{tag}{t}",
                    "purchaser": purchaser,
                    "fiscal_year": 2026,
                    "name": "生成的预算指标",
                    "amount_fen": 10**13,
                }
            ],
        )
        out["purchaser"][t] = (purchaser, unit)
        out["agency"][t] = (agency, agency_org)
        out["indicator"][t] = indicator
    return out


def _prices(rng: random.Random, budget: int, method: str, flaw: str | None) -> list[int]:
    """Distinct bid prices, the lowest first, gaps of 2% to 40% (no accidental flags)."""
    if flaw in ("R018", "R035"):
        return [int(budget * 0.93)]
    if method in ("open_tender", "invited_tender"):
        n = rng.randint(2, 6)
    else:
        n = 1 if rng.random() < 0.25 else rng.randint(2, 4)
    low = int(budget * rng.uniform(0.70, 0.95))
    prices = [low]
    for _ in range(n - 1):
        prices.append(int(prices[-1] * rng.uniform(1.02, 1.12)))
    if flaw == "R028":
        prices = [low, low, int(low * 1.05)]
    elif flaw == "R024":
        prices = [low, int(low * 1.005), int(low * 1.08)]
    elif flaw == "R058":
        prices = [low, int(low * 1.6), int(low * 1.7)]
    return prices


async def generate(
    tenants: list[str],
    per_tenant: int,
    year: int,
    seed: int = 1,
    flawed: int | Mapping[str, Sequence[str]] = 0,
    tag: str | None = None,
) -> Truth:
    """`per_tenant` awarded processes in each tenant, awards spread over `year` (callers hold
    an all-tenants scope). `flawed`: how many of FLAWS the first tenant's processes carry, or
    each tenant's flag codes. `tag` marks the generated organisations' names (default: -seed)."""
    if isinstance(flawed, int):
        flawed = {tenants[0]: FLAWS[:flawed]}
    unknown = {f for codes in flawed.values() for f in codes} - set(FLAWS)
    if unknown or any(len(codes) > per_tenant for codes in flawed.values()):
        raise ValueError(f"flaws are among {FLAWS}, at most one per process: {sorted(unknown)}")
    rng = random.Random(seed)
    # Its own generator: the remedies leave every other generated figure as it was.
    more = random.Random(f"{seed}-remedies")
    truth = Truth()
    async with transaction():
        parties = await _parties(tenants, f"-{seed}" if tag is None else tag)
        await sample_remedies.institution(parties, f"-{seed}" if tag is None else tag)
        for t in tenants:
            await _tenant(rng, t, per_tenant, year, parties, truth, tuple(flawed.get(t, ())), more)
    return truth


async def _tenant(rng, t, count, year, parties, truth, flawed, more) -> None:
    purchaser, unit = parties["purchaser"][t]
    agency, agency_org = parties["agency"][t]
    specs = []
    for i in range(count):
        flaw = flawed[i] if i < len(flawed) else None
        object_type = rng.choice(tuple(CATEGORIES))
        method = "open_tender" if flaw in ("R018", "R003", "R035") else rng.choice(METHODS)
        mall = flaw is None and method == "request_for_quotation" and rng.random() < 0.4
        award_on = date(year, 1, 1) + timedelta(days=rng.randint(40, 330))
        specs.append((flaw, object_type, method, mall, award_on, rng.randint(10, 500) * 10**6))
    intentions = await bulk_insert(
        ProcurementIntention,
        [
            {
                "tenant_id": t,
                "purchaser": purchaser,
                "project_name": f"生成项目{t}-{i}",
                "requirement_summary": "生成",
                "budget_fen": budget,
                "object_type": ot,
                "expected_start": award_on - timedelta(days=30),
                "status": "published",
                "published_on": award_on - timedelta(days=rng.randint(65, 100)),
            }
            for i, (_f, ot, _m, _mall, award_on, budget) in enumerate(specs)
        ],
    )
    plans = await bulk_insert(
        ProcurementPlan,
        [
            {
                "tenant_id": t,
                "purchaser": purchaser,
                "intention": intentions[i],
                "title": f"生成项目{t}-{i}",
                "object_type": ot,
                "method": m,
                "category_code": rng.choice(CATEGORIES[ot]),
                "amount_fen": budget,
                "status": "filed",
            }
            for i, (_f, ot, m, _mall, _a, budget) in enumerate(specs)
        ],
    )
    tendered = [i for i, s in enumerate(specs) if not s[3]]
    dates = {}
    for i in tendered:
        period = 10 if specs[i][0] == "R003" else rng.randint(20, 28)
        deadline = specs[i][4] - timedelta(days=rng.randint(5, 15))
        dates[i] = (deadline - timedelta(days=period), deadline)
    projects = await bulk_insert(
        Project,
        [
            {
                "tenant_id": t,
                "plan": plans[i],
                "purchaser": purchaser,
                "agency": agency,
                "agency_organisation": agency_org,
                "title": f"生成项目{t}-{i}",
                "method": specs[i][2],
                "budget_fen": specs[i][5],
                "status": "awarded",
                "bid_deadline": dates[i][1],
                "bid_deadline_at": _at(dates[i][1], 9),
            }
            for i in tendered
        ],
    )
    notices, bids, awards, contracts, tendered_processes = [], [], [], [], []
    invalid_at: list[int] = []  # positions in `bids` of those the opening finds invalid
    for project, i in zip(projects, tendered, strict=True):
        flaw, _ot, method, _mall, award_on, budget = specs[i]
        tender_on, deadline = dates[i]
        notices += [
            {
                "tenant_id": t,
                "project": project,
                "kind": "tender",
                "title": "招标公告",
                "body": "生成",
                "published_on": tender_on,
                "bid_deadline": deadline,
            },
            {
                "tenant_id": t,
                "project": project,
                "kind": "result",
                "title": "结果公告",
                "body": "生成",
                "published_on": award_on,
            },
        ]
        prices = _prices(rng, budget, method, flaw)
        bidders = rng.sample(parties["suppliers"], len(prices))
        for (org, name), price in zip(bidders, prices, strict=True):
            bids.append(
                {
                    "tenant_id": t,
                    "project": project,
                    "lot": "1",
                    "supplier_organisation": org,
                    "supplier_name": name,
                    "status": "unsealed",
                    "storage_key": "generated",
                    "size": 1,
                    "digest": "0" * 64,
                    "wrapped_key": "",
                    "signature": "",
                    "received_at": _at(deadline - timedelta(days=1)),
                    "receipt": "{}",
                    "receipt_signature": "",
                    "price_fen": price,
                }
            )
        for row, invalid in sample_remedies.disqualified_bids(
            more, flaw, prices, bidders, parties["suppliers"], bids[-1], truth
        ):
            if invalid:
                invalid_at.append(len(bids))
            bids.append(row)
        winner_org, winner = bidders[0]
        tendered_processes.append((project, plans[i], bidders, prices[0], award_on))
        awards.append(
            {
                "tenant_id": t,
                "project": project,
                "supplier_organisation": winner_org,
                "supplier_name": winner,
                "amount_fen": prices[0],
            }
        )
        contracts.append((plans[i], winner_org, winner, prices[0], award_on))
        truth.add("award_fen", t, prices[0])
        truth.add("processes", t, 1)
        truth.add("tenders", t, 1)
        truth.add("single_bid", t, int(len(prices) == 1))
        if flaw:
            truth.flawed.append((plans[i], flaw))
    await bulk_insert(Announcement, notices, returning=False)
    bid_ids = await bulk_insert(Bid, bids)
    await sample_remedies.opening_records(bids, bid_ids, invalid_at)
    await bulk_insert(Award, awards, returning=False)
    orders = []
    for i, s in enumerate(specs):
        if not s[3]:
            continue
        org, name = rng.choice(parties["suppliers"])
        amount = int(s[5] * rng.uniform(0.8, 0.98))
        listing = sample_publications.order_listing(
            parties["listed"], len(orders), org, truth, t, amount
        )
        orders.append(
            {
                "tenant_id": t,
                "mode": "direct_purchase",
                "purchaser": purchaser,
                "purchaser_organisation": unit,
                "supplier_organisation": org,
                "supplier_name": name,
                "plan": plans[i],
                "listing": listing,
                "indicator": parties["indicator"][t],
                "fiscal_year": s[4].year,
                "category_code": "A02010104",
                "title": "生成订单",
                "quantity": 1,
                "unit_fen": amount,
                "amount_fen": amount,
                "status": "accepted",
                "placed_by": 0,
                "created_at": _at(s[4]),
            }
        )
        truth.add("award_fen", t, amount)
        truth.add("processes", t, 1)
    await bulk_insert(MallOrder, orders, returning=False)
    await sample_publications.results(t, agency_org, purchaser, tendered_processes, truth)
    signed = await sample_contracts.performance(rng, t, unit, parties, contracts, truth)
    await sample_remedies.add(more, t, unit, agency_org, parties, tendered_processes, signed, truth)
