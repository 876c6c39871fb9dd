"""Credit's GraphQL types and inputs (the fields are in __init__.py)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum, values_enum
from gpcloud.core.graphql.permissions import Authenticated, allow
from gpcloud.core.graphql.types import UserError, parse_id
from gpcloud.core.jsonutil import loads
from gpcloud.credit.service import appeals, checks, records
from gpcloud.credit.workflow import APPEAL, RECORD

CreditRecordStatus = state_enum(
    "CreditRecordStatus",
    RECORD,
    {
        "active": "In force: counted by the credit check (and barring, if its kind bars).",
        "expired": "Its period ended (endsOn passed); a check as of a day within it still counts it.",
        "repaired": "信用修复: the subject corrected what it was recorded for; no longer counted.",
        "revoked": "Recorded in error or annulled (an upheld appeal, a court, off its list).",
    },
)
CreditAppealStatus = state_enum(
    "CreditAppealStatus",
    APPEAL,
    {
        "filed": "Waits for a supervisor of the record's region to decide.",
        "upheld": "Founded: the record was revoked in the same step.",
        "dismissed": "Unfounded, with the reasons in `decision`; the record stands.",
    },
)
CreditRecordKind = values_enum(
    "CreditRecordKind",
    records.KINDS,
    "What a record is about.",
    {
        "blacklist": "政府采购严重违法失信行为记录名单 (blacklist): barred for 1 to 3 years; public.",
        "dishonest_debtor": "失信被执行人: on the courts' list of judgment debtors; bars.",
        "major_tax_violation": "重大税收违法失信主体: a major tax violator; bars.",
        "administrative_penalty": "行政处罚: an administrative penalty; recorded, does not bar.",
        "groundless_complaints": "恶意投诉: complaints found groundless or in bad faith; does not "
        "bar.",
        "expert_misconduct": "评审专家不良行为: an evaluation expert's misconduct; bars "
        "while active.",
    },
)
CreditSubjectKind = values_enum(
    "CreditSubjectKind",
    records.SUBJECT_KINDS,
    "Who a credit record is about: an organisation of that kind, or an expert of the pool.",
    {
        "supplier": "A supplier (供应商) organisation.",
        "agency": "A procurement agency (采购代理机构) organisation.",
        "purchaser": "A purchaser (采购人) organisation.",
        "expert": "An evaluation expert of the expert pool.",
    },
)
CreditSource = values_enum(
    "CreditSource",
    records.SOURCES,
    "Where a credit record comes from.",
    {
        "supervisor_decision": "A supervisor's decision, naming its document number.",
        "national_list": "A national list's entry, as last loaded (sourceList names the list).",
        "platform_event": "An event on the platform itself.",
    },
)
CreditPurpose = values_enum(
    "CreditPurpose",
    checks.PURPOSES,
    "The step a check is made for.",
    {
        "bid_submission": "When a supplier submits a bid.",
        "bid_deadline": "At the bid deadline.",
        "evaluation": "At evaluation: this check's result governs.",
        "expert_draw": "When evaluation experts are drawn.",
        "emall_order": "When an e-mall order is placed.",
        "entrustment": "When a purchaser entrusts a procurement to an agency.",
        "award": "Before a result naming the winner is published (publication warnings).",
    },
)
CreditListCode = values_enum(
    "CreditListCode",
    checks.NATIONAL_LISTS,
    "A national list the mandatory check consults (Caiku [2016] 125).",
    {
        "blacklist": "政府采购严重违法失信行为记录名单: the serious-violation list (blacklist).",
        "dishonest_debtor": "失信被执行人: the courts' list of judgment debtors.",
        "major_tax_violation": "重大税收违法失信主体: the tax authority's list.",
    },
)
SIGNED_IN = allow(Authenticated())


def _json(value):
    return loads(value) if isinstance(value, str) else value


@strawberry.type(description="A piece of evidence a credit record rests on.")
class CreditEvidence:
    title: str = strawberry.field(description="What the evidence is, e.g. 处罚决定书.")
    reference: str = strawberry.field(
        description="Where to find it, in words (e.g. a document number or a link); may be empty."
    )


@strawberry.type(description="An appeal (异议申诉) against a credit record and its decision.")
class CreditAppeal:
    id: strawberry.ID
    record_id: strawberry.ID = strawberry.field(description="The credit record appealed.")
    statement: str = strawberry.field(
        description="The subject's statement: why the record is wrong."
    )
    status: CreditAppealStatus = strawberry.field(description="Where the appeal stands.")  # type: ignore[valid-type]
    decision: str = strawberry.field(
        description="The supervisor's decision with its reasons; empty until decided."
    )
    decided_at: datetime | None = strawberry.field(
        description="When it was decided; null while filed."
    )
    created_at: datetime

    @classmethod
    def of(cls, row: dict) -> CreditAppeal:
        return cls(
            id=strawberry.ID(str(row["id"])),
            record_id=strawberry.ID(str(row["record"])),
            statement=row["statement"],
            status=CreditAppealStatus(row["status"]),
            decision=row["decision"],
            decided_at=row["decided_at"],
            created_at=row["created_at"],
        )


@strawberry.type(
    description="A credit record (信用记录) about a supplier, agency, purchaser "
    "or expert. Seen whole by credit readers and the subject."
)
class CreditRecord:
    id: strawberry.ID
    subject_kind: CreditSubjectKind = strawberry.field(
        description="What kind of subject the record is about."
    )  # type: ignore[valid-type]
    organisation_id: strawberry.ID | None = strawberry.field(
        description="The subject organisation; null for an expert."
    )
    expert_id: strawberry.ID | None = strawberry.field(
        description="The subject expert; null for an organisation."
    )
    subject_name: str = strawberry.field(description="The subject's name when recorded.")
    subject_code: str = strawberry.field(description="USCC; an expert's masked ID number.")
    kind: CreditRecordKind = strawberry.field(description="What the record is about.")  # type: ignore[valid-type]
    kind_title: str = strawberry.field(description="The kind's name in Chinese, e.g. 失信被执行人.")
    bars: bool = strawberry.field(description="Excludes its subject while active (the check).")
    public: bool = strawberry.field(
        description="Shown on the portal and to anyone signed in (the kind decides)."
    )
    source: CreditSource = strawberry.field(description="Where the record comes from.")  # type: ignore[valid-type]
    source_list: str = strawberry.field(
        description="The national list it was loaded from; empty for other sources."
    )
    document: str = strawberry.field(
        description="The decision's document number (文号); required of a supervisor's decision."
    )
    authority: str = strawberry.field(
        description="The authority that decided, e.g. the finance department."
    )
    facts: str = strawberry.field(description="What the subject did, in the decision's words.")
    evidence: list[CreditEvidence] = strawberry.field(
        description="The evidence it rests on.", directives=[ListSize(max=100)]
    )
    starts_on: date = strawberry.field(description="The first day it is in force.")
    ends_on: date | None = strawberry.field(
        description="The last day it is in force; null: open-ended (a blacklist entry always has one)."
    )
    region: str = strawberry.field(
        description="The region code (GB/T 2260) of the region that recorded it; its supervisors repair or revoke it."
    )
    status: CreditRecordStatus = strawberry.field(description="Where the record stands.")  # type: ignore[valid-type]
    status_reason: str = strawberry.field(
        description="Why it was repaired or revoked, in words; empty while active."
    )

    @classmethod
    def of(cls, row: dict) -> CreditRecord:
        return cls(
            id=strawberry.ID(str(row["id"])),
            subject_kind=CreditSubjectKind(row["subject_kind"]),
            organisation_id=strawberry.ID(str(row["organisation"]))
            if row["organisation"]
            else None,
            expert_id=strawberry.ID(str(row["expert"])) if row["expert"] else None,
            subject_name=row["subject_name"],
            subject_code=row["subject_code"],
            kind=CreditRecordKind(row["kind"]),
            kind_title=records.KINDS[row["kind"]].title,
            bars=row["bars"],
            public=row["public"],
            source=CreditSource(row["source"]),
            source_list=row["source_list"],
            document=row["document"],
            authority=row["authority"],
            facts=row["facts"],
            evidence=[
                CreditEvidence(title=e["title"], reference=e["reference"])
                for e in _json(row["evidence"])
            ],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            region=row["region"],
            status=CreditRecordStatus(row["status"]),
            status_reason=row["status_reason"],
        )

    @strawberry.field(
        extensions=SIGNED_IN, directives=[ListSize(max=20)], description="Oldest first."
    )
    async def appeals(self, info: Info) -> list[CreditAppeal]:
        """Credit readers and the subject's organisation; others see none."""
        user = info.context.user
        own = self.organisation_id is not None and int(self.organisation_id) == user.organisation_id
        if not (own or user.can(Perm.CREDIT_READ)):
            return []
        rows = await info.context.loaders.get("credit_appeals", appeals.of_records).load(
            int(self.id)
        )
        return [CreditAppeal.of(r) for r in rows]


