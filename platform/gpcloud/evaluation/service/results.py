"""What the evaluation tells outside the committee once the winner is confirmed: a bidder its
own outcome (rank and score, or why its bid was invalid; nothing about the others), and the
transaction's result announcement the confirmed winner and the experts' names (through the
gpcloud_evaluation_result hook, evaluation/hooks.py)."""

from __future__ import annotations

import json

from gpcloud.core.auth.roles import SUPPLIER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.errors import NotFound
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation.service import evaluations
from gpcloud.evaluation.service.common import PARTY_SCOPE
from gpcloud.evaluation.service.reports import report_of
from gpcloud.evaluation.tables import Evaluation


async def my_result(actor: CurrentUser, evaluation_id: int) -> dict | None:
    """A bidder's own outcome once the winner is confirmed: its rank and score, or why its bid
    was invalid; nothing about the other bids (they read the result notice)."""
    if SUPPLIER not in actor.roles:
        raise NotFound("evaluation", evaluation_id)
    mine = [
        b for b in await evaluations.bids(evaluation_id)
        if b["supplier_organisation"] == actor.organisation_id
    ]  # fmt: skip
    if not mine:
        raise NotFound("evaluation", evaluation_id)
    report = await report_of(evaluation_id)
    if report is None or report["status"] != "confirmed":
        return None
    content = json.loads(report["content"])
    ranked = {r["bid"]: r for r in content["ranking"]}
    invalid = {i["bid"]: i for i in content["invalid"]}
    bid = mine[0]["id"]
    row = ranked.get(bid)
    return {
        "bid": bid,
        "won": report["winner"] == bid,
        "rank": row["rank"] if row else None,
        "total": row["total"] if row else None,
        "evaluated_price": row["evaluated_price"] if row else None,
        "invalid_reason": invalid[bid]["reason"] if bid in invalid else None,
    }


async def results_of_project(project_id: int) -> list[dict]:
    """Each evaluation of the project as the result announcement needs it: the confirmed
    winner at its evaluated amount (the bid price, corrected where the bidder confirmed a
    correction; policy deductions only rank, the contract is at the bid price), its evaluated
    price and total score, the counts of valid and invalid bids, and the experts' names
    (Implementing Regulation art. 43)."""
    with all_tenants(PARTY_SCOPE):
        rows = await Evaluation.select().where(Evaluation.project == project_id)
    found = []
    for evaluation in sorted(rows, key=lambda r: r["id"]):
        report = await report_of(evaluation["id"])
        winner, content = None, {}
        experts_named: list[str] = []
        if report is not None:
            content = json.loads(report["content"])
            experts_named = [m["name"] for m in content["committee"]["members"]]
            if report["status"] == "confirmed":
                chosen = next(r for r in content["ranking"] if r["bid"] == report["winner"])
                bid = await evaluations.bid(evaluation, report["winner"])
                winner = {
                    "organisation_id": bid["supplier_organisation"],
                    "supplier_name": bid["supplier_name"],
                    "amount": chosen["bid_price"],
                    "evaluated_price": chosen["evaluated_price"],
                    "total": chosen["total"],
                }
        found.append(
            {
                "reference": f"evaluation:{evaluation['id']}",
                "lot": evaluation["lot"],
                "method": evaluation["method"],
                "status": "confirmed" if winner else "pending",
                "winner": winner,
                "experts": experts_named,
                "valid_bids": len(content["ranking"]) if report else 0,
                "invalid_bids": len(content["invalid"]) if report else 0,
            }
        )
    return found
