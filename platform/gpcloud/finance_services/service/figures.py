"""The finance centre's figures for a region and the regions below it, like the seed's
(institutions, loans, amounts, SMEs served, guarantees, deposits replaced): for the analytics
centre and the API."""

from __future__ import annotations

from dataclasses import dataclass

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.finance_services.tables import BidGuarantee, FinancialInstitution, FinancingOffer
from gpcloud.registries.suppliers.service import search as suppliers

GIVEN = ("issued", "released", "claimed", "paid")  # guarantees that replaced a cash deposit


@dataclass(frozen=True)
class Figures:
    region: str
    institutions: int
    loans: int
    loan_amount_fen: int
    smes_served: int
    guarantees: int
    deposits_replaced_fen: int


async def figures_of(region: str) -> Figures:
    """The figures of `region` and below (no permission check: for jobs and analytics)."""
    tree = await tenant_tree()
    if tree.get(region) is None:
        raise DomainError("UNKNOWN_REGION", f"no region {region}", "region")
    with use_scope(tree.scope_for(region)):
        loans = await FinancingOffer.select(
            FinancingOffer.amount_fen,
            FinancingOffer.application.supplier_organisation.as_alias("supplier"),
        ).where(FinancingOffer.status == "approved")
        given = await BidGuarantee.select(BidGuarantee.amount_fen).where(
            BidGuarantee.status.is_in(list(GIVEN))
        )
    institutions = await FinancialInstitution.count().where(
        FinancialInstitution.status == "approved"
    )
    served = sorted({r["supplier"] for r in loans})
    smes = await suppliers.smes_among(served)
    return Figures(
        region=region,
        institutions=institutions,
        loans=len(loans),
        loan_amount_fen=sum(r["amount_fen"] or 0 for r in loans),
        smes_served=len(smes),
        guarantees=len(given),
        deposits_replaced_fen=sum(r["amount_fen"] or 0 for r in given),
    )


@requires(Perm.FINANCE_READ)
async def figures(actor: CurrentUser, region: str | None) -> Figures:
    code = region or actor.tenant
    if not actor.in_region(code):
        raise DomainError("FORBIDDEN", f"region {code} is outside yours ({actor.tenant})")
    return await figures_of(code)