@strawberry.type(description="A serious-violation list entry as the law makes it public.")
class SeriousViolation:
    id: strawberry.ID
    subject_name: str = strawberry.field(description="The barred supplier's or agency's name.")
    subject_code: str = strawberry.field(description="Its unified social credit code (USCC).")
    document: str = strawberry.field(description="The decision's document number (文号).")
    authority: str = strawberry.field(description="The finance department that decided.")
    facts: str = strawberry.field(description="The serious violation, in the decision's words.")
    starts_on: date = strawberry.field(description="The first day of the ban.")
    ends_on: date | None = strawberry.field(
        description="The last day of the ban (1 to 3 years: Law art. 77)."
    )

    @classmethod
    def of(cls, row: dict) -> SeriousViolation:
        return cls(
            id=strawberry.ID(str(row["id"])),
            **{
                k: row[k]
                for k in (
                    "subject_name",
                    "subject_code",
                    "document",
                    "authority",
                    "facts",
                    "starts_on",
                    "ends_on",
                )
            },
        )


@strawberry.type(description="A national list as a check consulted it: as last loaded.")
class CreditListConsulted:
    list: str = strawberry.field(
        description="The list's code, as in CreditListCode (e.g. dishonest_debtor)."
    )
    loaded_at: str | None = strawberry.field(description="ISO instant; null: never loaded.")
    rows: int | None = strawberry.field(
        description="How many entries it had when last loaded; 0 if never loaded."
    )


