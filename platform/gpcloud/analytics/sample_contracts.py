"""The generated processes' contracts, final acceptances and final payments (sample.py)."""

from __future__ import annotations

from datetime import timedelta

from gpcloud.analytics import sample_publications
from gpcloud.contracts.tables import AcceptanceReport, Contract, Payment
from gpcloud.core.db import bulk_insert

at = sample_publications.at


async def performance(rng, t, unit, parties, contracts, truth) -> dict[int, tuple[int, int]]:
    """Contracts signed 5 to 40 days after the award and published (sample_publications), a
    final acceptance and a final payment; {plan: (contract id, amount)}."""

    rows = []
    for plan, org, name, amount, award_on in contracts:
        signed = award_on + timedelta(days=rng.randint(5, 40))
        rows.append(
            {
                "tenant_id": t,
                "plan": plan,
                "purchaser_organisation": unit,
                "supplier_organisation": org,
                "supplier_name": name,
                "title": "生成合同",
                "terms": "生成",
                "amount_fen": amount,
                "status": "published",
                "signed_on": signed,
            }
        )
    await sample_publications.contracts(rows, truth)
    ids = await bulk_insert(Contract, rows)
    reports, payments = [], []
    for contract, row in zip(ids, rows, strict=True):
        accepted = row["signed_on"] + timedelta(days=rng.randint(20, 60))
        reports.append(
            {
                "tenant_id": t,
                "contract": contract,
                "kind": "final",
                "title": "最终验收",
                "findings": "合格",
                "passed": True,
                "accepted_on": accepted,
                "status": "published",
                "published_on": accepted,
            }
        )
        payments.append(
            {
                "tenant_id": t,
                "contract": contract,
                "indicator": parties["indicator"][t],
                "amount_fen": row["amount_fen"],
                "final": True,
                "status": "exported",
                "requested_by": 0,
                "created_at": at(accepted + timedelta(days=rng.randint(3, 45))),
            }
        )
    await bulk_insert(AcceptanceReport, reports, returning=False)
    await bulk_insert(Payment, payments, returning=False)
    return {r["plan"]: (c, r["amount_fen"]) for c, r in zip(ids, rows, strict=True)}
