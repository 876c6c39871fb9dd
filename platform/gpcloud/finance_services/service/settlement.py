"""How an issued guarantee ends: released after the award (losers) or the signing (winner)
within 5 working days (Regulation art. 33; the scheduler's timer, or the agency earlier), or
claimed on a defined default with evidence and paid by its institution; and the check of the
bids' securities at the opening."""

from __future__ import annotations

from datetime import date

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.calendar.service import deadline
from gpcloud.core.clock import now
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.finance_services.service import guarantees
from gpcloud.finance_services.service.guarantees import (
    DEFAULTS,
    RELEASE_WD,
    SCOPE,
    G,
    get,
    institutions_own,
)
from gpcloud.finance_services.workflow import GUARANTEE
from gpcloud.transaction import bids
from gpcloud.transaction import service as projects


async def _as_agency(actor: CurrentUser, guarantee_id: int) -> tuple[dict, dict]:
    row = await get(guarantee_id)
    project = await projects.get(row["project"])  # in the agency's scope
    if project["agency_organisation"] != actor.organisation_id:
        raise NotFound("bid guarantee", guarantee_id)
    return row, project


@requires(Perm.GUARANTEE_MANAGE)
async def release(actor: CurrentUser, guarantee_id: int) -> dict:
    """The agency releases a guarantee once the award is out (before the scheduler would)."""
    async with transaction():
        row, project = await _as_agency(actor, guarantee_id)
        if project["status"] != "awarded" and project["status"] != "failed":
            raise DomainError("NOT_AWARDED", "guarantees are released after the award")
        return await GUARANTEE.move(actor, row, "release", {G.released_at: now()})


@requires(Perm.GUARANTEE_MANAGE)
async def claim(actor: CurrentUser, guarantee_id: int, reason: str, evidence: list[dict]) -> dict:
    """A claim on a defined default, with evidence ({title, reference} each)."""
    if reason not in DEFAULTS:
        raise DomainError("INVALID_DEFAULT", f"one of {', '.join(DEFAULTS)}", "reason")
    cleaned = [
        {"title": str(e.get("title", "")).strip(), "reference": str(e.get("reference", "")).strip()}
        for e in evidence
    ]
    if not cleaned or any(not e["title"] or not e["reference"] for e in cleaned):
        raise DomainError(
            "NO_EVIDENCE",
            "at least one piece of evidence, each with title and reference",
            "evidence",
        )
    async with transaction():
        row, _ = await _as_agency(actor, guarantee_id)
        return await GUARANTEE.move(
            actor,
            row,
            "claim",
            {G.claim_reason: reason, G.claim_evidence: cleaned},
            {"reason": reason, "evidence": cleaned},
        )


@requires(Perm.GUARANTEE_ISSUE)
async def pay(actor: CurrentUser, guarantee_id: int) -> dict:
    async with transaction():
        _, row = await institutions_own(actor, guarantee_id)
        with all_tenants(SCOPE):
            return await GUARANTEE.move(actor, row, "pay", {G.released_at: now()})


async def release_after(
    project_id: int, on: date, winners: set[int] | None, signed: int | None
) -> None:
    """Set when issued guarantees fall to be released: losers 5 wd after the award notice,
    the winner 5 wd after signing (Regulation art. 33); the scheduler releases them then."""
    due = (await deadline(on, RELEASE_WD, "wd")).due
    with all_tenants(SCOPE):
        rows = await G.select().where((G.project == project_id) & (G.status == "issued"))
        for row in rows:
            losing = winners is not None and row["supplier_organisation"] not in winners
            winning = signed is not None and row["supplier_organisation"] == signed
            if losing or winning:
                await G.update({G.release_due: due}).where(G.id == row["id"])
                await GUARANTEE.reschedule({**row, "release_due": due})


async def bid_securities(actor: CurrentUser, project_id: int) -> list[dict]:
    """Each live bid's security as the agency checks it from the opening on (before, who bid
    must stay hidden): the guarantee its `security` names verified (guarantees.verify), and
    issued for that bidder and project; a bid without one where the project requires
    security is invalid (Regulation art. 33). [{"bid", "supplier_organisation", "security",
    "valid", "problems"}]."""
    _, opened = await guarantees.of_project(actor, project_id)
    if not opened:
        raise DomainError("NOT_OPENED", "bid securities are checked from the opening on")
    required = await guarantees.requirement(project_id)
    checks = []
    for bid in await bids.of_project(project_id, ("submitted", "unsealed")):
        problems: list[str] = []
        number = (bid["security"] or "").strip()
        if not number:
            problems = ["NO_SECURITY"] if required else []
        else:
            verdict = await guarantees.verify(number)
            problems = list(verdict["problems"])
            found = verdict["guarantee"]
            if found is not None and (
                found["supplier_organisation"] != bid["supplier_organisation"]
                or found["project"] != project_id
            ):
                problems.append("GUARANTEE_NOT_THE_BIDDERS")
        checks.append(
            {
                "bid": bid["id"],
                "supplier_organisation": bid["supplier_organisation"],
                "security": number,
                "valid": not problems,
                "problems": problems,
            }
        )
    return checks