@strawberry.type(description="A record a check found in force on its day, as it read then.")
class CreditCheckRecord:
    record_id: strawberry.ID = strawberry.field(description="The credit record found.")
    kind: CreditRecordKind = strawberry.field(description="What the record is about.")  # type: ignore[valid-type]
    title: str = strawberry.field(description="The kind's name in Chinese, e.g. 失信被执行人.")
    subject_name: str = strawberry.field(description="The subject's name on the record.")
    starts_on: date = strawberry.field(description="The first day the record is in force.")
    ends_on: date | None = strawberry.field(
        description="The last day it is in force; null: open-ended."
    )
    bars: bool = strawberry.field(
        description="It excludes the organisation: the check is not clear."
    )
    reference: str = strawberry.field(
        description="The decision's document number or the list entry's key."
    )


@strawberry.type(description="One source a check asked, and its answer.")
class CreditCheckSource:
    source: str = strawberry.field(
        description="gpcloud.credit (the platform's records) or the source a plugin named."
    )
    plugin: str | None = strawberry.field(
        description="The tenant plugin that answered; null for the platform's records."
    )
    clear: bool = strawberry.field(description="This source found nothing that bars.")


@strawberry.type(description="The snapshot of a mandatory check (Caiku [2016] 125).")
class CreditCheck:
    id: strawberry.ID
    tenant_code: str
    organisation_id: strawberry.ID = strawberry.field(description="The organisation checked.")
    purpose: CreditPurpose = strawberry.field(description="The step the check was made for.")  # type: ignore[valid-type]
    on_day: date = strawberry.field(description="The day the records were read as of.")
    checked_at: datetime = strawberry.field(description="When the check was made (to the second).")
    clear: bool = strawberry.field(
        description="Every source is clear: nothing bars the organisation."
    )
    lists: list[CreditListConsulted] = strawberry.field(
        description="The national lists consulted, and as of when.", directives=[ListSize(max=10)]
    )
    records: list[CreditCheckRecord] = strawberry.field(
        description="The records in force on onDay, barring or not.", directives=[ListSize(max=100)]
    )
    sources: list[CreditCheckSource] = strawberry.field(
        description="Each source asked (the platform's records, then plugins) and its answer.",
        directives=[ListSize(max=20)],
    )
    digest: str = strawberry.field(description="sha256 over the snapshot's content.")
    digest_matches: bool = strawberry.field(description="The snapshot reads as it was stored.")
    reference: str = strawberry.field(
        description="The procedure step it was made for, e.g. evaluation_committee:12 (taken "
        "as that committee started evaluating: its result governs); empty for a check alone."
    )

    @classmethod
    def of(cls, row: dict) -> CreditCheck:
        row = {**row, **{k: _json(row[k]) for k in ("lists", "records", "sources")}}
        return cls(
            id=strawberry.ID(str(row["id"])),
            tenant_code=row["tenant_id"],
            organisation_id=strawberry.ID(str(row["organisation"])),
            purpose=CreditPurpose(row["purpose"]),
            on_day=row["on_day"],
            checked_at=row["checked_at"],
            clear=row["clear"],
            lists=[
                CreditListConsulted(list=x["list"], loaded_at=x["loaded_at"], rows=x["rows"])
                for x in row["lists"]
            ],
            records=[
                CreditCheckRecord(
                    record_id=strawberry.ID(str(r["record_id"])),
                    kind=CreditRecordKind(r["kind"]),
                    title=r["title"],
                    subject_name=r["subject_name"],
                    starts_on=date.fromisoformat(r["starts_on"]),
                    ends_on=date.fromisoformat(r["ends_on"]) if r["ends_on"] else None,
                    bars=r["bars"],
                    reference=r["reference"],
                )
                for r in row["records"]
            ],
            sources=[
                CreditCheckSource(source=s["source"], plugin=s.get("plugin"), clear=s["clear"])
                for s in row["sources"]
            ],
            digest=row["digest"],
            digest_matches=checks.recompute_digest(row) == row["digest"],
            reference=row["reference"],
        )


