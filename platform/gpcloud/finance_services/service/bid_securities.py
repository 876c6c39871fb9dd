"""An electronic bid guarantee checked as the sealed bid naming it is submitted, not only at
the opening (issue 18: "the platform verifies it ... when the bid is sealed"): a bid whose
guarantee would fail at the opening is refused while the bidder can still fix it.

Transaction sits below the finance centre and asks through `gpcloud_bid_security_check`
(hooks.py); the answer is computed here. A reference that is no guarantee of the platform (a
deposit) is not the finance centre's to judge: None, the agency checks it at the opening
(settlement.bid_securities). Runs in the submission's transaction, after the bidder's lock
(transaction/bids.py), so two bids of one bidder naming one guarantee take turns.
"""

from __future__ import annotations

from gpcloud.core.clock import today
from gpcloud.core.errors import Problem
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.finance_services.service import guarantees
from gpcloud.transaction.tables import Bid

LIVE = ("submitted", "unsealed")  # bids that still count (withdrawn, revoked do not)


async def at_submission(
    project_id: int, lot: str, organisation_id: int, security: str
) -> tuple[dict, list[Problem]] | None:
    """(the guarantee, what is wrong) for the guarantee `security` names, or None when it names
    none. Wrong: issued to another organisation (nothing more is said about it), for another
    project, not in force, a signature that does not verify, short of the requirement (amount,
    validity, beneficiary), expired, or named by another live bid (the bidder's own earlier
    bid for the same lot is the one this bid replaces)."""
    row = await guarantees.by_number(security)
    if row is None:
        return None
    if row["supplier_organisation"] != organisation_id:
        return row, [
            Problem(
                "GUARANTEE_NOT_THE_BIDDERS",
                "this guarantee was not issued to your organisation",
                "security",
            )
        ]
    problems: list[Problem] = []
    if row["project"] != project_id:
        problems.append(
            Problem(
                "GUARANTEE_WRONG_PROJECT",
                "the guarantee was issued for another project",
                "security",
            )
        )
    problems += await guarantees.problems_of(row)
    if row["valid_until"] is not None and row["valid_until"] < today():
        problems.append(
            Problem(
                "GUARANTEE_EXPIRED", f"the guarantee expired on {row['valid_until']}", "security"
            )
        )
    with all_tenants(guarantees.SCOPE):
        others = await Bid.select(Bid.id, Bid.lot, Bid.supplier_organisation).where(
            (Bid.project == row["project"])
            & (Bid.security == row["number"])
            & Bid.status.is_in(list(LIVE))
        )
    if any((o["supplier_organisation"], o["lot"]) != (organisation_id, lot) for o in others):
        problems.append(
            Problem(
                "GUARANTEE_IN_USE",
                "another bid names this guarantee: one guarantee secures one bid",
                "security",
            )
        )
    return row, problems
