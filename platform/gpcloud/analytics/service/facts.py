"""One process's fact, computed from the source tables: what it was budgeted, awarded and
contracted for, its competition, its timeliness, its suppliers, and the red flags it raises.

A read model reads the domains' tables and writes only its own (docs/architecture.md: analytics
sits above every domain). A process is keyed by its procurement plan: the plan is what the
project, the e-mall orders and the contracts all hang from. Callers hold an all-tenants scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from gpcloud.analytics import flags as red
from gpcloud.analytics.catalogue import CATEGORY_PREFIX
from gpcloud.analytics.service import green, publications, remedies
from gpcloud.contracts.tables import AcceptanceReport, Contract, Payment
from gpcloud.core.clock import LEGAL_TZ, today
from gpcloud.core.db import any_of
from gpcloud.core.rules.sets import Rule, rule_sets, rules_on
from gpcloud.emall.tables import MallOrder
from gpcloud.registries.suppliers.tables import Supplier
from gpcloud.supervision.tables import ProcurementIntention, ProcurementPlan
from gpcloud.transaction.tables import Announcement, Award, Bid, Project

MEASURES = (
    "awarded",
    "budget_fen",
    "award_fen",
    "contract_budget_fen",
    "contract_fen",
    "tenders",
    "bids",
    "single_bid",
    "sme_fen",
    "small_micro_fen",
    "lead_n",
    "lead_sum",
    "award_n",
    "award_sum",
    "sign_n",
    "sign_sum",
    "sign_ok",
    "pay_n",
    "pay_sum",
    "flags",
    *remedies.MEASURES,
    *publications.MEASURES,
    *green.MEASURES,
)
LIVE_ORDERS = ("placed", "confirmed", "delivered", "accepted", "paid")
VALID_BIDS = ("submitted", "unsealed")
# Left sealed at the end of the decryption window by the bidder's cause: out of the evaluation,
# as the portal's OCDS export says ("disqualified", portal/ocds.py BID_STATUSES).
REVOKED = "revoked"
SME = ("medium", "small", "micro")


@dataclass
class Fact:
    plan_id: int
    tenant_id: str
    year: int | None = None
    month: int | None = None
    method: str = ""
    category: str = ""
    object_type: str = ""
    title: str = ""
    project_id: int | None = None
    purchaser_id: int | None = None
    supplier_id: int | None = None
    measures: dict = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))
    suppliers: dict = field(default_factory=dict)  # {str(organisation id): fen}
    flags: list = field(default_factory=list)  # [red.Flag]


def in_force(on: date, key: str) -> Rule:
    """The rule in force on a day; for migrated history older than the platform's first rule
    set, its earliest version (the Law's periods the rule sets start from are older than the
    platform: arts. 35 and 46 date from 2003), rather than failing the batch of facts."""
    found = rules_on(on).get(key)
    if found is None:
        found = next(
            v.rules[key]
            for v in sorted(rule_sets(), key=lambda v: v.effective_from)
            if key in v.rules
        )
    return found


def local_day(at: datetime | date | None) -> date | None:
    if at is None or not isinstance(at, datetime):
        return at
    return at.astimezone(LEGAL_TZ).date()


def _group(rows: list[dict], key: str) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


@dataclass
class Sources:
    """Every source row of a batch of processes, read with one query per table."""

    plans: dict
    projects: dict  # plan id -> project
    notices: dict  # project id -> announcements
    awards: dict
    bids: dict
    orders: dict  # plan id -> live orders
    contracts: dict  # plan id -> signed contracts
    intentions: dict  # intention id -> published_on
    sizes: dict  # organisation id -> size class
    finals: dict  # contract id -> final acceptances
    payments: dict  # contract id -> final payments
    remedies: remedies.Remedies  # challenges, complaints, guarantees, loans, invalid bids
    publications: publications.Publications  # results' confirmations and due days
    green: dict  # listing id -> its goods item's green label


async def load(plan_ids: list[int]) -> Sources:
    plans = {
        r["id"]: r
        for r in await ProcurementPlan.select().where(any_of(ProcurementPlan.id, plan_ids))
    }
    projects = {r["plan"]: r for r in await Project.select().where(any_of(Project.plan, plan_ids))}
    project_ids = [p["id"] for p in projects.values()]
    notices = await Announcement.select(
        Announcement.project, Announcement.kind, Announcement.published_on
    ).where(any_of(Announcement.project, project_ids))
    awards = await Award.select().where(any_of(Award.project, project_ids))
    bids = await Bid.select(
        Bid.id,
        Bid.project,
        Bid.supplier_organisation,
        Bid.supplier_name,
        Bid.price_fen,
        Bid.received_at,
        Bid.status,
    ).where(any_of(Bid.project, project_ids) & any_of(Bid.status, (*VALID_BIDS, REVOKED)))
    orders = await MallOrder.select(
        MallOrder.plan,
        MallOrder.supplier_organisation,
        MallOrder.amount_fen,
        MallOrder.created_at,
        MallOrder.listing,
    ).where(any_of(MallOrder.plan, plan_ids) & any_of(MallOrder.status, LIVE_ORDERS))
    contracts = await Contract.select(
        Contract.id,
        Contract.plan,
        Contract.supplier_organisation,
        Contract.amount_fen,
        Contract.signed_on,
        Contract.publication_due,
        Contract.published_on,
        Contract.status,
    ).where(any_of(Contract.plan, plan_ids) & Contract.signed_on.is_not_null())
    contract_ids = [c["id"] for c in contracts]
    intention_ids = sorted({p["intention"] for p in plans.values() if p["intention"]})
    intentions = {
        r["id"]: r["published_on"]
        for r in await ProcurementIntention.select(
            ProcurementIntention.id, ProcurementIntention.published_on
        ).where(any_of(ProcurementIntention.id, intention_ids))
    }
    orgs = sorted(
        {a["supplier_organisation"] for a in awards}
        | {o["supplier_organisation"] for o in orders}
        | {c["supplier_organisation"] for c in contracts}
    )
    sizes = {
        r["organisation"]: r["size_class"]
        for r in await Supplier.select(Supplier.organisation, Supplier.size_class).where(
            any_of(Supplier.organisation, orgs)
        )
    }
    finals = await AcceptanceReport.select(
        AcceptanceReport.contract, AcceptanceReport.accepted_on
    ).where(
        any_of(AcceptanceReport.contract, contract_ids)
        & (AcceptanceReport.kind == "final")
        & (AcceptanceReport.passed == True)  # noqa: E712 (a column comparison)
    )
    payments = await Payment.select(Payment.contract, Payment.created_at).where(
        any_of(Payment.contract, contract_ids)
        & (Payment.final == True)  # noqa: E712
        & (Payment.status != "rejected")
    )
    return Sources(
        plans,
        projects,
        _group(notices, "project"),
        _group(awards, "project"),
        _group(bids, "project"),
        _group(orders, "plan"),
        _group(contracts, "plan"),
        intentions,
        sizes,
        _group(finals, "contract"),
        _group(payments, "contract"),
        await remedies.load(project_ids, contract_ids),
        await publications.load(list(projects.values())),
        await green.load(orders),
    )


async def compute_many(plan_ids: list[int]) -> dict[int, Fact]:
    """The facts of the processes of these plans as the source tables say now (plans that do
    not exist are left out)."""
    sources = await load(plan_ids)
    return {p: build(sources, p) for p in plan_ids if p in sources.plans}


async def compute(plan_id: int) -> Fact | None:
    """The fact of plan `plan_id`'s process; None when the plan does not exist (any more)."""
    return (await compute_many([plan_id])).get(plan_id)