@strawberry.type(description="A subject's credit: its records as the caller may see them.")
class CreditProfile:
    subject_kind: CreditSubjectKind = strawberry.field(description="What kind of subject it is.")  # type: ignore[valid-type]
    subject_id: strawberry.ID = strawberry.field(
        description="The organisation's or the expert's id."
    )
    name: str = strawberry.field(description="The subject's name.")
    barred: bool = strawberry.field(description="An active record bars it today.")
    rating_count: int = strawberry.field(description="Ratings given in every region.")
    rating_average: float | None = strawberry.field(description="Of their totals, out of 100.")
    records: list[CreditRecord] = strawberry.field(
        description="Its records the caller may see: all for credit readers and the subject, else the public ones.",
        directives=[ListSize(max=200)],
    )


@strawberry.input
class CreditEvidenceInput:
    title: str = strawberry.field(description="What the evidence is, e.g. 处罚决定书 (required).")
    reference: str = strawberry.field(
        default="", description="Where to find it, in words (e.g. a document number or a link)."
    )


@strawberry.input
class CreditRecordInput:
    subject_kind: CreditSubjectKind = strawberry.field(
        description="What kind of subject the record is about."
    )  # type: ignore[valid-type]
    subject_id: strawberry.ID = strawberry.field(description="An organisation; an expert's id.")
    kind: CreditRecordKind = strawberry.field(
        description="What the record is about (EXPERT_MISCONDUCT: experts only)."
    )  # type: ignore[valid-type]
    starts_on: date = strawberry.field(description="The first day it is in force.")
    ends_on: date | None = strawberry.field(
        default=None,
        description="The last day in force; a blacklist entry needs one, within 3 years.",
    )
    document: str = strawberry.field(
        default="", description="The decision's document number (文号); required."
    )
    authority: str = strawberry.field(default="", description="The authority that decided.")
    facts: str = strawberry.field(
        default="", description="What the subject did, in the decision's words."
    )
    evidence: list[CreditEvidenceInput] = strawberry.field(
        description="The evidence, each with a title (at most 100).", default_factory=list
    )

    def to_service(self) -> records.RecordInput:
        return records.RecordInput(
            subject_kind=self.subject_kind.value,
            subject_id=parse_id(self.subject_id, "subject"),
            kind=self.kind.value,
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            document=self.document,
            authority=self.authority,
            facts=self.facts,
            evidence=[{"title": e.title, "reference": e.reference} for e in self.evidence[:100]],
        )


@strawberry.type
class CreditRecordPayload:
    record: CreditRecord | None = strawberry.field(
        default=None, description="The record as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreditAppealPayload:
    appeal: CreditAppeal | None = strawberry.field(
        default=None, description="The appeal as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreditCheckPayload:
    check: CreditCheck | None = strawberry.field(
        default=None, description="The stored snapshot; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)
