"""Electronic bid guarantees (电子投标保函).

The agency states the project's bid security (amount at most 2% of the budget, Regulation
art. 33; bid validity; beneficiary). A supplier applies to an approved institution; the
institution issues through the API with its Ed25519 signature over the guarantee's statement
(docs/finance-services.md), made with a key registered for its organisation (core/keys). The
platform verifies the signature and the statement against the requirement at issuance and
again whenever a bid names the guarantee (`verify`). The agency sees a project's guarantees
without their bidders until the opening starts. The award and the signing set when each is
released (5 wd, a scheduler timer); a claim names a defined default with evidence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from gpcloud.core.audit.service import canonical
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser, organisations_by_id
from gpcloud.core.clock import now, today
from gpcloud.core.db import for_update, is_unique_violation, transaction
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.keys import service as keys
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.pagination import keyset_page
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.finance_services.service import institutions
from gpcloud.finance_services.tables import BidGuarantee, GuaranteeRequirement
from gpcloud.finance_services.workflow import GUARANTEE
from gpcloud.registries.purchasers import service as purchasers
from gpcloud.transaction import service as projects

PREFIX = b"gpcloud-guarantee-v1:"
MAX_SHARE = Decimal("0.02")  # Regulation art. 33: bid security <= 2% of the budget
RELEASE_WD = 5  # Regulation art. 33: returned within 5 working days
DEFAULTS = ("withdrawal_after_deadline", "refusal_to_sign")  # the defaults a claim may name
HIDDEN_UNTIL = ("entrusted", "tendering", "closed")  # project states before the opening
SCOPE = "guarantees: bidders and institutions act on a project of any region"
G = BidGuarantee
R = GuaranteeRequirement


@dataclass(frozen=True)
class Issuance:
    project_id: int
    number: str
    amount: Decimal
    valid_until: date
    beneficiary: str
    signature: str  # 128 hex digits


def statement(row: dict, data: Issuance) -> dict:
    """What the institution signs: canonical JSON (sorted keys, no spaces), prefixed."""
    return {
        "number": data.number,
        "project": data.project_id,
        "tenant": row["tenant_id"],
        "supplier": row["supplier_organisation"],
        "institution": row["institution"],
        "amount": str(to_yuan(to_fen(data.amount))),
        "valid_until": data.valid_until.isoformat(),
        "beneficiary": data.beneficiary,
    }


def message(content: dict) -> bytes:
    return PREFIX + canonical(content).encode()


def signed_by(public_keys: list[str], signature_hex: str, content: dict) -> str | None:
    """The key (hex) among `public_keys` that made the signature, or None."""
    try:
        signature = bytes.fromhex(signature_hex)
    except ValueError:
        return None
    for public in public_keys:
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(public)).verify(
                signature, message(content)
            )
            return public
        except (InvalidSignature, ValueError):
            continue
    return None


async def get(guarantee_id: int) -> dict:
    with all_tenants(SCOPE):
        row = await G.select().where(G.id == guarantee_id).first()
    if row is None:
        raise NotFound("bid guarantee", guarantee_id)
    return row


async def requirement(project_id: int) -> dict | None:
    with all_tenants(SCOPE):
        return await R.select().where(R.project == project_id).first()


async def _project(project_id: int) -> dict:
    with all_tenants(SCOPE):
        return await projects.get(project_id)


@requires(Perm.GUARANTEE_MANAGE)
async def require(
    actor: CurrentUser, project_id: int, amount: Decimal, valid_until: date, beneficiary: str
) -> dict:
    """The agency states the project's bid security; `beneficiary`: purchaser or agency."""
    async with transaction():
        project = await projects.get(project_id)  # in the agency's scope
        if project["agency_organisation"] != actor.organisation_id:
            raise NotFound("project", project_id)
        fen = to_fen(amount)
        if fen <= 0 or Decimal(fen) > Decimal(project["budget_fen"]) * MAX_SHARE:
            raise DomainError(
                "SECURITY_TOO_HIGH",
                f"above zero and at most 2% of the budget ({to_yuan(int(project['budget_fen'] * MAX_SHARE))} yuan; Regulation art. 33)",
                "amount",
            )
        if valid_until <= today():
            raise DomainError(
                "INVALID_VALIDITY", "a bid validity that ends after today", "validUntil"
            )
        if beneficiary not in ("purchaser", "agency"):
            raise DomainError("INVALID_BENEFICIARY", "purchaser or agency", "beneficiary")
        if beneficiary == "purchaser":
            holder = (await purchasers.get(project["purchaser"]))["organisation"]
        else:
            holder = project["agency_organisation"]
        org = (await organisations_by_id([holder]))[0]
        if project["status"] not in ("entrusted", "tendering"):
            raise DomainError("WRONG_STATE", "the bid security is set before the bid deadline")
        values = {
            R.amount_fen: fen,
            R.valid_until: valid_until,
            R.beneficiary: org["id"],
            R.beneficiary_name: org["name"],
            R.set_by: actor.id,
            R.updated_at: now(),
        }
        if await R.exists().where(R.project == project_id):
            await R.update(values).where(R.project == project_id)
        else:
            await R(
                tenant_id=project["tenant_id"],
                project=project_id,
                **{c._meta.name: v for c, v in values.items()},
            ).save()
        return await requirement(project_id)


