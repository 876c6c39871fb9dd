"""Payee account changes (收款账户变更): the supplier asks that its contract's payments go to
the financing account of an institution that approved its financing; the purchaser and the
institution both approve, in either order (each step a compare-and-set). From then on
`account_for` is the payee of the contract's payments, and what is paid after the change
repays the loan (`repaid`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gpcloud.contracts import service as contracts
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import PURCHASER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now
from gpcloud.core.db import for_update, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.finance_services.service import financing, institutions
from gpcloud.finance_services.tables import PayeeAccountChange
from gpcloud.finance_services.workflow import PAYEE_CHANGE

SCOPE = "payee changes: supplier, institution and purchaser act on a contract of any region"
OPEN = ("requested", "purchaser_approved", "institution_approved")
ACCOUNT = re.compile(r"[0-9]{8,32}")
P = PayeeAccountChange


@dataclass(frozen=True)
class AccountInput:
    account_name: str
    bank_name: str
    account_number: str


async def get(change_id: int) -> dict:
    with all_tenants(SCOPE):
        row = await P.select().where(P.id == change_id).first()
    if row is None:
        raise NotFound("payee account change", change_id)
    return row


def _paid(contract_id: int, rows: list[dict]) -> int:
    return sum(p["amount_fen"] for p in rows if p["status"] != "rejected")


@requires(Perm.FINANCING_APPLY)
async def request(actor: CurrentUser, offer_id: int, account: AccountInput) -> dict:
    number = account.account_number.replace(" ", "")
    if not ACCOUNT.fullmatch(number):
        raise DomainError("INVALID_ACCOUNT", "an account number of 8 to 32 digits", "accountNumber")
    if not account.account_name.strip() or not account.bank_name.strip():
        raise DomainError("INVALID_ACCOUNT", "the account's name and bank", "accountName")
    async with transaction():
        offer = await financing.suppliers_offer(actor, offer_id)
        if offer["status"] != "approved":
            raise DomainError(
                "NOT_FINANCED", "the payee changes to an institution that approved financing"
            )
        with all_tenants(SCOPE):
            await contracts.locked(offer["contract"])  # one open change per contract at a time
            if await P.exists().where(
                (P.contract == offer["contract"]) & P.status.is_in(list(OPEN))
            ):
                raise DomainError(
                    "CHANGE_PENDING", "a payee change of this contract awaits approval"
                )
            row = P(
                tenant_id=offer["tenant_id"],
                contract=offer["contract"],
                offer=offer_id,
                institution=offer["institution"],
                account_name=account.account_name.strip()[:128],
                bank_name=account.bank_name.strip()[:128],
                account_number=number,
            )
            await row.save()
        created = await get(row.id)
        await PAYEE_CHANGE.created(created, {"offer": offer_id})
        return created


async def _side(actor: CurrentUser, change: dict) -> str:
    """'purchaser' or 'institution': which party the actor approves for (NOT_FOUND if neither)."""
    if PURCHASER in actor.roles:
        with all_tenants(SCOPE):
            contract = await contracts.get(change["contract"])
        if contract["purchaser_organisation"] == actor.organisation_id:
            return "purchaser"
    mine = await institutions.of_organisation(actor.organisation_id)
    if mine is not None and mine["id"] == change["institution"]:
        await institutions.acting(actor)
        return "institution"
    raise NotFound("payee account change", change["id"])


@requires(Perm.PAYEE_CHANGE_APPROVE)
async def approve(actor: CurrentUser, change_id: int) -> dict:
    async with transaction():
        with all_tenants(SCOPE):
            change = await for_update(P.select().where(P.id == change_id)).first()
        if change is None:
            raise NotFound("payee account change", change_id)
        side = await _side(actor, change)
        completes = change["status"] == (
            "institution_approved" if side == "purchaser" else "purchaser_approved"
        )
        action = f"{side}_{'complete' if completes else 'approve'}"
        changes: dict = {
            P.purchaser_approved_by if side == "purchaser" else P.institution_approved_by: actor.id
        }
        if completes:
            paid = (await contracts.payments_of([change["contract"]]))[0]
            changes.update(
                {P.approved_at: now(), P.paid_before_fen: _paid(change["contract"], paid)}
            )
        with all_tenants(SCOPE):
            return await PAYEE_CHANGE.move(actor, change, action, changes)


@requires(Perm.PAYEE_CHANGE_APPROVE)
async def reject(actor: CurrentUser, change_id: int, reason: str) -> dict:
    if not reason.strip():
        raise DomainError("NO_REASON", "state the reasons", "reason")
    async with transaction():
        change = await get(change_id)
        await _side(actor, change)
        with all_tenants(SCOPE):
            return await PAYEE_CHANGE.move(actor, change, "reject", {P.reason: reason.strip()})


async def account_for(contract_id: int) -> dict | None:
    """The account the contract's payments go to now: the latest approved change's (None: the
    supplier's own). What the payment exchange reads for the payee."""
    with all_tenants(SCOPE, audited=False):
        return await (
            P.select()
            .where((P.contract == contract_id) & (P.status == "approved"))
            .order_by(P.id, ascending=False)
            .first()
        )


async def repaid(change: dict) -> int:
    """Fen paid to the financing account since the change took effect."""
    if change["status"] != "approved":
        return 0
    paid = (await contracts.payments_of([change["contract"]]))[0]
    return max(0, _paid(change["contract"], paid) - change["paid_before_fen"])


async def of_offers(offer_ids: list[int]) -> list[list[dict]]:
    with all_tenants(SCOPE):
        rows = await P.select().where(P.offer.is_in(list(offer_ids) or [0])).order_by(P.id)
    found: dict[int, list[dict]] = {i: [] for i in offer_ids}
    for row in rows:
        found[row["offer"]].append(row)
    return [found[i] for i in offer_ids]
