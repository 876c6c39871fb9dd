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
from gpcloud.contracts.tables import AcceptanceReport, Contract, Payment
from gpcloud.core.clock import LEGAL_TZ, today
from gpcloud.core.db import any_of
from gpcloud.core.rules.sets import rules_on
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
)
LIVE_ORDERS = ("placed", "confirmed", "delivered", "accepted", "paid")
VALID_BIDS = ("submitted", "unsealed")
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
    supplier_id: int | None = None
    measures: dict = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))
    suppliers: dict = field(default_factory=dict)  # {str(organisation id): fen}
    flags: list = field(default_factory=list)  # [red.Flag]


def local_day(at: datetime | date | None) -> date | None:
    if at is None or not isinstance(at, datetime):
        return at
    return at.astimezone(LEGAL_TZ).date()


async def compute(plan_id: int) -> Fact | None:
    """The fact of the process of plan `plan_id` as the source tables say now; None when the
    plan does not exist (any more)."""
    plan = await ProcurementPlan.select().where(ProcurementPlan.id == plan_id).first()
    if plan is None:
        return None
    fact = Fact(
        plan_id=plan_id,
        tenant_id=plan["tenant_id"],
        method=plan["method"],
        category=(plan["category_code"] or "")[:CATEGORY_PREFIX],
        object_type=plan["object_type"],
        title=plan["title"],
    )
    m = fact.measures
    project = await Project.select().where(Project.plan == plan_id).first()
    tender_on = result_on = None
    process = None
    if project is not None:
        fact.project_id = project["id"]
        notices = await Announcement.select(
            Announcement.kind, Announcement.published_on, Announcement.bid_deadline
        ).where(Announcement.project == project["id"])
        tenders = [n for n in notices if n["kind"] == "tender"]
        results = [n for n in notices if n["kind"] == "result"]
        tender_on = min((n["published_on"] for n in tenders), default=None)
        result_on = max((n["published_on"] for n in results), default=None)
        awards = await Award.select().where(Award.project == project["id"])
        for a in awards:
            key = str(a["supplier_organisation"])
            fact.suppliers[key] = fact.suppliers.get(key, 0) + a["amount_fen"]
        process = await _process(plan, project, tenders, awards, tender_on)
    orders = await MallOrder.select(
        MallOrder.supplier_organisation, MallOrder.amount_fen, MallOrder.created_at
    ).where((MallOrder.plan == plan_id) & any_of(MallOrder.status, LIVE_ORDERS))
    for o in orders:
        key = str(o["supplier_organisation"])
        fact.suppliers[key] = fact.suppliers.get(key, 0) + o["amount_fen"]
    contracts = await Contract.select(
        Contract.id,
        Contract.supplier_organisation,
        Contract.amount_fen,
        Contract.signed_on,
    ).where((Contract.plan == plan_id) & Contract.signed_on.is_not_null())
    if not fact.suppliers:  # a contract with no award or order before it (e.g. single source)
        for c in contracts:
            key = str(c["supplier_organisation"])
            fact.suppliers[key] = fact.suppliers.get(key, 0) + c["amount_fen"]
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
    await _sme(fact)
    if contracts:
        m["contract_budget_fen"] = plan["amount_fen"]
        m["contract_fen"] = sum(c["amount_fen"] for c in contracts)
    if process is not None and project["bid_deadline_at"] is not None:
        m["tenders"] = 1
        m["bids"] = len({b.supplier for b in process.bids if b.status == red.VALID})
        m["single_bid"] = int(m["bids"] == 1)
    rules = rules_on(awarded_on)
    if tender_on is not None and plan["intention"] is not None:
        intention = (
            await ProcurementIntention.select(ProcurementIntention.published_on)
            .where(ProcurementIntention.id == plan["intention"])
            .first()
        )
        if intention and intention["published_on"]:
            m["lead_n"], m["lead_sum"] = 1, (tender_on - intention["published_on"]).days
    if tender_on is not None and result_on is not None:
        m["award_n"], m["award_sum"] = 1, (result_on - tender_on).days
    signed = min((c["signed_on"] for c in contracts), default=None)
    if result_on is not None and signed is not None:
        days = (signed - result_on).days
        m["sign_n"], m["sign_sum"] = 1, days
        m["sign_ok"] = int(days <= rules["contract_signing"].value)
    await _payment(fact, [c["id"] for c in contracts])
    if process is not None:
        fact.flags = red.raise_flags(process)
        m["flags"] = len(fact.flags)
    return fact


async def _process(plan, project, tenders, awards, tender_on) -> red.Process:
    bids = await Bid.select(
        Bid.supplier_organisation, Bid.supplier_name, Bid.price_fen, Bid.received_at, Bid.status
    ).where((Bid.project == project["id"]) & any_of(Bid.status, VALID_BIDS))
    names = {b["supplier_organisation"]: b["supplier_name"] for b in bids}
    names.update({a["supplier_organisation"]: a["supplier_name"] for a in awards})
    deadline = local_day(project["bid_deadline_at"]) or project["bid_deadline"]
    rule = rules_on(tender_on or deadline or today())["bid_period"]
    return red.Process(
        key=f"plan:{plan['id']}",
        method=plan["method"],
        tender_start=tender_on,
        tender_end=deadline,
        deadline_at=project["bid_deadline_at"],
        bid_period_min=rule.value if plan["method"] in rule.applies_to else None,
        bids=tuple(
            red.Bid(b["supplier_name"], b["price_fen"], b["received_at"], red.VALID) for b in bids
        ),
        winners=tuple(sorted({names[a["supplier_organisation"]] for a in awards})),
        award_fen=sum(a["amount_fen"] for a in awards) if awards else None,
    )


async def _sme(fact: Fact) -> None:
    ids = [int(k) for k in fact.suppliers]
    sizes = {
        r["organisation"]: r["size_class"]
        for r in await Supplier.select(Supplier.organisation, Supplier.size_class).where(
            any_of(Supplier.organisation, ids)
        )
    }
    for key, fen in fact.suppliers.items():
        size = sizes.get(int(key), "")
        if size in SME:
            fact.measures["sme_fen"] += fen
        if size in ("small", "micro"):
            fact.measures["small_micro_fen"] += fen


async def _payment(fact: Fact, contract_ids: list[int]) -> None:
    if not contract_ids:
        return
    final = await AcceptanceReport.select(AcceptanceReport.accepted_on).where(
        any_of(AcceptanceReport.contract, contract_ids)
        & (AcceptanceReport.kind == "final")
        & (AcceptanceReport.passed == True)  # noqa: E712 (a column comparison)
    )
    paid = await Payment.select(Payment.created_at).where(
        any_of(Payment.contract, contract_ids)
        & (Payment.final == True)  # noqa: E712
        & (Payment.status != "rejected")
    )
    if final and paid:
        accepted = max(r["accepted_on"] for r in final)
        requested = min(local_day(r["created_at"]) for r in paid)
        fact.measures["pay_n"], fact.measures["pay_sum"] = 1, (requested - accepted).days


async def plan_ids() -> list[int]:
    """Every plan (for the full rebuild)."""
    rows = await ProcurementPlan.select(ProcurementPlan.id).order_by(ProcurementPlan.id)
    return [r["id"] for r in rows]