@requires(Perm.GUARANTEE_APPLY)
async def apply(actor: CurrentUser, project_id: int, institution_id: int) -> dict:
    """A supplier asks an approved institution for the project's bid guarantee."""
    async with transaction():
        project = await _project(project_id)
        if project["status"] not in ("entrusted", "tendering"):
            raise DomainError("WRONG_STATE", "guarantees are applied for before the bid deadline")
        if await requirement(project_id) is None:
            raise DomainError("NO_SECURITY_REQUIRED", "the project asks for no bid security")
        institution = await institutions.get(institution_id)
        if institution["status"] != "approved":
            raise NotFound("financial institution", institution_id)
        with all_tenants(SCOPE):
            open_ = await G.exists().where(
                (G.project == project_id)
                & (G.supplier_organisation == actor.organisation_id)
                & G.status.is_in(["applied", "issued"])
            )
            if open_:
                raise DomainError(
                    "GUARANTEE_EXISTS", "your organisation has a guarantee for this project"
                )
            row = G(
                tenant_id=project["tenant_id"],
                project=project_id,
                supplier_organisation=actor.organisation_id,
                institution=institution_id,
            )
            await row.save()
        created = await get(row.id)
        await GUARANTEE.created(created, {"institution": institution_id})
        return created


async def institutions_own(actor: CurrentUser, guarantee_id: int) -> tuple[dict, dict]:
    institution = await institutions.acting(actor)
    with all_tenants(SCOPE):
        row = await for_update(G.select().where(G.id == guarantee_id)).first()
    if row is None or row["institution"] != institution["id"]:
        raise NotFound("bid guarantee", guarantee_id)
    return institution, row


def check_against(row: dict, data: Issuance, required: dict | None) -> list[Problem]:
    """Why the guarantee does not meet the project's requirement (empty: it does)."""
    if required is None:
        return [Problem("NO_SECURITY_REQUIRED", "the project asks for no bid security")]
    problems = []
    if data.project_id != row["project"]:
        problems.append(
            Problem("GUARANTEE_WRONG_PROJECT", "the guarantee names another project", "projectId")
        )
    if to_fen(data.amount) < required["amount_fen"]:
        problems.append(
            Problem(
                "GUARANTEE_AMOUNT_SHORT",
                f"the project requires {to_yuan(required['amount_fen'])} yuan",
                "amount",
            )
        )
    if data.valid_until < required["valid_until"]:
        problems.append(
            Problem(
                "GUARANTEE_VALIDITY_SHORT",
                f"bids stay valid until {required['valid_until']}",
                "validUntil",
            )
        )
    if data.beneficiary.strip() != required["beneficiary_name"]:
        problems.append(
            Problem(
                "GUARANTEE_WRONG_BENEFICIARY",
                f"the beneficiary is {required['beneficiary_name']}",
                "beneficiary",
            )
        )
    return problems


