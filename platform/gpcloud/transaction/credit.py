"""The mandatory credit check (Caiku [2016] 125) where the transaction asks it before the
deadline: at bid submission (a warning to the bidder; the deadline and the evaluation govern)
and at the entrustment of an agency (an agency not clear cannot be entrusted). Transaction sits
below credit and reaches it only through the gpcloud_credit_check hook
(core/plugins/credit_check.py), as the deadline's check does (opening.py); credit stores each
check's snapshot in the tenant that asked."""

from __future__ import annotations

from dataclasses import dataclass

from gpcloud.core.errors import DomainError
from gpcloud.core.plugins.calling import Answer, PluginFailed
from gpcloud.core.plugins.credit_check import credit_answers, unclear


@dataclass(frozen=True)
class CreditWarning:
    """Why a bidder was not found clear at submission: a record that bars it (its list) or a
    source that could not answer."""

    code: str  # CREDIT_NOT_CLEAR | PLUGIN_FAILED
    source: str  # who answered: "gpcloud.credit" or a plugin's list
    kind: str = ""  # the record's kind (blacklist, ...); "" when the source named none
    title: str = ""  # the list's name, as the credit domain titles the kind
    starts_on: str | None = None
    ends_on: str | None = None
    reference: str = ""  # the deciding document or the list's own record id


def warnings_of(found: list[Answer]) -> list[CreditWarning]:
    """Each barring record of the answers not clear; a source not clear that named none is
    one warning of its own."""
    warnings = []
    for answer in unclear(found):
        value = answer.value or {}
        source = str(value.get("source") or answer.plugin)
        barring = [r for r in value.get("records") or () if r.get("bars", True)]
        warnings += [
            CreditWarning(
                "CREDIT_NOT_CLEAR",
                source,
                str(r.get("kind") or ""),
                str(r.get("title") or ""),
                r.get("starts_on"),
                r.get("ends_on"),
                str(r.get("reference") or ""),
            )
            for r in barring
        ] or [CreditWarning("CREDIT_NOT_CLEAR", source)]
    return warnings


async def at_submission(tenant: str, organisation_id: int) -> list[CreditWarning]:
    """The bidder's check at submission: what it is warned of (nothing when clear). A check
    that cannot be made warns too and lets the bid in: the deadline checks again."""
    try:
        return warnings_of(await credit_answers(tenant, organisation_id, "bid_submission"))
    except PluginFailed as failed:
        return [CreditWarning("PLUGIN_FAILED", failed.plugin)]


async def ensure_agency_clear(tenant: str, organisation_id: int) -> None:
    """An agency on a credit list (or that a source does not find clear) cannot be entrusted;
    a check that cannot be made lets nobody through (PLUGIN_FAILED)."""
    if unclear(await credit_answers(tenant, organisation_id, "entrustment")):
        raise DomainError(
            "CREDIT_NOT_CLEAR",
            "the agency is on a credit list today (Caiku [2016] 125): it cannot be entrusted",
            "agencyId",
        )
