"""The credit check at evaluation, whose result governs (Caiku [2016] 125: the result at the
evaluation is the one that counts, and is kept with the evaluation's records): as a committee
starts evaluating, a snapshot of every bidder it evaluates is stored in the committee's tenant,
referenced `evaluation_committee:<id>` so that the evaluation report shows it
(`creditChecks(reference: ...)`, `snapshots`).

Evaluation sits above credit, but its workflow is not edited for this: the committee's
`start_evaluation` transition reaches `committee_started` through
`gpcloud.domains.TRANSITION_RECEIVERS` (core/workflow), in the transition's transaction, so
the evaluation starts with its snapshots or not at all.
"""

from __future__ import annotations

from gpcloud.core.clock import LEGAL_TZ
from gpcloud.core.tenancy.scope import all_tenants, maybe_scope, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.credit.service import checks
from gpcloud.credit.tables import CreditCheck
from gpcloud.transaction import bids

PURPOSE = "evaluation"
EVALUATED = ("submitted", "unsealed")  # bids still in (not withdrawn, not revoked)
SCOPE = "credit at evaluation: bidders of every region, the committee's tenant"


def reference(committee_id: int) -> str:
    return f"evaluation_committee:{committee_id}"


async def committee_started(committee: dict) -> None:
    """Check each bidder of the committee's project (its lot, when it evaluates one) on the
    evaluation day, in the committee's tenant."""
    tenant = committee["tenant_id"]
    with all_tenants(SCOPE, audited=False):
        rows = await bids.of_project(committee["project"], EVALUATED)
    bidders = sorted(
        {b["supplier_organisation"] for b in rows if committee["lot"] in ("", b["lot"])}
    )
    day = committee["evaluation_at"].astimezone(LEGAL_TZ).date()
    outer = maybe_scope()
    scope = (await tenant_tree()).scope_for(tenant, outer.user_id if outer else None)
    with use_scope(scope):
        for organisation in bidders:
            await checks.check(
                organisation, PURPOSE, day, tenant=tenant, reference=reference(committee["id"])
            )


async def snapshots(committee_id: int) -> list[dict]:
    """The snapshots taken as the committee started (in the caller's scope: its tenant)."""
    return await (
        CreditCheck.select()
        .where(CreditCheck.reference == reference(committee_id))
        .order_by(CreditCheck.organisation)
        .output(load_json=True)
    )
