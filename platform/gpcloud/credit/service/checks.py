"""The mandatory credit check (Caiku [2016] 125): one service every caller uses, at bid
submission, at the deadline, at evaluation (whose result governs), at the expert draw, at
e-mall orders and at entrustment.

A check reads the organisation's records (its own records of every source, national lists as
last loaded), asks the tenant's approved plugins that implement gpcloud_credit_check, and stores
a snapshot in the tenant: the lists consulted and as of when, the time, the result with the
records found, and a sha256 digest over all of that (the evaluation report shows it).
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

from gpcloud.core.audit.service import canonical
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import now, today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.plugins.hooks import tenant_hooks
from gpcloud.core.tenancy.scope import current_scope
from gpcloud.credit.service import records
from gpcloud.credit.service.records import KINDS
from gpcloud.credit.tables import CreditCheck, CreditList, CreditRecord

PURPOSES = (
    "bid_submission",
    "bid_deadline",
    "evaluation",
    "expert_draw",
    "emall_order",
    "entrustment",
    "award",
)
SOURCE = "gpcloud.credit"
NATIONAL_LISTS = ("blacklist", "dishonest_debtor", "major_tax_violation")
# Records a check still counts: an active record in its period; and one the scheduler has not
# expired yet is active too, so the period decides, not the scheduler's lag.
COUNTING = ("active", "expired")


@dataclass(frozen=True)
class CheckResult:
    snapshot: dict  # the stored CreditCheck row

    @property
    def clear(self) -> bool:
        return self.snapshot["clear"]

    def answer(self) -> dict:
        """As gpcloud_credit_check answers."""
        return {
            "clear": self.clear,
            "records": self.snapshot["records"],
            "source": SOURCE,
            "snapshot_id": self.snapshot["id"],
            "digest": self.snapshot["digest"],
        }


def _covers(row: dict, on_day: date) -> bool:
    return row["starts_on"] <= on_day and (row["ends_on"] is None or row["ends_on"] >= on_day)


def _found(row: dict) -> dict:
    return {
        "record_id": row["id"],
        "kind": row["kind"],
        "title": KINDS[row["kind"]].title,
        "subject_name": row["subject_name"],
        "starts_on": row["starts_on"].isoformat(),
        "ends_on": row["ends_on"].isoformat() if row["ends_on"] else None,
        "bars": row["bars"],
        "source": row["source"],
        "reference": row["document"] or row["source_key"] or "",
    }


async def _lists() -> list[dict]:
    """The lists a check consults and as of when: the platform's own records, and each national
    list as last loaded (never loaded: loaded_at None)."""
    loaded = {r["code"]: r for r in await CreditList.select()}
    lists = [{"list": "platform", "loaded_at": now().isoformat(), "rows": None}]
    for code in NATIONAL_LISTS:
        row = loaded.get(code)
        lists.append(
            {
                "list": code,
                "loaded_at": row["loaded_at"].isoformat() if row and row["loaded_at"] else None,
                "rows": row["rows"] if row else 0,
            }
        )
    return lists


def instant(at: datetime) -> str:
    """An instant as the digest reads it, the same whichever database returned it."""
    return at.astimezone(UTC).isoformat(timespec="seconds")


def digest(content: dict) -> str:
    return hashlib.sha256(canonical(content).encode()).hexdigest()


async def _plugin_answers(tenant: str, organisation_id: int, purpose: str, on_day: date) -> list:
    hooks = await tenant_hooks(tenant)
    if not hooks.active:
        return []
    return await asyncio.to_thread(
        hooks.call,
        "gpcloud_credit_check",
        tenant=tenant,
        organisation_id=organisation_id,
        purpose=purpose,
        on_day=on_day,
    )


async def check(
    organisation_id: int,
    purpose: str,
    on_day: date | None = None,
    *,
    tenant: str | None = None,
    actor: CurrentUser | None = None,
    reference: str = "",
) -> CheckResult:
    """Check `organisation_id` for `purpose` on `on_day` (default today) in `tenant` (default
    the scope's) and store the snapshot, for the step `reference` names (in the digest when
    given). Clear when no record counting on that day bars it and every plugin that answered
    says clear."""
    if purpose not in PURPOSES:
        raise DomainError("INVALID_PURPOSE", f"one of {', '.join(PURPOSES)}", "purpose")
    if actor is not None:
        actor.require(Perm.CREDIT_CHECK)
    on_day = on_day or today()
    tenant = tenant or current_scope().tenant
    if tenant is None:
        raise DomainError("NO_TENANT", "a check is made in a tenant's procedure", "tenant")
    org = (
        await Organisation.select(Organisation.uscc)
        .where(Organisation.id == organisation_id)
        .first()
    )
    if org is None:
        raise NotFound("organisation", organisation_id)
    answers = await _plugin_answers(tenant, organisation_id, purpose, on_day)
    at = now().replace(microsecond=0)
    async with transaction():
        about = records.about(organisation_id, org["uscc"])
        rows = await CreditRecord.select().where(about & CreditRecord.status.is_in(COUNTING))
        found = [_found(r) for r in sorted(rows, key=lambda r: r["id"]) if _covers(r, on_day)]
        sources = [{"source": SOURCE, "clear": not any(f["bars"] for f in found)}]
        for answer in answers:
            value = answer.value
            sources.append(
                {
                    "source": str(value.get("source") or answer.plugin),
                    "plugin": answer.plugin,
                    "clear": bool(value.get("clear")),
                    "records": list(value.get("records") or []),
                }
            )
        content = {
            "tenant": tenant,
            "organisation": organisation_id,
            "purpose": purpose,
            "on_day": on_day,
            "checked_at": instant(at),
            "lists": await _lists(),
            "records": found,
            "sources": sources,
            "clear": all(s["clear"] for s in sources),
        }
        if reference:
            content["reference"] = reference
        row = CreditCheck(
            tenant_id=tenant,
            organisation=organisation_id,
            purpose=purpose,
            on_day=on_day,
            checked_at=at,
            checked_by=actor.id if actor else None,
            clear=content["clear"],
            lists=content["lists"],
            records=found,
            sources=sources,
            digest=digest(content),
            reference=reference,
        )
        await row.save()
        snapshot = await get(row.id)
    return CheckResult(snapshot)


async def barred_experts(on_day: date, expert_ids: list[int] | None = None) -> dict[int, str]:
    """Experts an active ban (a record that `bars`, counting on `on_day`) excludes from the
    expert draw, with the record's kind; all of them, or those among `expert_ids`. The expert
    draw asks once per draw, whatever the pool's size: bans are few."""
    query = CreditRecord.select(
        CreditRecord.expert, CreditRecord.kind, CreditRecord.starts_on, CreditRecord.ends_on
    ).where(
        CreditRecord.expert.is_not_null()
        & (CreditRecord.bars == True)  # noqa: E712
        & CreditRecord.status.is_in(COUNTING)
        & (CreditRecord.starts_on <= on_day)
    )
    if expert_ids is not None:
        query = query.where(CreditRecord.expert.is_in(list(expert_ids) or [0]))
    return {
        r["expert"]: KINDS[r["kind"]].title
        for r in await query.order_by(CreditRecord.id)
        if _covers(r, on_day)
    }


