"""Institutions: an institution's user registers its organisation, the province approves it;
every act of an institution goes through `acting` (approved, and within its rate limit)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser, organisations_by_id
from gpcloud.core.clock import now
from gpcloud.core.db import is_unique_violation, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.redis import get_redis, key
from gpcloud.finance_services.service import egress
from gpcloud.finance_services.tables import FinancialInstitution
from gpcloud.finance_services.workflow import INSTITUTION

PROVINCE = "440000"  # the province admits institutions (issue 18: "the province approves them")
KINDS = ("bank", "guarantor", "insurer")
FI = FinancialInstitution


@dataclass(frozen=True)
class InstitutionInput:
    kind: str
    licence: str
    rate_limit: int = 120


async def get(institution_id: int) -> dict:
    row = await FI.select().where(FI.id == institution_id).first()
    if row is None:
        raise NotFound("financial institution", institution_id)
    return row


async def of_organisation(organisation_id: int) -> dict | None:
    return await FI.select().where(FI.organisation == organisation_id).first()


async def by_ids(ids: list[int]) -> list[dict | None]:
    rows = {r["id"]: r for r in await FI.select().where(FI.id.is_in(list(ids) or [0]))}
    return [rows.get(i) for i in ids]


@requires(Perm.FINANCE_INSTITUTION_REGISTER)
async def register(actor: CurrentUser, data: InstitutionInput) -> dict:
    if data.kind not in KINDS:
        raise DomainError("INVALID_KIND", "bank, guarantor or insurer", "kind")
    if not 4 <= len(data.licence.strip()) <= 64:
        raise DomainError("INVALID_LICENCE", "the licence number, 4 to 64 characters", "licence")
    if not 1 <= data.rate_limit <= 6000:
        raise DomainError("INVALID_RATE_LIMIT", "1 to 6000 requests a minute", "rateLimit")
    org = (await organisations_by_id([actor.organisation_id]))[0]
    async with transaction():
        row = FI(
            organisation=actor.organisation_id,
            kind=data.kind,
            name=org["name"],
            licence=data.licence.strip(),
            region=PROVINCE,
            rate_limit=data.rate_limit,
        )
        try:
            await row.save()
        except Exception as exc:
            if is_unique_violation(exc):
                raise DomainError(
                    "ALREADY_REGISTERED", "your organisation is registered already"
                ) from None
            raise
        created = await get(row.id)
        await INSTITUTION.created(created, {"kind": data.kind})
        return created


async def _decide(actor: CurrentUser, institution_id: int, action: str, reason: str) -> dict:
    if action != "approve" and not reason.strip():
        raise DomainError("NO_REASON", "state the reasons", "reason")
    async with transaction():
        row = await get(institution_id)
        return await INSTITUTION.move(
            actor, row, action, {FI.decision: reason.strip()}, {"reason": reason.strip()}
        )


@requires(Perm.FINANCE_INSTITUTION_DECIDE)
async def approve(actor: CurrentUser, institution_id: int, reason: str = "") -> dict:
    return await _decide(actor, institution_id, "approve", reason)


@requires(Perm.FINANCE_INSTITUTION_DECIDE)
async def reject(actor: CurrentUser, institution_id: int, reason: str) -> dict:
    return await _decide(actor, institution_id, "reject", reason)


@requires(Perm.FINANCE_INSTITUTION_DECIDE)
async def suspend(actor: CurrentUser, institution_id: int, reason: str) -> dict:
    return await _decide(actor, institution_id, "suspend", reason)


async def throttle(institution: dict) -> None:
    """Per-institution rate limit, shared by every app process: a counter per minute in Redis."""
    window = int(now().timestamp() // 60)
    name = key("fi-rate", str(institution["id"]), str(window))
    async with get_redis().pipeline(transaction=True) as pipe:
        pipe.incr(name)
        pipe.expire(name, 120)
        count, _ = await pipe.execute()
    if count > institution["rate_limit"]:
        raise DomainError(
            "RATE_LIMITED",
            f"more than {institution['rate_limit']} requests this minute: wait and try again",
        )


async def acting(actor: CurrentUser) -> dict:
    """The approved institution the actor works for, counted against its rate limit."""
    row = await of_organisation(actor.organisation_id)
    if row is None:
        raise DomainError("NOT_AN_INSTITUTION", "your organisation is no registered institution")
    if row["status"] != "approved":
        raise DomainError("INSTITUTION_NOT_APPROVED", f"your institution is {row['status']}")
    await throttle(row)
    return row


@requires(Perm.FINANCE_CREDENTIALS_MANAGE)
async def set_webhook(actor: CurrentUser, url: str) -> tuple[dict, str]:
    """Point the institution's webhooks at `url` with a fresh HMAC secret, shown once. The URL
    must reach a public address (egress.check: never the platform's own network)."""
    address = (await egress.check(url)).url
    secret = secrets.token_hex(32)
    async with transaction():
        row = await acting(actor)
        await FI.update(
            {FI.webhook_url: address, FI.webhook_secret: secret, FI.updated_at: now()}
        ).where(FI.id == row["id"])
        await audit.record(
            "financial_institution.webhook",
            "financial_institution",
            row["id"],
            None,
            {"url": address},
            tenant=row["region"],
        )
        return await get(row["id"]), secret


async def search(
    actor: CurrentUser | None, status: str | None, first: int | None, after: str | None
) -> Page:
    """Approved institutions for everyone (suppliers choose among them); every status for the
    finance staff and for the institution itself (its own row)."""
    query = FI.select()
    if actor is None or not actor.can(Perm.FINANCE_READ):
        mine = actor.organisation_id if actor else 0
        query = query.where((FI.status == "approved") | (FI.organisation == mine))
    if status:
        query = query.where(FI.status == status)
    return await keyset_page(query, FI.id, first, after)
