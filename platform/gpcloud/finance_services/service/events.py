"""What the finance centre learns from publications (gpcloud.core.publishing; the receiver is
named in gpcloud.domains.PUBLICATION_RECEIVERS): a result announcement sets when the losers'
guarantees are released and tells their institutions; a published contract (signed) sets the
winner's release and tells its institutions; a passed acceptance tells the financing
institutions. Written in the publishing transaction."""

from __future__ import annotations

from gpcloud.core.publishing import Publication
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.finance_services.service import institutions, settlement, webhooks
from gpcloud.finance_services.tables import BidGuarantee, FinancingOffer

SCOPE = "finance events: institutions serve suppliers of every region"


async def _guarantors(project_id: int, organisation: int | None = None) -> list[dict]:
    with all_tenants(SCOPE, audited=False):
        query = BidGuarantee.select(
            BidGuarantee.institution, BidGuarantee.supplier_organisation
        ).where((BidGuarantee.project == project_id) & (BidGuarantee.status != "applied"))
        rows = await query
    ids = sorted(
        {r["institution"] for r in rows if organisation in (None, r["supplier_organisation"])}
    )
    return [r for r in await institutions.by_ids(ids) if r]


async def _financiers(contract_id: int) -> list[dict]:
    with all_tenants(SCOPE, audited=False):
        rows = await FinancingOffer.select(FinancingOffer.institution).where(
            (FinancingOffer.contract == contract_id)
            & FinancingOffer.status.is_in(["pending", "approved"])
        )
    return [r for r in await institutions.by_ids(sorted({r["institution"] for r in rows})) if r]


async def received(item: Publication) -> None:
    details = item.details or {}
    if item.kind == "result" and details.get("project_id"):
        project = details["project_id"]
        winners = {s.organisation_id for s in item.suppliers}
        await settlement.release_after(project, item.published_on, winners, None)
        for institution in await _guarantors(project):
            await webhooks.emit(
                institution,
                "award_published",
                f"project:{project}",
                item.tenant,
                {
                    "project_id": project,
                    "published_on": item.published_on,
                    "winners": sorted(winners),
                },
            )
    elif item.kind == "contract" and details.get("contract_id"):
        contract, project = details["contract_id"], details.get("project_id")
        supplier = item.suppliers[0].organisation_id if item.suppliers else None
        signed = details.get("signed_on") or item.published_on
        targets = {i["id"]: i for i in await _financiers(details.get("parent_id") or contract)}
        if project and not details.get("parent_id"):  # the original contract, not a supplement
            await settlement.release_after(project, signed, None, supplier)
            targets.update({i["id"]: i for i in await _guarantors(project, supplier)})
        for institution in targets.values():
            await webhooks.emit(
                institution,
                "contract_signed",
                f"contract:{contract}",
                item.tenant,
                {
                    "contract_id": contract,
                    "project_id": project,
                    "signed_on": signed,
                    "amount_fen": item.amount_fen,
                },
            )
    elif item.kind == "acceptance" and details.get("passed") and details.get("contract_id"):
        contract = details["contract_id"]
        for institution in await _financiers(contract):
            await webhooks.emit(
                institution,
                "acceptance_passed",
                f"{item.source}",
                item.tenant,
                {
                    "contract_id": contract,
                    "kind": details.get("acceptance_kind"),
                    "accepted_on": details.get("accepted_on"),
                },
            )