def recompute_digest(snapshot: dict) -> str:
    """The digest of a stored snapshot as it reads now (equal to `digest` unless changed)."""
    reference = snapshot.get("reference") or ""
    return digest(
        ({"reference": reference} if reference else {})
        | {
            "tenant": snapshot["tenant_id"],
            "organisation": snapshot["organisation"],
            "purpose": snapshot["purpose"],
            "on_day": snapshot["on_day"],
            "checked_at": instant(snapshot["checked_at"]),
            "lists": snapshot["lists"],
            "records": snapshot["records"],
            "sources": snapshot["sources"],
            "clear": snapshot["clear"],
        }
    )


async def get(check_id: int) -> dict:
    row = (
        await CreditCheck.select().where(CreditCheck.id == check_id).output(load_json=True).first()
    )
    if row is None:
        raise NotFound("credit check", check_id)
    return row


async def search(
    organisation_id: int | None, first: int | None, after: str | None, reference: str | None = None
) -> Page:
    query = CreditCheck.select().output(load_json=True)
    if organisation_id is not None:
        query = query.where(CreditCheck.organisation == organisation_id)
    if reference:
        query = query.where(CreditCheck.reference == reference)
    return await keyset_page(query, CreditCheck.id, first, after)


@requires(Perm.CREDIT_CHECK)
async def run(
    actor: CurrentUser, organisation_id: int, purpose: str, on_day: date | None = None
) -> dict:
    """A check asked for through the API (a purchaser or agency before a step it takes): the
    snapshot, in the caller's tenant."""
    return (
        await check(organisation_id, purpose, on_day, tenant=actor.tenant, actor=actor)
    ).snapshot
