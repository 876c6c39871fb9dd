"""What a process's challenges, complaints, bid guarantees, financing and opening record add to
its fact: read from the complaints, finance_services and transaction tables (one query per
table for a batch), so that these figures are refreshed, rolled up and reconciled exactly like
the award figures (facts.py).

A process's challenges and complaints count with the process (its plan's region, the month of
its award), not with the finance department that handled the complaint: the question a region
asks is how often its own procurement is challenged. Guarantees count with the project they
secured, loans with the contract they finance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from gpcloud.complaints.tables import Challenge, Complaint, ComplaintDecision
from gpcloud.core.db import any_of
from gpcloud.finance_services.service.figures import GIVEN
from gpcloud.finance_services.tables import BidGuarantee, FinancingOffer
from gpcloud.transaction.tables import OpeningRecord

MEASURES = (
    "disqualified",
    "challenged",
    "challenges",
    "complained",
    "complaints",
    "complaints_decided",
    "complaints_upheld",
    "guarantees",
    "guarantee_fen",
    "loans",
    "loan_fen",
)


@dataclass
class Remedies:
    challenges: dict = field(default_factory=dict)  # project id -> count
    complaints: dict = field(default_factory=dict)  # project id -> count
    decisions: dict = field(default_factory=dict)  # project id -> [outcome]
    guarantees: dict = field(default_factory=dict)  # project id -> [amount fen]
    loans: dict = field(default_factory=dict)  # contract id -> [amount fen]
    invalid_bids: set = field(default_factory=set)  # bid ids the opening found invalid


def _count(rows: list[dict], key: str) -> dict[int, int]:
    out: dict[int, int] = {}
    for r in rows:
        out[r[key]] = out.get(r[key], 0) + 1
    return out


def _amounts(rows: list[dict], key: str) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r["amount_fen"] or 0)
    return out


async def load(project_ids: list[int], contract_ids: list[int]) -> Remedies:
    """Every challenge, complaint, decision, given guarantee and approved loan of these
    projects and contracts, and the bids their opening records found invalid."""
    challenges = await Challenge.select(Challenge.project).where(
        any_of(Challenge.project, project_ids)
    )
    complaints = await Complaint.select(Complaint.project).where(
        any_of(Complaint.project, project_ids)
    )
    decisions = await ComplaintDecision.select(
        ComplaintDecision.project, ComplaintDecision.outcome
    ).where(any_of(ComplaintDecision.project, project_ids))
    guarantees = await BidGuarantee.select(BidGuarantee.project, BidGuarantee.amount_fen).where(
        any_of(BidGuarantee.project, project_ids) & BidGuarantee.status.is_in(list(GIVEN))
    )
    loans = await FinancingOffer.select(FinancingOffer.contract, FinancingOffer.amount_fen).where(
        any_of(FinancingOffer.contract, contract_ids) & (FinancingOffer.status == "approved")
    )
    records = await OpeningRecord.select(OpeningRecord.entries).where(
        any_of(OpeningRecord.project, project_ids)
    )
    out = Remedies(
        challenges=_count(challenges, "project"),
        complaints=_count(complaints, "project"),
        guarantees=_amounts(guarantees, "project"),
        loans=_amounts(loans, "contract"),
    )
    for d in decisions:
        out.decisions.setdefault(d["project"], []).append(d["outcome"])
    for r in records:
        for entry in json.loads(r["entries"] or "[]"):
            if entry.get("invalidity_grounds"):
                out.invalid_bids.add(entry["bid"])
    return out


def measure(m: dict, src: Remedies, project_id: int | None, contract_ids: list[int]) -> None:
    """Add the process's remedies and finance figures to its measures `m`."""
    if project_id is not None:
        n = src.challenges.get(project_id, 0)
        m["challenges"], m["challenged"] = n, int(n > 0)
        n = src.complaints.get(project_id, 0)
        m["complaints"], m["complained"] = n, int(n > 0)
        outcomes = src.decisions.get(project_id, [])
        m["complaints_decided"] = len(outcomes)
        m["complaints_upheld"] = sum(o == "upheld" for o in outcomes)
        given = src.guarantees.get(project_id, [])
        m["guarantees"], m["guarantee_fen"] = len(given), sum(given)
    loans = [fen for c in contract_ids for fen in src.loans.get(c, [])]
    m["loans"], m["loan_fen"] = len(loans), sum(loans)


async def changed_projects(since) -> set[int]:
    """Projects whose challenges, complaints, decisions or guarantees changed after `since`
    (none of these publish anything the receiver would queue)."""
    out: set[int] = set()
    for table, stamp in (
        (Challenge, Challenge.updated_at),
        (Complaint, Complaint.updated_at),
        (ComplaintDecision, ComplaintDecision.created_at),
        (BidGuarantee, BidGuarantee.updated_at),
    ):
        out |= {r["project"] for r in await table.select(table.project).where(stamp > since)}
    return out


async def changed_contracts(since) -> set[int]:
    """Contracts whose loan offers changed after `since`."""
    rows = await FinancingOffer.select(FinancingOffer.contract).where(
        FinancingOffer.updated_at > since
    )
    return {r["contract"] for r in rows}
