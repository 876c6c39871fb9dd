"""Contracts: created from a result, signed by both parties, published, filed.

Rules held here (one place each): a contract needs an executing plan with a budget line and an
award for its supplier; its amount stays within the awarded amount; supplementary contracts
together stay within `supplementary_contract_share` of the original; the content is fixed by a
digest once the first party signs; signing by both sets the publication due date
(`contract_publication` working days).

Parties act across tenants: a supplier of another region signs a contract of the purchaser's
region. Reads for a party opt out of the tenant scope explicitly and check the party.
"""

from __future__ import annotations

import hashlib
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gpcloud.contracts import signing
from gpcloud.contracts.tables import AcceptanceReport, Contract, ContractSignature, Payment
from gpcloud.contracts.workflow import CONTRACT
from gpcloud.core import publishing
from gpcloud.core.audit.service import canonical
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.batch import row_lists_by_key
from gpcloud.core.clock import now, today
from gpcloud.core.db import for_update, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.rules.service import effective_rule, rule_deadline
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.supervision import plans
from gpcloud.supervision.common import purchaser_unit
from gpcloud.transaction import blocks
from gpcloud.transaction import service as projects

SIGNED = ("signed", "overdue", "published", "filed")
PARTY_SCOPE = "contract parties act on the purchaser's contract wherever they are registered"


@dataclass(frozen=True)
class ContractInput:
    title: str
    terms: str
    amount: Decimal


def digest(row: dict) -> str:
    """sha256 of what the parties sign."""
    content = {
        key: row[key]
        for key in (
            "id",
            "tenant_id",
            "plan",
            "project",
            "parent",
            "purchaser_organisation",
            "supplier_organisation",
            "supplier_name",
            "title",
            "terms",
        )
    }
    content["amount"] = str(to_yuan(row["amount_fen"]))
    return hashlib.sha256(canonical(content).encode()).hexdigest()


async def get(contract_id: int) -> dict:
    row = await Contract.select().where(Contract.id == contract_id).first()
    if row is None:
        raise NotFound("contract", contract_id)
    return row


async def locked(contract_id: int) -> dict:
    """The contract, its row held until the transaction ends: for decisions over its signatures
    or payments, which a concurrent request must see before it decides too."""
    return await for_update(Contract.select().where(Contract.id == contract_id)).first()


async def as_party(actor: CurrentUser, contract_id: int) -> dict:
    with all_tenants(PARTY_SCOPE):
        row = await get(contract_id)
    if actor.organisation_id not in (
        row["purchaser_organisation"],
        row["supplier_organisation"],
    ):
        raise NotFound("contract", contract_id)
    return row


@requires(Perm.CONTRACT_READ)
async def readable(actor: CurrentUser, contract_id: int) -> dict:
    if actor.can(Perm.REGION_READ):
        return await get(contract_id)
    return await as_party(actor, contract_id)


def _check_input(data: ContractInput) -> int:
    if not 2 <= len(data.title.strip()) <= 200 or not data.terms.strip():
        raise DomainError(
            "INVALID_CONTRACT", "a title of 2 to 200 characters and the terms", "title"
        )
    fen = to_fen(data.amount)
    if fen == 0:
        raise DomainError("INVALID_AMOUNT", "an amount above zero", "amount")
    return fen


async def _total_fen(condition) -> int:
    """The amount of the contracts meeting `condition`."""
    return sum(r["amount_fen"] for r in await Contract.select(Contract.amount_fen).where(condition))


@requires(Perm.CONTRACT_CREATE)
async def create(
    actor: CurrentUser, project_id: int, supplier_organisation: int, data: ContractInput
) -> dict:
    unit = await purchaser_unit(actor)
    fen = _check_input(data)
    async with transaction():
        project = await projects.get(project_id)
        if project["purchaser"] != unit["id"]:
            raise NotFound("project", project_id)
        if project["status"] != "awarded":
            raise DomainError("NO_RESULT", "a contract follows a published result", "projectId")
        plan = await plans.get(project["plan"])
        if plan["status"] != "executing" or not await plans.lines(plan["id"]):
            raise DomainError("NO_FILED_PLAN", "no contract without a filed plan and a budget line")
        awards = [
            a
            for a in await projects.awards(project_id)
            if a["supplier_organisation"] == supplier_organisation
        ]
        awarded = sum(a["amount_fen"] for a in awards)
        if not awarded:
            raise DomainError(
                "NOT_AWARDED", "the supplier won nothing in this project", "supplierId"
            )
        contracted = await _total_fen(
            (Contract.project == project_id)
            & (Contract.supplier_organisation == supplier_organisation)
            & Contract.parent.is_null()
            & (Contract.status != "void")  # set aside with a voided award (voiding.py)
        )
        if contracted + fen > awarded:
            raise DomainError(
                "OVER_AWARD",
                f"contracts with this supplier may total {to_yuan(awarded)} yuan, the award",
                "amount",
            )
        # The latest result: a re-evaluation (transaction/remedies.py) publishes another.
        result = [a for a in await projects.announcements(project_id) if a["kind"] == "result"][-1]
        due = await rule_deadline("contract_signing", result["published_on"], project["tenant_id"])
        award = awards[0]
        row = Contract(
            tenant_id=project["tenant_id"],
            plan=plan["id"],
            project=project_id,
            purchaser_organisation=actor.organisation_id,
            supplier_organisation=supplier_organisation,
            supplier_name=award["supplier_name"],
            title=data.title.strip(),
            terms=data.terms.strip(),
            amount_fen=fen,
            sign_due=due.due,
        )
        await row.save()
        created = await get(row.id)
        await CONTRACT.created(created)
        return created


