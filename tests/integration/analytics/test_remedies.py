"""Challenges, complaints, bid guarantees and loans in the indicators: they reconcile with the
generator's own sums and with a recomputation from scratch; a challenge, a complaint decision
or a loan approved later (none of them published to the receiver) reaches the rollups through
the refresh loop's sweep; a complaint handled by the city's department counts in the county of
its project, and in no sibling county."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from gpcloud.analytics.service import indicators, refresh
from gpcloud.analytics.service.indicators import Filters
from gpcloud.analytics.tables import Rollup
from gpcloud.complaints.tables import Challenge, Complaint, ComplaintDecision
from gpcloud.contracts.tables import Contract
from gpcloud.core.clock import now
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.finance_services.tables import (
    FinancialInstitution,
    FinancingApplication,
    FinancingOffer,
)
from gpcloud.transaction.tables import Bid, Project
from tests.integration.analytics.test_reconcile import _check
from tests.integration.analytics.world import MEIZHOU, PINGYUAN, XINGNING, generated, publish_all


async def _values(region: str) -> dict:
    return {
        v.indicator.id: v.value for v in await indicators.dashboard(None, Filters(region, 2026))
    }


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


async def test_the_remedy_and_finance_figures_reconcile_with_the_generator():
    truth = await generated(per_tenant=12)
    await publish_all()
    both = (MEIZHOU, XINGNING)
    with all_tenants("test: remedies reconcile"):
        values = await _check(MEIZHOU)  # every indicator against a recomputation from scratch
        await _check(XINGNING)
        assert values["challenges"] == sum(truth.challenges[t] for t in both)
        assert values["complaints"] == sum(truth.complaints[t] for t in both)
        assert values["guarantee_amount"] == _yuan(sum(truth.guarantee_fen[t] for t in both))
        assert values["loan_amount"] == _yuan(sum(truth.loan_fen[t] for t in both))
        assert values["complaint_upheld_share"] is not None
        assert Decimal(0) < values["complaint_upheld_share"] <= 1
        rows = await Rollup.select(Rollup.disqualified).where(Rollup.dim == "all")
        assert sum(r["disqualified"] for r in rows) == sum(truth.disqualified.values())
        assert values["disqualified_share"] > 0


async def _unchallenged_project() -> dict:
    challenged = {r["project"] for r in await Challenge.select(Challenge.project)}
    for project in await Project.select().where(Project.tenant_id == XINGNING).order_by(Project.id):
        bids = await Bid.select().where(Bid.project == project["id"])
        if project["id"] not in challenged and len(bids) >= 2:
            return {**project, "bidder": bids[-1]}
    raise AssertionError("no project to challenge")


async def test_later_challenges_decisions_and_loans_reach_the_rollups_through_the_sweep():
    await generated(tenants=(MEIZHOU, XINGNING), per_tenant=8, flawed=0)
    await publish_all()
    with all_tenants("test: later remedies"):
        before = await _values(XINGNING)
        project = await _unchallenged_project()
        bidder = project["bidder"]
        on = project["bid_deadline"] + timedelta(days=20)
        started = now()
        async with transaction():
            (challenge,) = await Challenge.insert(
                Challenge(
                    tenant_id=XINGNING,
                    project=project["id"],
                    purchaser_organisation=bidder["supplier_organisation"],
                    agency_organisation=project["agency_organisation"],
                    supplier_organisation=bidder["supplier_organisation"],
                    supplier_name=bidder["supplier_name"],
                    filed_by=0,
                    target="result",
                    step="result",
                    filing_key=f"test:{project['id']}",
                    known_on=on,
                    window_end=on + timedelta(days=9),
                    filed_on=on,
                    answer_due=on + timedelta(days=11),
                    complaint_until=on + timedelta(days=30),
                    status="complained",
                )
            )
        # The sweep finds the challenged process's plan, and nothing older.
        assert await refresh.changed_since(started) == [project["plan"]]
        assert await refresh.refresh_pending() >= 1
        after = await _values(XINGNING)
        assert after["challenges"] == before["challenges"] + 1
        assert after["challenge_rate"] > (before["challenge_rate"] or 0)
        # The city's department upholds a complaint on the county's project: it counts with
        # the project (Xingning), not with the department; a sibling county sees nothing.
        async with transaction():
            (complaint,) = await Complaint.insert(
                Complaint(
                    tenant_id=MEIZHOU,
                    project=project["id"],
                    project_tenant=XINGNING,
                    challenge=challenge["id"],
                    purchaser_organisation=bidder["supplier_organisation"],
                    agency_organisation=project["agency_organisation"],
                    supplier_organisation=bidder["supplier_organisation"],
                    supplier_name=bidder["supplier_name"],
                    filed_by=0,
                    filed_on=on + timedelta(days=15),
                    review_due=on + timedelta(days=22),
                    decision_due=on + timedelta(days=60),
                    status="upheld",
                )
            )
            await ComplaintDecision.insert(
                ComplaintDecision(
                    tenant_id=MEIZHOU,
                    complaint=complaint["id"],
                    project=project["id"],
                    supplier_organisation=bidder["supplier_organisation"],
                    outcome="upheld",
                    remedy="redo_step",
                    reasons="测试",
                    document="梅财采决〔2026〕1号",
                    decided_on=on + timedelta(days=40),
                    decided_by=0,
                )
            )
        await refresh.refresh_pending()
        decided = await _values(XINGNING)
        assert decided["complaints"] == before["complaints"] + 1
        assert decided["complaint_rate"] > (before["complaint_rate"] or 0)
        assert (await _values(PINGYUAN))["complaints"] == 0
        # A loan offer: pending counts nothing; approved later, it does.
        contract = (
            await Contract.select().where(Contract.tenant_id == XINGNING).order_by(Contract.id)
        )[0]
        institution = await FinancialInstitution.select(FinancialInstitution.id).first()
        async with transaction():
            (application,) = await FinancingApplication.insert(
                FinancingApplication(
                    tenant_id=XINGNING,
                    contract=contract["id"],
                    supplier_organisation=contract["supplier_organisation"],
                    amount_fen=12_345_00,
                )
            )
            (offer,) = await FinancingOffer.insert(
                FinancingOffer(
                    tenant_id=XINGNING,
                    application=application["id"],
                    institution=institution["id"],
                    contract=contract["id"],
                    amount_fen=12_345_00,
                )
            )
        await refresh.refresh_pending()
        assert (await _values(XINGNING))["loans"] == before["loans"]
        async with transaction():
            await FinancingOffer.update(
                {FinancingOffer.status: "approved", FinancingOffer.updated_at: now()}
            ).where(FinancingOffer.id == offer["id"])
        await refresh.refresh_pending()
        financed = await _values(XINGNING)
        assert financed["loans"] == before["loans"] + 1
        assert financed["loan_amount"] == before["loan_amount"] + Decimal("12345.00")
        # Still one with a recomputation from scratch.
        await _check(XINGNING)
        await _check(MEIZHOU)