def _add(fact: Fact, organisation: int, fen: int) -> None:
    key = str(organisation)
    fact.suppliers[key] = fact.suppliers.get(key, 0) + fen


def build(src: Sources, plan_id: int) -> Fact:
    plan = src.plans[plan_id]
    fact = Fact(
        plan_id=plan_id,
        tenant_id=plan["tenant_id"],
        method=plan["method"],
        category=(plan["category_code"] or "")[:CATEGORY_PREFIX],
        object_type=plan["object_type"],
        title=plan["title"],
        purchaser_id=plan["purchaser"],
    )
    m = fact.measures
    project = src.projects.get(plan_id)
    tender_on = result_on = None
    results: list[date] = []
    process = None
    if project is not None:
        fact.project_id = project["id"]
        notices = src.notices.get(project["id"], [])
        tender_on = min((n["published_on"] for n in notices if n["kind"] == "tender"), default=None)
        results = [n["published_on"] for n in notices if n["kind"] == "result"]
        result_on = max(results, default=None)
        awards = src.awards.get(project["id"], [])
        for a in awards:
            _add(fact, a["supplier_organisation"], a["amount_fen"])
        bids = src.bids.get(project["id"], [])
        process = _process(plan, project, bids, awards, tender_on, src.remedies.invalid_bids)
    orders = src.orders.get(plan_id, [])
    for o in orders:
        _add(fact, o["supplier_organisation"], o["amount_fen"])
    contracts = src.contracts.get(plan_id, [])
    if not fact.suppliers:  # a contract with no award or order before it (e.g. single source)
        for c in contracts:
            _add(fact, c["supplier_organisation"], c["amount_fen"])
    awarded_on = result_on or min(
        (local_day(o["created_at"]) for o in orders),
        default=min((c["signed_on"] for c in contracts), default=None),
    )
    if awarded_on is None or not fact.suppliers:
        return fact  # not awarded yet: no contribution
    fact.year, fact.month = awarded_on.year, awarded_on.month
    fact.supplier_id = int(max(fact.suppliers, key=lambda k: fact.suppliers[k]))
    m["awarded"] = 1
    m["budget_fen"] = plan["amount_fen"]
    m["award_fen"] = sum(fact.suppliers.values())
    for key, fen in fact.suppliers.items():
        size = src.sizes.get(int(key), "")
        if size in SME:
            m["sme_fen"] += fen
        if size in ("small", "micro"):
            m["small_micro_fen"] += fen
    if contracts:
        m["contract_budget_fen"] = plan["amount_fen"]
        m["contract_fen"] = sum(c["amount_fen"] for c in contracts)
    if process is not None and project["bid_deadline_at"] is not None:
        m["tenders"] = 1
        m["bids"] = len({b.supplier for b in process.bids if b.status == red.VALID})
        m["single_bid"] = int(m["bids"] == 1)
        m["disqualified"] = len(
            {b.supplier for b in process.bids if b.status == red.DISQUALIFIED}
            - {b.supplier for b in process.bids if b.status == red.VALID}
        )
    published = src.intentions.get(plan["intention"]) if plan["intention"] else None
    if tender_on is not None and published is not None:
        m["lead_n"], m["lead_sum"] = 1, (tender_on - published).days
    if tender_on is not None and result_on is not None:
        m["award_n"], m["award_sum"] = 1, (result_on - tender_on).days
    signed = min((c["signed_on"] for c in contracts), default=None)
    if result_on is not None and signed is not None:
        days = (signed - result_on).days
        m["sign_n"], m["sign_sum"] = 1, days
        m["sign_ok"] = int(days <= in_force(awarded_on, "contract_signing").value)
    ids = [c["id"] for c in contracts]
    finals = [r for c in ids for r in src.finals.get(c, [])]
    paid = [r for c in ids for r in src.payments.get(c, [])]
    if finals and paid:
        accepted = max(r["accepted_on"] for r in finals)
        requested = min(local_day(r["created_at"]) for r in paid)
        m["pay_n"], m["pay_sum"] = 1, (requested - accepted).days
    remedies.measure(m, src.remedies, fact.project_id, ids)
    publications.measure(m, src.publications, fact.project_id, results, contracts)
    green.measure(m, src.green, orders)
    if process is not None:
        fact.flags = red.raise_flags(process)
        m["flags"] = len(fact.flags)
    return fact