@requires(Perm.CONTRACT_CREATE)
async def create_supplementary(actor: CurrentUser, parent_id: int, data: ContractInput) -> dict:
    """A supplementary contract: the parties of the original, within its share of the amount."""
    await purchaser_unit(actor)
    fen = _check_input(data)
    async with transaction():
        parent = await get(parent_id)
        if parent["purchaser_organisation"] != actor.organisation_id:
            raise NotFound("contract", parent_id)
        if parent["parent"] is not None or parent["status"] not in SIGNED:
            raise DomainError("WRONG_STATE", "supplements follow a signed original contract")
        share = (await effective_rule("supplementary_contract_share", parent["tenant_id"])).value
        before = await _total_fen(Contract.parent == parent_id)
        limit = parent["amount_fen"] * Decimal(share) / 100
        if before + fen > limit:
            raise DomainError(
                "SUPPLEMENT_TOO_LARGE",
                f"supplements may add {share}% of {to_yuan(parent['amount_fen'])} yuan: "
                f"{to_yuan(int(limit))}; {to_yuan(before)} is used",
                "amount",
            )
        row = Contract(
            **{
                k: parent[k]
                for k in (
                    "tenant_id",
                    "plan",
                    "project",
                    "purchaser_organisation",
                    "supplier_organisation",
                    "supplier_name",
                    "sign_due",
                )
            },
            parent=parent_id,
            title=data.title.strip(),
            terms=data.terms.strip(),
            amount_fen=fen,
        )
        await row.save()
        created = await get(row.id)
        await CONTRACT.created(created, {"parent": parent_id})
        return created


@requires(Perm.CONTRACT_SIGN)
async def sign(
    actor: CurrentUser, contract_id: int, signature_hex: str, on: date | None = None
) -> dict:
    """Record the caller's organisation's signature over the digest, verified against one of
    its active keys. The second signature makes the contract signed: the contract's row is
    locked while the signatures are counted, so two parties signing at once see each other."""
    on = on or today()
    async with transaction():
        await as_party(actor, contract_id)
        with all_tenants(PARTY_SCOPE):
            contract = await locked(contract_id)
            CONTRACT.next_state("sign", contract["status"])
            await blocks.ensure_free(contract["tenant_id"], contract["project"], "signing")
            signatures = await ContractSignature.select().where(
                ContractSignature.contract == contract_id
            )
            if any(s["organisation"] == actor.organisation_id for s in signatures):
                raise DomainError("ALREADY_SIGNED", "your organisation has signed this contract")
            current = digest(contract)
            if contract["digest"] and contract["digest"] != current:
                raise DomainError(
                    "CONTRACT_CHANGED", "the contract changed after the first signature"
                )
            key = next(
                (
                    k
                    for k in await signing.keys_of(actor.organisation_id)
                    if k["status"] == "active"
                    and signing.verify(k["public_key"], signature_hex.strip().lower(), current)
                ),
                None,
            )
            if key is None:
                raise DomainError(
                    "BAD_SIGNATURE",
                    "the signature does not verify with an active key of your organisation",
                    "signature",
                )
            await ContractSignature.insert(
                ContractSignature(
                    tenant_id=contract["tenant_id"],
                    contract=contract_id,
                    organisation=actor.organisation_id,
                    key=key["id"],
                    signer_id=actor.id,
                    signer=actor.username,
                    signature=signature_hex.strip().lower(),
                )
            )
            changes = {Contract.digest: current}
            action = "sign"
            if len(signatures) == 1:
                action = "complete_signing"
                due = await rule_deadline("contract_publication", on, contract["tenant_id"])
                changes.update({Contract.signed_on: on, Contract.publication_due: due.due})
            signed = await CONTRACT.move(
                actor,
                contract,
                action,
                changes,
                {"organisation": actor.organisation_id, "digest": current},
            )
            if action == "sign":  # the other party's users: their signature is awaited
                buyer = actor.organisation_id == contract["purchaser_organisation"]
                other = contract["supplier_organisation" if buyer else "purchaser_organisation"]
                await notify(
                    "contract.awaiting_signature",
                    Recipients(organisation=other),
                    {
                        "title": contract["title"],
                        "contract_id": contract_id,
                        "amount": to_yuan(contract["amount_fen"]),
                        "signer": "采购人" if buyer else f"供应商{contract['supplier_name']}",
                    },
                    about=("contract", contract_id),
                    due=contract["sign_due"],
                )
            return signed


