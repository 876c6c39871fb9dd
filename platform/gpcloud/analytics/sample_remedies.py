"""The generated processes' disqualified bids, challenges, complaints and their decisions, bid
guarantees and loans (sample.py writes the rest), so that every indicator of the catalogue has
something to show in the demo and the reconciliation test. Written in bulk into the complaints,
finance_services and transaction tables, as history a migration brings; deterministic: which
process gets what follows its position, amounts come from the caller's generator.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta

from gpcloud.complaints.tables import Challenge, Complaint, ComplaintDecision
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import bulk_insert
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.finance_services.tables import (
    BidGuarantee,
    FinancialInstitution,
    FinancingApplication,
    FinancingOffer,
)
from gpcloud.transaction.tables import OpeningRecord

MISSING_SECURITY = {
    "code": "BID_SECURITY_MISSING",
    "reason": "the documents require a bid security and the bid records none "
    "(Implementing Regulation art. 33)",
}


async def institution(parties: dict, tag: str) -> None:
    """A guarantee company and lender for the generated processes (province-shared)."""
    tree = await tenant_tree()
    name = f"广东粤信融资担保有限公司{tag}"
    (org,) = await bulk_insert(
        Organisation, [{"name": name, "kind": "institution", "region": tree.root}]
    )
    (parties["institution"],) = await bulk_insert(
        FinancialInstitution,
        [
            {
                "organisation": org,
                "kind": "guarantor",
                "name": name,
                "licence": f"粤融担字〔2025〕{tag}号",
                "region": tree.root,
                "status": "approved",
            }
        ],
    )


def disqualified_bids(
    rng: random.Random, flaw, prices, bidders, suppliers, template: dict, truth
) -> list[tuple[dict, bool]]:
    """[(bid row, found invalid at the opening)] beside a process's valid bids: R035 two
    bidders revoked, R036 a lower bid without its security, and now and then (15%, never
    where a single bid would make it R035) one revoked bid."""
    others = [s for s in suppliers if s not in bidders]
    revoked = {**template, "status": "revoked", "price_fen": None}
    out: list[tuple[dict, bool]] = []
    if flaw == "R035":
        for org, name in rng.sample(others, 2):
            out.append(({**revoked, "supplier_organisation": org, "supplier_name": name}, False))
    elif flaw == "R036":
        org, name = rng.choice(others)
        row = {**template, "supplier_organisation": org, "supplier_name": name}
        out.append(({**row, "price_fen": int(prices[0] * 0.9)}, True))
    elif flaw is None and len(prices) >= 2 and rng.random() < 0.15:
        org, name = rng.choice(others)
        out.append(({**revoked, "supplier_organisation": org, "supplier_name": name}, False))
    truth.add("disqualified", template["tenant_id"], len(out))
    return out


async def opening_records(bids: list[dict], ids: list[int], invalid_at: list[int]) -> None:
    """An opening record for each project with a bid it found invalid, naming that bid."""
    rows = []
    for n in invalid_at:
        bid = bids[n]
        entry = {
            "bid": ids[n],
            "bidder_organisation": bid["supplier_organisation"],
            "bidder_name": bid["supplier_name"],
            "lot": bid["lot"],
            "result": "opened",
            "invalidity_grounds": [MISSING_SECURITY],
        }
        rows.append(
            {
                "tenant_id": bid["tenant_id"],
                "project": bid["project"],
                "status": "signed",
                "entries": json.dumps([entry], ensure_ascii=False),
                "opened_at": bid["received_at"],
            }
        )
    await bulk_insert(OpeningRecord, rows, returning=False)


async def add(rng, t, unit, agency_org, parties, processes, signed, truth) -> None:
    """Every 4th tendered process is challenged by its runner-up, every 2nd challenge goes on
    to a complaint, decided upheld and dismissed in turn; every 3rd winner gave an electronic
    guarantee; every 3rd signed contract is financed."""
    challenges, guarantees, decided = [], [], []
    for n, (project, _plan, bidders, price, award_on) in enumerate(processes):
        if n % 3 == 0:
            org = bidders[0][0]
            amount = max(1, int(price * 0.02))
            guarantees.append(
                {
                    "tenant_id": t,
                    "project": project,
                    "supplier_organisation": org,
                    "institution": parties["institution"],
                    "status": "released",
                    "number": f"BH-{project}-{org}",
                    "amount_fen": amount,
                    "beneficiary_name": "生成",
                }
            )
            truth.add("guarantee_fen", t, amount)
        if n % 4 == 1 and len(bidders) >= 2:
            org, name = bidders[1]
            complained = len(challenges) % 2 == 0
            challenges.append(
                {
                    "tenant_id": t,
                    "project": project,
                    "purchaser_organisation": unit,
                    "agency_organisation": agency_org,
                    "supplier_organisation": org,
                    "supplier_name": name,
                    "filed_by": 0,
                    "target": "result",
                    "step": "result",
                    "filing_key": f"{project}:{org}:result",
                    "items": [{"claim": "生成", "facts": "生成", "request": "生成"}],
                    "known_on": award_on,
                    "window_end": award_on + timedelta(days=9),
                    "filed_on": award_on + timedelta(days=2),
                    "answer_due": award_on + timedelta(days=11),
                    "complaint_until": award_on + timedelta(days=32),
                    "answer": "生成",
                    "answered_on": award_on + timedelta(days=5),
                    "status": "complained" if complained else "answered",
                }
            )
            truth.add("challenges", t, 1)
            if complained:
                decided.append((project, org, name, award_on))
    challenge_ids = await bulk_insert(Challenge, challenges)
    by_project = {c["project"]: i for c, i in zip(challenges, challenge_ids, strict=True)}
    complaints = [
        {
            "tenant_id": t,
            "project": project,
            "project_tenant": t,
            "challenge": by_project[project],
            "purchaser_organisation": unit,
            "agency_organisation": agency_org,
            "supplier_organisation": org,
            "supplier_name": name,
            "filed_by": 0,
            "items": [{"item": 0, "claim": "生成", "request": "生成"}],
            "filed_on": on + timedelta(days=20),
            "review_due": on + timedelta(days=27),
            "decision_due": on + timedelta(days=70),
            "status": "upheld" if n % 2 == 0 else "dismissed",
        }
        for n, (project, org, name, on) in enumerate(decided)
    ]
    complaint_ids = await bulk_insert(Complaint, complaints)
    truth.add("complaints", t, len(complaints))
    await bulk_insert(
        ComplaintDecision,
        [
            {
                "tenant_id": t,
                "complaint": cid,
                "project": c["project"],
                "supplier_organisation": c["supplier_organisation"],
                "outcome": c["status"],
                "remedy": "redo_step" if c["status"] == "upheld" else "none",
                "reasons": "生成",
                "document": f"梅财采决〔2026〕{cid}号",
                "decided_on": c["decision_due"] - timedelta(days=10),
                "decided_by": 0,
            }
            for c, cid in zip(complaints, complaint_ids, strict=True)
        ],
        returning=False,
    )
    await bulk_insert(BidGuarantee, guarantees, returning=False)
    await _loans(rng, t, parties, processes, signed, truth)


async def _loans(rng, t, parties, processes, signed, truth) -> None:
    financed = [
        (signed[plan], bidders[0][0])
        for n, (_p, plan, bidders, _price, _on) in enumerate(processes)
        if n % 3 == 1 and plan in signed
    ]
    amounts = [int(amount * rng.uniform(0.3, 0.7)) for (_c, amount), _org in financed]
    applications = await bulk_insert(
        FinancingApplication,
        [
            {"tenant_id": t, "contract": c, "supplier_organisation": org, "amount_fen": fen}
            for ((c, _a), org), fen in zip(financed, amounts, strict=True)
        ],
    )
    await bulk_insert(
        FinancingOffer,
        [
            {
                "tenant_id": t,
                "application": app,
                "institution": parties["institution"],
                "contract": c,
                "status": "approved",
                "amount_fen": fen,
                "rate": "3.85",
                "term_months": 12,
            }
            for app, ((c, _a), _org), fen in zip(applications, financed, amounts, strict=True)
        ],
        returning=False,
    )
    truth.add("loan_fen", t, sum(amounts))
