"""Contract financing (政采贷): a supplier applies against its signed contract and consents to
each institution it chooses (a FinancingOffer); while the offer is pending or approved, that
institution — and no other — reads that contract, its acceptance reports and its payments,
each read audited. The institution decides (amount, yearly rate, term)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from gpcloud.contracts import service as contracts
from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now
from gpcloud.core.db import for_update, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.money import to_fen
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.finance_services.service import institutions, webhooks
from gpcloud.finance_services.tables import FinancingApplication, FinancingOffer
from gpcloud.finance_services.workflow import OFFER

SCOPE = "financing: suppliers and institutions act on a contract of any region"
CONSENTED = ("pending", "approved")  # offer states in which the institution may read
MAX_INSTITUTIONS = 5
A = FinancingApplication
OF = FinancingOffer


@dataclass(frozen=True)
class Decision:
    approve: bool
    amount: Decimal | None = None
    rate: str = ""
    term_months: int | None = None
    reason: str = ""


async def get_application(application_id: int) -> dict:
    with all_tenants(SCOPE):
        row = await A.select().where(A.id == application_id).first()
    if row is None:
        raise NotFound("financing application", application_id)
    return row


async def get_offer(offer_id: int) -> dict:
    with all_tenants(SCOPE):
        row = await OF.select().where(OF.id == offer_id).first()
    if row is None:
        raise NotFound("financing offer", offer_id)
    return row


async def offers_of(application_ids: list[int]) -> list[list[dict]]:
    with all_tenants(SCOPE):
        rows = (
            await OF.select()
            .where(OF.application.is_in(list(application_ids) or [0]))
            .order_by(OF.id)
        )
    found: dict[int, list[dict]] = {i: [] for i in application_ids}
    for row in rows:
        found[row["application"]].append(row)
    return [found[i] for i in application_ids]


@requires(Perm.FINANCING_APPLY)
async def apply(
    actor: CurrentUser, contract_id: int, amount: Decimal, institution_ids: list[int], purpose: str
) -> tuple[dict, list[dict]]:
    """The supplier applies against its own signed contract and consents to the institutions."""
    chosen = list(dict.fromkeys(institution_ids))
    if not 1 <= len(chosen) <= MAX_INSTITUTIONS:
        raise DomainError(
            "INVALID_INSTITUTIONS", f"choose 1 to {MAX_INSTITUTIONS} institutions", "institutionIds"
        )
    fen = to_fen(amount)
    async with transaction():
        contract = await contracts.as_party(actor, contract_id)
        if contract["supplier_organisation"] != actor.organisation_id:
            raise NotFound("contract", contract_id)
        if contract["status"] not in contracts.SIGNED:
            raise DomainError("NOT_SIGNED", "financing is applied for against a signed contract")
        if not 0 < fen <= contract["amount_fen"]:
            raise DomainError(
                "INVALID_AMOUNT", "above zero and at most the contract amount", "amount"
            )
        for row in await institutions.by_ids(chosen):
            if row is None or row["status"] != "approved":
                raise DomainError(
                    "INVALID_INSTITUTIONS", "choose approved institutions", "institutionIds"
                )
        with all_tenants(SCOPE):
            application = A(
                tenant_id=contract["tenant_id"],
                contract=contract_id,
                supplier_organisation=actor.organisation_id,
                amount_fen=fen,
                purpose=purpose.strip()[:2000],
            )
            await application.save()
            for institution in chosen:
                offer = OF(
                    tenant_id=contract["tenant_id"],
                    application=application.id,
                    institution=institution,
                    contract=contract_id,
                )
                await offer.save()
                await OFFER.created(
                    await get_offer(offer.id), {"consent": "granted", "contract": contract_id}
                )
        await audit.record(
            "financing_application.create",
            "financing_application",
            application.id,
            None,
            {"contract": contract_id, "institutions": chosen},
            tenant=contract["tenant_id"],
        )
        return await get_application(application.id), (await offers_of([application.id]))[0]


async def suppliers_offer(actor: CurrentUser, offer_id: int) -> dict:
    with all_tenants(SCOPE):
        offer = await for_update(OF.select().where(OF.id == offer_id)).first()
    if (
        offer is None
        or (await get_application(offer["application"]))["supplier_organisation"]
        != actor.organisation_id
    ):
        raise NotFound("financing offer", offer_id)
    return offer


@requires(Perm.FINANCING_APPLY)
async def withdraw(actor: CurrentUser, offer_id: int) -> dict:
    """The supplier withdraws its consent: the institution reads the contract no more."""
    async with transaction():
        offer = await suppliers_offer(actor, offer_id)
        with all_tenants(SCOPE):
            return await OFFER.move(actor, offer, "withdraw")


async def _institutions_offer(institution: dict, offer_id: int) -> dict:
    with all_tenants(SCOPE):
        offer = await for_update(OF.select().where(OF.id == offer_id)).first()
    if offer is None or offer["institution"] != institution["id"]:
        raise NotFound("financing offer", offer_id)
    return offer


def _rate(text: str) -> str:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        value = Decimal(-1)
    if not Decimal(0) < value <= Decimal(24) or value.as_tuple().exponent < -4:
        raise DomainError(
            "INVALID_RATE", "a yearly rate in percent, above 0 and at most 24", "rate"
        )
    return str(value)


@requires(Perm.FINANCING_DECIDE)
async def decide(actor: CurrentUser, offer_id: int, decision: Decision) -> dict:
    async with transaction():
        institution = await institutions.acting(actor)
        offer = await _institutions_offer(institution, offer_id)
        changes: dict = {OF.decided_by: actor.id, OF.decided_at: now()}
        if decision.approve:
            application = await get_application(offer["application"])
            fen = to_fen(decision.amount if decision.amount is not None else Decimal(0))
            if not 0 < fen <= application["amount_fen"]:
                raise DomainError(
                    "INVALID_AMOUNT", "above zero and at most the amount applied for", "amount"
                )
            if decision.term_months is None or not 1 <= decision.term_months <= 60:
                raise DomainError("INVALID_TERM", "a term of 1 to 60 months", "termMonths")
            changes.update(
                {
                    OF.amount_fen: fen,
                    OF.rate: _rate(decision.rate),
                    OF.term_months: decision.term_months,
                }
            )
        with all_tenants(SCOPE):
            return await OFFER.move(
                actor,
                offer,
                "approve" if decision.approve else "decline",
                changes,
                {"reason": decision.reason.strip()},
            )


async def consented(actor: CurrentUser, contract_id: int, what: str) -> tuple[dict, dict]:
    """The contract, for an institution the supplier consented to (NOT_FOUND for any other:
    nothing tells it the contract exists); the read is audited, naming what was read."""
    institution = await institutions.acting(actor)
    with all_tenants(SCOPE):
        offer = (
            await OF.select()
            .where(
                (OF.contract == contract_id)
                & (OF.institution == institution["id"])
                & OF.status.is_in(list(CONSENTED))
            )
            .first()
        )
        if offer is None:
            raise NotFound("contract", contract_id)
        contract = await contracts.get(contract_id)
    async with transaction():
        await audit.record(
            "financing.read",
            "contract",
            contract_id,
            None,
            None,
            {"institution": institution["id"], "offer": offer["id"], "read": what},
            tenant=contract["tenant_id"],
        )
    return institution, contract


async def acceptances(actor: CurrentUser, contract_id: int) -> list[dict]:
    await consented(actor, contract_id, "acceptance")
    return (await contracts.acceptances_of([contract_id]))[0]


async def payments(actor: CurrentUser, contract_id: int) -> list[dict]:
    await consented(actor, contract_id, "payments")
    return (await contracts.payments_of([contract_id]))[0]


async def search(actor: CurrentUser, first: int | None, after: str | None) -> Page:
    """The supplier's own applications; an institution's: those with an offer to it."""
    with all_tenants(SCOPE):
        query = A.select()
        mine = await institutions.of_organisation(actor.organisation_id)
        if mine is not None and actor.can(Perm.FINANCING_DECIDE):
            offered = await OF.select(OF.application).where(OF.institution == mine["id"])
            query = query.where(A.id.is_in([r["application"] for r in offered] or [0]))
        else:
            query = query.where(A.supplier_organisation == actor.organisation_id)
        return await keyset_page(query, A.id, first, after)


async def payment_events() -> int:
    """payment_made to each institution with an approved offer, for every payment sent to
    digital_finance on its contract (once per payment and institution)."""
    sent = 0
    with all_tenants(SCOPE, audited=False):
        offers = await OF.select().where(OF.status == "approved")
        async with transaction():
            for offer in offers:
                institution = await institutions.get(offer["institution"])
                for payment in (await contracts.payments_of([offer["contract"]]))[0]:
                    if payment["status"] not in ("exported", "pushed"):
                        continue
                    data = {
                        "contract_id": offer["contract"],
                        "payment_id": payment["id"],
                        "amount_fen": payment["amount_fen"],
                        "final": payment["final"],
                    }
                    if await webhooks.emit(
                        institution,
                        "payment_made",
                        f"payment:{payment['id']}",
                        offer["tenant_id"],
                        data,
                    ):
                        sent += 1
    return sent
