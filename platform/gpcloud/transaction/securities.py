"""The bid security a sealed bid names, checked as the bid is submitted by whoever knows it:
the finance centre's electronic guarantees (built in) and the tenant's plugins (a bank's deposit
interface), through `gpcloud_bid_security_check` (they sit above transaction). A bid whose
security an answer finds invalid is refused with that answer's problems (Implementing
Regulation art. 33: a bid without the required security is invalid)."""

from __future__ import annotations

from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.plugins.hooks import collect


async def check(project: dict, lot: str, organisation_id: int, security: str | None) -> None:
    reference = (security or "").strip()
    if not reference:
        return
    answers = await collect(
        project["tenant_id"],
        "gpcloud_bid_security_check",
        tenant=project["tenant_id"],
        project_id=project["id"],
        lot=lot,
        organisation_id=organisation_id,
        security=reference,
    )
    for answer in answers:
        if answer.value.get("valid", True):
            continue
        problems = [
            Problem(str(p["code"]), str(p.get("message") or p["code"]), "security")
            for p in answer.value.get("problems") or []
            if p.get("code")
        ]
        if not problems:
            raise DomainError(
                "BID_SECURITY_INVALID", "the bid security was not accepted", "security"
            )
        raise DomainError.many(problems)
