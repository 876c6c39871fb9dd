"""Credit records: recorded by a supervisor's decision, a national list or a platform event;
repaired or revoked by a supervisor of the record's region; expired by the scheduler.

Rules held here: what each kind of record means (whether it bars its subject, whether it is
public), that a decision names its document, that a serious-violation entry has an end within
the law's 3 years, and that the subject is what the record says it is (an organisation of that
kind, or an expert of the pool).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.credit.tables import CreditRecord
from gpcloud.credit.workflow import RECORD
from gpcloud.registries.experts.service import experts as expert_pool


@dataclass(frozen=True)
class Kind:
    title: str
    bars: bool  # excludes its subject from procurement while active
    public: bool  # shown on the portal
    ends: bool = False  # needs an end date


# Caiku [2016] 125: the serious-violation list, dishonest judgment debtors and major tax cases
# exclude a supplier; the others inform the evaluation and the profile.
KINDS: dict[str, Kind] = {
    "blacklist": Kind("政府采购严重违法失信行为记录名单", True, True, ends=True),
    "dishonest_debtor": Kind("失信被执行人", True, False),
    "major_tax_violation": Kind("重大税收违法失信主体", True, False),
    "administrative_penalty": Kind("行政处罚", False, False),
    "groundless_complaints": Kind("恶意投诉", False, False),
    "expert_misconduct": Kind("评审专家不良行为", True, False),
}
SUBJECT_KINDS = ("supplier", "agency", "purchaser", "expert")
SOURCES = ("supervisor_decision", "national_list", "platform_event")
MAX_BAN_YEARS = 3  # Law art. 77; Caibanku [2014] 526: an entry stays 3 years at most


@dataclass(frozen=True)
class RecordInput:
    subject_kind: str
    subject_id: int  # the organisation; for an expert, the expert's id in the pool
    kind: str
    starts_on: date
    ends_on: date | None = None
    document: str = ""
    authority: str = ""
    facts: str = ""
    evidence: list[dict] = field(default_factory=list)  # [{"title", "reference"}]


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_input(data: RecordInput, source: str) -> Kind:
    if data.subject_kind not in SUBJECT_KINDS:
        raise DomainError("INVALID_SUBJECT", f"one of {', '.join(SUBJECT_KINDS)}", "subjectKind")
    kind = KINDS.get(data.kind)
    if kind is None:
        raise DomainError("INVALID_KIND", f"one of {', '.join(KINDS)}", "kind")
    if data.kind == "expert_misconduct" and data.subject_kind != "expert":
        raise DomainError("INVALID_KIND", "expert misconduct is recorded about experts", "kind")
    if source == "supervisor_decision" and not data.document.strip():
        raise DomainError("NO_DOCUMENT", "a decision names its document number", "document")
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise DomainError("INVALID_PERIOD", "the period ends before it starts", "endsOn")
    if kind.ends:
        if data.ends_on is None:
            raise DomainError("INVALID_PERIOD", f"a {data.kind} entry has an end date", "endsOn")
        if data.ends_on >= _years_later(data.starts_on, MAX_BAN_YEARS):
            raise DomainError(
                "INVALID_PERIOD",
                f"a {data.kind} entry lasts at most {MAX_BAN_YEARS} years (Law art. 77)",
                "endsOn",
            )
    for item in data.evidence:
        if not str(item.get("title", "")).strip():
            raise DomainError("INVALID_EVIDENCE", "each piece of evidence has a title", "evidence")
    return kind


async def subject(subject_kind: str, subject_id: int) -> dict:
    """{"organisation", "expert", "name", "code"} of the record's subject; NOT_FOUND when it is
    not an organisation of that kind (or an expert of the pool)."""
    if subject_kind == "expert":
        expert = await expert_pool.get(subject_id)
        return {
            "organisation": None,
            "expert": expert["id"],
            "name": expert["name"],
            "code": expert["id_number_masked"],
            "user_id": expert["user_id"],
        }
    org = await Organisation.select().where(Organisation.id == subject_id).first()
    if org is None or org["kind"] != subject_kind:
        raise NotFound(subject_kind, subject_id)
    return {
        "organisation": org["id"],
        "expert": None,
        "name": org["name"],
        "code": org["uscc"] or "",
        "user_id": None,
    }


async def get(record_id: int) -> dict:
    row = (
        await CreditRecord.select()
        .where(CreditRecord.id == record_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound("credit record", record_id)
    return row


async def insert(
    data: RecordInput,
    who: dict,
    source: str,
    region: str,
    recorded_by: int | None,
    source_list: str = "",
    source_key: str | None = None,
) -> dict:
    """Write one record in its initial state, audited and scheduled (in the caller's
    transaction)."""
    kind = check_input(data, source)
    row = CreditRecord(
        subject_kind=data.subject_kind,
        organisation=who["organisation"],
        expert=who["expert"],
        subject_name=who["name"],
        subject_code=who["code"],
        kind=data.kind,
        bars=kind.bars,
        public=kind.public,
        source=source,
        source_list=source_list,
        source_key=source_key,
        document=data.document.strip(),
        authority=data.authority.strip(),
        facts=data.facts.strip(),
        evidence=[
            {"title": str(e["title"]).strip(), "reference": str(e.get("reference", "")).strip()}
            for e in data.evidence
        ],
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        region=region,
        recorded_by=recorded_by,
    )
    await row.save()
    created = await get(row.id)
    await RECORD.created(
        created, {"kind": data.kind, "source": source, "document": created["document"]}
    )
    return await get(row.id)


@requires(Perm.CREDIT_RECORD)
async def record(actor: CurrentUser, data: RecordInput) -> dict:
    """A supervisor's decision about a subject, recorded for the supervisor's region."""
    async with transaction():
        who = await subject(data.subject_kind, data.subject_id)
        return await insert(data, who, "supervisor_decision", actor.tenant, actor.id)


async def _move(actor: CurrentUser | None, record_id: int, action: str, reason: str) -> dict:
    if not reason.strip():
        raise DomainError("NO_REASON", f"say why the record is {action}ed", "reason")
    async with transaction():
        row = await get(record_id)
        return await RECORD.move(
            actor,
            row,
            action,
            {CreditRecord.status_reason: reason.strip()},
            {"reason": reason.strip()},
        )


@requires(Perm.CREDIT_REPAIR)
async def repair(actor: CurrentUser, record_id: int, reason: str) -> dict:
    """信用修复: the subject corrected what it was recorded for (the document in `reason`)."""
    return await _move(actor, record_id, "repair", reason)


@requires(Perm.CREDIT_REVOKE)
async def revoke(actor: CurrentUser, record_id: int, reason: str) -> dict:
    return await _move(actor, record_id, "revoke", reason)


def visible_to(actor: CurrentUser | None):
    """The condition on records `actor` may read: all for credit readers, else the public ones
    and those about the caller (its organisation; an expert: itself)."""
    if actor is None or actor.can(Perm.CREDIT_READ):
        return None
    return (CreditRecord.public == True) | (  # noqa: E712 (a column condition)
        CreditRecord.organisation == actor.organisation_id
    )


async def readable(actor: CurrentUser | None, record_id: int) -> dict:
    row = await get(record_id)
    if actor is None or actor.can(Perm.CREDIT_READ) or row["public"]:
        return row
    if row["organisation"] is not None and row["organisation"] == actor.organisation_id:
        return row
    if (
        row["expert"] is not None
        and (await subject("expert", row["expert"]))["user_id"] == actor.id
    ):
        return row
    raise NotFound("credit record", record_id)


async def search(
    actor: CurrentUser | None,
    organisation_id: int | None,
    kind: str | None,
    status: str | None,
    first: int | None,
    after: str | None,
    public_only: bool = False,
) -> Page:
    query = CreditRecord.select().output(load_json=True)
    condition = visible_to(actor)
    if public_only or actor is None:
        condition = CreditRecord.public == True  # noqa: E712
    if condition is not None:
        query = query.where(condition)
    if organisation_id is not None:
        query = query.where(CreditRecord.organisation == organisation_id)
    if kind:
        query = query.where(CreditRecord.kind == kind)
    if status:
        query = query.where(CreditRecord.status == status)
    return await keyset_page(query, CreditRecord.id, first, after)


async def about_organisation(organisation_id: int):
    """The condition on records about an organisation: those naming it, and national list
    entries with its credit code loaded before it registered."""
    org = (
        await Organisation.select(Organisation.uscc)
        .where(Organisation.id == organisation_id)
        .first()
    )
    return about(organisation_id, org["uscc"] if org is not None else None)


def about(organisation_id: int, uscc: str | None):
    """`about_organisation` for an organisation whose credit code is already read."""
    condition = CreditRecord.organisation == organisation_id
    if uscc:
        condition = condition | (
            CreditRecord.organisation.is_null() & (CreditRecord.subject_code == uscc)
        )
    return condition


async def of_subject(organisation_id: int | None, expert_id: int | None) -> list[dict]:
    if expert_id is not None:
        condition = CreditRecord.expert == expert_id
    else:
        condition = await about_organisation(organisation_id)
    return (
        await CreditRecord.select()
        .where(condition)
        .order_by(CreditRecord.starts_on)
        .output(load_json=True)
    )


async def serious_violations(first: int | None, after: str | None) -> Page:
    """The public serious-violation list: entries in force (active), anyone may read them."""
    query = CreditRecord.select().where(
        (CreditRecord.kind == "blacklist")
        & (CreditRecord.public == True)  # noqa: E712
        & (CreditRecord.status == "active")
    )
    return await keyset_page(query, CreditRecord.id, first, after)
