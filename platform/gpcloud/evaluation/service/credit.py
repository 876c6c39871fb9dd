"""The credit check that governs the evaluation (Caiku [2016] 125: the result at the evaluation
counts, kept with its records): the snapshots credit took of each bidder as the committee started
(credit/service/at_evaluation.py). A bidder found on a list then fails its qualification review,
and the report carries every snapshot."""

from __future__ import annotations

from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.credit.service import at_evaluation
from gpcloud.evaluation.service.common import PARTY_SCOPE


async def snapshots(evaluation: dict) -> dict[int, dict]:
    """The snapshot of each bidding organisation, by organisation id."""
    with all_tenants(PARTY_SCOPE):
        rows = await at_evaluation.snapshots(evaluation["committee"])
    return {r["organisation"]: r for r in rows}


async def ensure_may_pass(evaluation: dict, organisation: int) -> None:
    """A supplier on a credit list on the evaluation day cannot pass the qualification review."""
    found = (await snapshots(evaluation)).get(organisation)
    if found is not None and not found["clear"]:
        raise DomainError(
            "CREDIT_NOT_CLEAR",
            "the supplier was on a credit list on the evaluation day (Caiku [2016] 125): "
            "its qualification fails",
            "passed",
        )


def in_report(snapshot: dict, supplier: str) -> dict:
    return {
        "organisation": snapshot["organisation"],
        "supplier": supplier,
        "clear": snapshot["clear"],
        "on_day": snapshot["on_day"].isoformat(),
        "lists": snapshot["lists"],
        "digest": snapshot["digest"],
    }