@requires(Perm.CONTRACT_PUBLISH)
async def publish(actor: CurrentUser, contract_id: int, on: date | None = None) -> dict:
    """Published by the purchaser; after `publication_due` it is published late (and shows in
    supervision's overdue list until it is)."""
    on = on or today()
    async with transaction():
        contract = await as_party(actor, contract_id)
        if contract["purchaser_organisation"] != actor.organisation_id:
            raise DomainError("FORBIDDEN", "the purchaser publishes its contracts")
        late = contract["status"] == "overdue" or (
            contract["publication_due"] is not None and on > contract["publication_due"]
        )
        published = await CONTRACT.move(
            actor,
            contract,
            "publish",
            {Contract.published_on: on},
            {"published_on": on, "late": late},
        )
        await publishing.publish(
            publishing.Publication(
                kind="contract",
                source=f"contract:{contract_id}",
                tenant=contract["tenant_id"],
                title=contract["title"],
                body=contract["terms"],
                published_on=on,
                **await plans.notice_fields(await plans.get(contract["plan"])),
                amount_fen=contract["amount_fen"],
                suppliers=(
                    publishing.Supplier(
                        contract["supplier_organisation"],
                        contract["supplier_name"],
                        contract["amount_fen"],
                    ),
                ),
                details={
                    "contract_id": contract_id,
                    "project_id": contract["project"],
                    "parent_id": contract["parent"],
                    "signed_on": contract["signed_on"],
                },
            )
        )
        return published


@requires(Perm.CONTRACT_FILE)
async def file(actor: CurrentUser, contract_id: int) -> dict:
    """合同备案 by a supervisor of the contract's region."""
    async with transaction():
        contract = await get(contract_id)
        return await CONTRACT.move(actor, contract, "file", {Contract.filed_at: now()})


@dataclass(frozen=True)
class Verification:
    digest: str
    digest_matches: bool
    signatures: list[tuple[dict, bool]]  # (signature row, verifies)

    @property
    def valid(self) -> bool:
        return (
            self.digest_matches and bool(self.signatures) and all(ok for _, ok in self.signatures)
        )


async def verify(contract: dict) -> Verification:
    """Recompute the digest from the stored contract and check every signature against it."""
    return verification(contract, (await signatures_of([contract["id"]]))[0])


def verification(contract: dict, signatures: list[dict]) -> Verification:
    current = digest(contract)
    return Verification(
        current,
        current == contract["digest"],
        [(r, signing.verify(r["public_key"], r["signature"], current)) for r in signatures],
    )


async def signatures_of(contract_ids: list[int]) -> list[list[dict]]:
    """Each contract's signatures with the public key they were made with (one query)."""
    load = row_lists_by_key(
        ContractSignature,
        ContractSignature.contract,
        *ContractSignature.all_columns(),
        ContractSignature.key.public_key.as_alias("public_key"),
    )
    with all_tenants(PARTY_SCOPE):
        return await load(contract_ids)


async def for_supervision(limit: int) -> dict[str, tuple[list[dict], int]]:
    """The region's contracts awaiting filing, and those the scheduler found unpublished past
    their publication due date: the oldest `limit` of each, with the full counts."""
    queues = {
        "awaiting_filing": (Contract.status == "published", Contract.published_on),
        "publication_overdue": (Contract.status == "overdue", Contract.publication_due),
    }
    return {
        name: (
            await Contract.select().where(condition).order_by(order).limit(limit),
            await Contract.count().where(condition),
        )
        for name, (condition, order) in queues.items()
    }


@requires(Perm.CONTRACT_READ)
async def search(
    actor: CurrentUser, status: str | None, first: int | None, after: str | None
) -> Page:
    """Admins and supervisors: their region's contracts; parties: their own, wherever."""
    staff = actor.can(Perm.REGION_READ)
    with nullcontext() if staff else all_tenants(PARTY_SCOPE):
        query = Contract.select()  # scoped when built: inside the opt-out for parties
        if not staff:
            query = query.where(
                (Contract.purchaser_organisation == actor.organisation_id)
                | (Contract.supplier_organisation == actor.organisation_id)
            )
        if status:
            query = query.where(Contract.status == status)
        return await keyset_page(query, Contract.id, first, after)


def _party_rows(table):
    """Batch loader: each contract's rows of `table`. A Contract is only ever resolved for a
    caller who may see it, so its rows load like its signatures do: across tenants, for a
    party registered in another region."""
    load = row_lists_by_key(table, table.contract)

    async def load_for_parties(contract_ids: list[int]) -> list[list[dict]]:
        with all_tenants(PARTY_SCOPE):
            return await load(contract_ids)

    return load_for_parties


acceptances_of = _party_rows(AcceptanceReport)
payments_of = _party_rows(Payment)