def _status(bid: dict, invalid: set) -> str:
    """Disqualified: revoked at the opening, or a bid the opening record found invalid (no bid
    security where the documents require one: Implementing Regulation art. 33, 投标无效)."""
    return red.DISQUALIFIED if bid["status"] == REVOKED or bid["id"] in invalid else red.VALID


def _process(plan, project, bids, awards, tender_on, invalid=frozenset()) -> red.Process:
    names = {b["supplier_organisation"]: b["supplier_name"] for b in bids}
    names.update({a["supplier_organisation"]: a["supplier_name"] for a in awards})
    deadline = local_day(project["bid_deadline_at"]) or project["bid_deadline"]
    rule = in_force(tender_on or deadline or today(), "bid_period")
    return red.Process(
        key=f"plan:{plan['id']}",
        method=plan["method"],
        buyer=str(plan["purchaser"]),
        tender_start=tender_on,
        tender_end=deadline,
        deadline_at=project["bid_deadline_at"],
        bid_period_min=rule.value if plan["method"] in rule.applies_to else None,
        bids=tuple(
            red.Bid(b["supplier_name"], b["price_fen"], b["received_at"], _status(b, invalid))
            for b in bids
        ),
        winners=tuple(sorted({names[a["supplier_organisation"]] for a in awards})),
        award_fen=sum(a["amount_fen"] for a in awards) if awards else None,
    )


async def plan_ids() -> list[int]:
    """Every plan (for the full rebuild)."""
    rows = await ProcurementPlan.select(ProcurementPlan.id).order_by(ProcurementPlan.id)
    return [r["id"] for r in rows]
