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

CreditRecordStatus = state_enum("CreditRecordStatus", RECORD)
CreditAppealStatus = state_enum("CreditAppealStatus", APPEAL)
CreditRecordKind = values_enum("CreditRecordKind", records.KINDS, "What a record is about.")
CreditSubjectKind = values_enum("CreditSubjectKind", records.SUBJECT_KINDS)
CreditSource = values_enum("CreditSource", records.SOURCES)
CreditPurpose = values_enum("CreditPurpose", checks.PURPOSES, "The step a check is made for.")
CreditListCode = values_enum("CreditListCode", checks.NATIONAL_LISTS)
SIGNED_IN = allow(Authenticated())


def _json(value):
    return loads(value) if isinstance(value, str) else value


@strawberry.type
class CreditEvidence:
    title: str
    reference: str


@strawberry.type(description="An appeal (异议申诉) against a credit record and its decision.")
class CreditAppeal:
    id: strawberry.ID
    record_id: strawberry.ID
    statement: str
    status: CreditAppealStatus  # type: ignore[valid-type]
    decision: str
    decided_at: datetime | None
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
    subject_kind: CreditSubjectKind  # type: ignore[valid-type]
    organisation_id: strawberry.ID | None
    expert_id: strawberry.ID | None
    subject_name: str
    subject_code: str = strawberry.field(description="USCC; an expert's masked ID number.")
    kind: CreditRecordKind  # type: ignore[valid-type]
    kind_title: str
    bars: bool = strawberry.field(description="Excludes its subject while active (the check).")
    public: bool
    source: CreditSource  # type: ignore[valid-type]
    source_list: str
    document: str
    authority: str
    facts: str
    evidence: list[CreditEvidence] = strawberry.field(directives=[ListSize(max=100)])
    starts_on: date
    ends_on: date | None
    region: str
    status: CreditRecordStatus  # type: ignore[valid-type]
    status_reason: str

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
    subject_name: str
    subject_code: str
    document: str
    authority: str
    facts: str
    starts_on: date
    ends_on: date | None

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


@strawberry.type
class CreditListConsulted:
    list: str
    loaded_at: str | None = strawberry.field(description="ISO instant; null: never loaded.")
    rows: int | None


@strawberry.type
class CreditCheckRecord:
    record_id: strawberry.ID
    kind: CreditRecordKind  # type: ignore[valid-type]
    title: str
    subject_name: str
    starts_on: date
    ends_on: date | None
    bars: bool
    reference: str


@strawberry.type
class CreditCheckSource:
    source: str
    plugin: str | None
    clear: bool


@strawberry.type(description="The snapshot of a mandatory check (Caiku [2016] 125).")
class CreditCheck:
    id: strawberry.ID
    tenant_code: str
    organisation_id: strawberry.ID
    purpose: CreditPurpose  # type: ignore[valid-type]
    on_day: date
    checked_at: datetime
    clear: bool
    lists: list[CreditListConsulted] = strawberry.field(directives=[ListSize(max=10)])
    records: list[CreditCheckRecord] = strawberry.field(directives=[ListSize(max=100)])
    sources: list[CreditCheckSource] = strawberry.field(directives=[ListSize(max=20)])
    digest: str = strawberry.field(description="sha256 over the snapshot's content.")
    digest_matches: bool = strawberry.field(description="The snapshot reads as it was stored.")

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
        )


@strawberry.type(description="A subject's credit: its records as the caller may see them.")
class CreditProfile:
    subject_kind: CreditSubjectKind  # type: ignore[valid-type]
    subject_id: strawberry.ID
    name: str
    barred: bool = strawberry.field(description="An active record bars it today.")
    rating_count: int = strawberry.field(description="Ratings given in every region.")
    rating_average: float | None = strawberry.field(description="Of their totals, out of 100.")
    records: list[CreditRecord] = strawberry.field(directives=[ListSize(max=200)])


@strawberry.input
class CreditEvidenceInput:
    title: str
    reference: str = ""


@strawberry.input
class CreditRecordInput:
    subject_kind: CreditSubjectKind  # type: ignore[valid-type]
    subject_id: strawberry.ID = strawberry.field(description="An organisation; an expert's id.")
    kind: CreditRecordKind  # type: ignore[valid-type]
    starts_on: date
    ends_on: date | None = None
    document: str = ""
    authority: str = ""
    facts: str = ""
    evidence: list[CreditEvidenceInput] = strawberry.field(default_factory=list)

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
    record: CreditRecord | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreditAppealPayload:
    appeal: CreditAppeal | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreditCheckPayload:
    check: CreditCheck | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