@requires(Perm.GUARANTEE_ISSUE)
async def issue(actor: CurrentUser, guarantee_id: int, data: Issuance) -> dict:
    """The institution issues: its signature must verify with one of its organisation's active
    signing keys (GUARANTEE_SIGNATURE_INVALID otherwise) and the statement meet the
    requirement; nothing is written unless both hold."""
    if not 4 <= len(data.number.strip()) <= 64:
        raise DomainError("INVALID_NUMBER", "a guarantee number of 4 to 64 characters", "number")
    async with transaction():
        institution, row = await institutions_own(actor, guarantee_id)
        content = statement(row, data)
        active = await keys.active_keys(institution["organisation"], keys.SIGNING)
        public = signed_by(
            [k["public_key"] for k in active], data.signature.strip().lower(), content
        )
        if public is None:
            raise DomainError(
                "GUARANTEE_SIGNATURE_INVALID",
                "the signature does not verify with any active signing key of your institution",
                "signature",
            )
        problems = check_against(row, data, await requirement(row["project"]))
        if problems:
            raise DomainError.many(problems)
        key_id = next(k["id"] for k in active if k["public_key"] == public)
        try:
            with all_tenants(SCOPE):
                return await GUARANTEE.move(
                    actor,
                    row,
                    "issue",
                    {
                        G.number: data.number.strip(),
                        G.amount_fen: to_fen(data.amount),
                        G.valid_until: data.valid_until,
                        G.beneficiary_name: data.beneficiary.strip(),
                        G.statement: canonical(content),
                        G.signature: data.signature.strip().lower(),
                        G.key: key_id,
                        G.issued_at: now(),
                    },
                    {"number": data.number.strip(), "key": key_id},
                )
        except Exception as exc:
            if is_unique_violation(exc):
                raise DomainError(
                    "DUPLICATE_NUMBER", "this guarantee number is used", "number"
                ) from None
            raise


@requires(Perm.GUARANTEE_ISSUE)
async def refuse(actor: CurrentUser, guarantee_id: int, reason: str) -> dict:
    if not reason.strip():
        raise DomainError("NO_REASON", "state the reasons", "reason")
    async with transaction():
        _, row = await institutions_own(actor, guarantee_id)
        with all_tenants(SCOPE):
            return await GUARANTEE.move(actor, row, "refuse", {G.note: reason.strip()})


async def problems_of(row: dict) -> list[Problem]:
    """What is wrong with an issued guarantee now: not in force, its stored statement's
    signature not verifying with the key it was made with, the statement against the project's
    requirement as it stands (empty: nothing)."""
    found: list[Problem] = []
    if row["status"] != "issued":
        found.append(
            Problem("GUARANTEE_NOT_IN_FORCE", f"the guarantee is {row['status']}", "security")
        )
    key = await keys.get_key(row["key"]) if row["key"] else None
    content = json.loads(row["statement"]) if row["statement"] else {}
    data = Issuance(
        content.get("project", 0),
        row["number"] or "",
        to_yuan(row["amount_fen"] or 0),
        row["valid_until"] or date.min,
        row["beneficiary_name"],
        row["signature"],
    )
    if key is None or signed_by([key["public_key"]], row["signature"], content) is None:
        found.append(
            Problem(
                "GUARANTEE_SIGNATURE_INVALID",
                "the guarantee's signature does not verify with its institution's key",
                "security",
            )
        )
    elif statement(row, data) != content:  # a column changed since: the signed terms rule
        found.append(
            Problem(
                "GUARANTEE_SIGNATURE_INVALID",
                "the guarantee's recorded terms differ from what its institution signed",
                "security",
            )
        )
    return found + check_against(row, data, await requirement(row["project"]))


async def by_number(number: str) -> dict | None:
    with all_tenants(SCOPE):
        return await G.select().where(G.number == number.strip()).first()


async def verify(number: str) -> dict:
    """Verify a guarantee as a bid names it (problems_of). {"valid": bool, "problems": [codes],
    "guarantee": row}."""
    row = await by_number(number)
    if row is None:
        return {"valid": False, "problems": ["GUARANTEE_UNKNOWN"], "guarantee": None}
    found = [p.code for p in await problems_of(row)]
    return {"valid": not found, "problems": found, "guarantee": row}


async def of_project(actor: CurrentUser, project_id: int) -> tuple[list[dict], bool]:
    """The project's guarantees for its agency, and whether their bidders may be shown (from the
    opening on: until then the agency must not learn who bids)."""
    project = await projects.get(project_id)
    if project["agency_organisation"] != actor.organisation_id:
        raise NotFound("project", project_id)
    with all_tenants(SCOPE):
        rows = await G.select().where(G.project == project_id).order_by(G.id)
    return rows, project["status"] not in HIDDEN_UNTIL


async def search(actor: CurrentUser, status: str | None, first: int | None, after: str | None):
    """A supplier's own guarantees, or an institution's (every region)."""
    with all_tenants(SCOPE):
        query = G.select()
        mine = await institutions.of_organisation(actor.organisation_id)
        if mine is not None and actor.can(Perm.GUARANTEE_ISSUE):
            query = query.where(G.institution == mine["id"])
        else:
            query = query.where(G.supplier_organisation == actor.organisation_id)
        if status:
            query = query.where(G.status == status)
        return await keyset_page(query, G.id, first, after)
