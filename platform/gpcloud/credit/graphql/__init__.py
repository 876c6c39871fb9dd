"""Credit through the API: records and their appeals, a subject's profile, the mandatory check
and its snapshots, the national lists' fetch, the public serious-violation list, and ratings
(types in types.py and ratings.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.mutations import run_payload
from gpcloud.core.graphql.permissions import Public, Requires, SubsystemLive, allow
from gpcloud.core.graphql.types import Connection, connection, parse_id
from gpcloud.core.jobs.graphql import JobPayload, enqueue_for_tenant
from gpcloud.credit.graphql.ratings import (
    CreditCriteria,
    CreditCriterion,
    CreditRating,
    CreditRatingPayload,
    CreditScoreInput,
    RatedKind,
    score_map,
)
from gpcloud.credit.graphql.types import (
    SIGNED_IN,
    CreditAppeal,
    CreditAppealPayload,
    CreditCheck,
    CreditCheckPayload,
    CreditListCode,
    CreditProfile,
    CreditPurpose,
    CreditRecord,
    CreditRecordInput,
    CreditRecordKind,
    CreditRecordPayload,
    CreditRecordStatus,
    CreditSubjectKind,
    SeriousViolation,
)
from gpcloud.credit.service import appeals, checks, profiles, ratings, records


def _record(work):
    return run_payload(CreditRecordPayload, "record", CreditRecord.of, work)


def _appeal(work):
    return run_payload(CreditAppealPayload, "appeal", CreditAppeal.of, work)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=SIGNED_IN,
        description="Credit records: all for credit readers; others the public ones and their own.",
    )
    async def credit_records(
        self,
        info: Info,
        organisation_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only records about this organisation."),
        ] = None,
        kind: Annotated[
            CreditRecordKind | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only records of this kind."),
        ] = None,
        status: Annotated[
            CreditRecordStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only records in this state."),
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CreditRecord]:
        page = await records.search(
            info.context.user,
            parse_id(organisation_id, "organisation") if organisation_id else None,
            kind.value if kind else None,
            status.value if status else None,
            first,
            after,
        )
        return connection(page, CreditRecord.of)

    @strawberry.field(
        extensions=SIGNED_IN,
        description="One credit record: to credit readers and its subject, or when public.",
    )
    async def credit_record(self, info: Info, id: strawberry.ID) -> CreditRecord:
        return CreditRecord.of(
            await records.readable(info.context.user, parse_id(id, "credit record"))
        )

    @strawberry.field(
        extensions=SIGNED_IN,
        description="A subject's credit profile: an organisation, or an expert (expertId).",
    )
    async def credit_profile(
        self,
        info: Info,
        organisation_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The organisation; give it or expertId, not both."),
        ] = None,
        expert_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The expert; give it or organisationId, not both."),
        ] = None,
    ) -> CreditProfile:
        profile = await profiles.profile(
            info.context.user,
            parse_id(organisation_id, "organisation") if organisation_id else None,
            parse_id(expert_id, "expert") if expert_id else None,
        )
        rated = await ratings.summary(
            parse_id(organisation_id, "organisation") if organisation_id else None,
            parse_id(expert_id, "expert") if expert_id else None,
        )
        return CreditProfile(
            subject_kind=CreditSubjectKind(profile.subject_kind),
            subject_id=strawberry.ID(str(profile.subject_id)),
            name=profile.name,
            barred=profile.barred,
            rating_count=rated.count,
            rating_average=rated.average,
            records=[CreditRecord.of(r) for r in profile.records],
        )

    @strawberry.field(
        extensions=allow(Requires(Perm.CREDIT_CHECK)),
        description="Check snapshots of your region, latest last.",
    )
    async def credit_checks(
        self,
        info: Info,
        organisation_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only checks of this organisation."),
        ] = None,
        first: int | None = None,
        after: str | None = None,
        reference: Annotated[
            str | None,
            strawberry.argument(
                description="Only checks made for this step, e.g. evaluation_committee:12."
            ),
        ] = None,
    ) -> Connection[CreditCheck]:
        page = await checks.search(
            parse_id(organisation_id, "organisation") if organisation_id else None,
            first,
            after,
            reference,
        )
        return connection(page, CreditCheck.of)

    @strawberry.field(
        extensions=allow(Requires(Perm.CREDIT_CHECK)),
        description="One check snapshot of your region, with whether its digest still matches.",
    )
    async def credit_check(self, info: Info, id: strawberry.ID) -> CreditCheck:
        return CreditCheck.of(await checks.get(parse_id(id, "credit check")))

    @strawberry.field(
        extensions=allow(Public()),
        description="The public serious-violation list (政府采购严重违法失信行为记录名单): "
        "entries in force, latest first by id.",
    )
    async def serious_violations(
        self, first: int | None = None, after: str | None = None
    ) -> Connection[SeriousViolation]:
        return connection(await records.serious_violations(first, after), SeriousViolation.of)

    @strawberry.field(
        extensions=SIGNED_IN, description="What experts, suppliers and agencies are rated on."
    )
    async def credit_criteria(
        self,
        subject_kind: Annotated[
            RatedKind,  # type: ignore[valid-type]
            strawberry.argument(description="The kind of subject whose criteria to read."),
        ],
    ) -> CreditCriteria:
        found = ratings.criteria()[subject_kind.value]
        return CreditCriteria(
            subject_kind=subject_kind,
            criteria=[CreditCriterion(key=c.key, title=c.title, max=c.max) for c in found.criteria],
            source=found.source,
            unverified=found.unverified,
        )


def live(permission: Perm) -> list:
    """A credit mutation: the permission, once credit is live in the caller's tenant."""
    return allow(Requires(permission), SubsystemLive("credit"))


def _rating(work):
    return run_payload(CreditRatingPayload, "rating", CreditRating.of, work)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=live(Perm.CREDIT_RATE_EXPERT),
        description="Rate an expert of an evaluation your agency ran (creditCriteria(EXPERT)).",
    )
    async def rate_expert(
        self,
        info: Info,
        expert_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The expert rated."),
        ],
        project_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The project whose evaluation the expert sat on."),
        ],
        scores: Annotated[
            list[CreditScoreInput],
            strawberry.argument(
                description="Points for every criterion of creditCriteria(EXPERT)."
            ),
        ],
        comment: Annotated[
            str,
            strawberry.argument(description="Your comment; may be empty."),
        ] = "",
    ) -> CreditRatingPayload:
        return await _rating(
            lambda: ratings.rate_expert(
                info.context.user,
                parse_id(expert_id, "expert"),
                parse_id(project_id, "project"),
                score_map(scores),
                comment,
            )
        )

    @strawberry.mutation(
        extensions=live(Perm.CREDIT_RATE_SUPPLIER),
        description="Rate the supplier of your contract after its final acceptance passed.",
    )
    async def rate_supplier(
        self,
        info: Info,
        contract_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="Your contract whose supplier is rated."),
        ],
        scores: Annotated[
            list[CreditScoreInput],
            strawberry.argument(
                description="Points for every criterion of creditCriteria(SUPPLIER)."
            ),
        ],
        comment: Annotated[
            str,
            strawberry.argument(description="Your comment; may be empty."),
        ] = "",
    ) -> CreditRatingPayload:
        return await _rating(
            lambda: ratings.rate_supplier(
                info.context.user, parse_id(contract_id, "contract"), score_map(scores), comment
            )
        )

    @strawberry.mutation(
        extensions=live(Perm.CREDIT_RATE_AGENCY),
        description="An agency's yearly evaluation in your region (criteria unverified).",
    )
    async def rate_agency(
        self,
        info: Info,
        organisation_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The agency evaluated."),
        ],
        year: Annotated[
            int,
            strawberry.argument(description="The year evaluated, e.g. 2026."),
        ],
        scores: Annotated[
            list[CreditScoreInput],
            strawberry.argument(
                description="Points for every criterion of creditCriteria(AGENCY)."
            ),
        ],
        comment: Annotated[
            str,
            strawberry.argument(description="Your comment; may be empty."),
        ] = "",
    ) -> CreditRatingPayload:
        return await _rating(
            lambda: ratings.rate_agency(
                info.context.user,
                parse_id(organisation_id, "agency"),
                year,
                score_map(scores),
                comment,
            )
        )

    @strawberry.mutation(
        extensions=live(Perm.CREDIT_RECORD),
        description="Record a supervisor's decision (its document number) about a subject.",
    )
    async def record_credit(self, info: Info, input: CreditRecordInput) -> CreditRecordPayload:
        return await _record(lambda: records.record(info.context.user, input.to_service()))

    @strawberry.mutation(
        extensions=live(Perm.CREDIT_REPAIR),
        description="信用修复: the subject corrected what it was recorded for.",
    )
    async def repair_credit_record(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> CreditRecordPayload:
        return await _record(
            lambda: records.repair(info.context.user, parse_id(id, "credit record"), reason)
        )

    @strawberry.mutation(
        extensions=live(Perm.CREDIT_REVOKE),
        description="Revoke a record recorded in error or annulled (e.g. by a court), saying why.",
    )
    async def revoke_credit_record(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> CreditRecordPayload:
        return await _record(
            lambda: records.revoke(info.context.user, parse_id(id, "credit record"), reason)
        )

    @strawberry.mutation(
        extensions=live(Perm.CREDIT_APPEAL),
        description="Appeal a record about your organisation (or you, an expert).",
    )
    async def appeal_credit_record(
        self,
        info: Info,
        id: strawberry.ID,
        statement: Annotated[
            str,
            strawberry.argument(description="Why the record is wrong, in your words."),
        ],
    ) -> CreditAppealPayload:
        return await _appeal(
            lambda: appeals.file(info.context.user, parse_id(id, "credit record"), statement)
        )

    @strawberry.mutation(
        extensions=live(Perm.CREDIT_DECIDE_APPEAL),
        description="Uphold an appeal: the record is revoked.",
    )
    async def uphold_credit_appeal(
        self,
        info: Info,
        id: strawberry.ID,
        decision: Annotated[
            str,
            strawberry.argument(description="The decision and its reasons, kept with the appeal."),
        ],
    ) -> CreditAppealPayload:
        return await _appeal(
            lambda: appeals.uphold(info.context.user, parse_id(id, "credit appeal"), decision)
        )

    @strawberry.mutation(
        extensions=live(Perm.CREDIT_DECIDE_APPEAL),
        description="Dismiss an appeal as unfounded, with reasons: the record stands.",
    )
    async def dismiss_credit_appeal(
        self,
        info: Info,
        id: strawberry.ID,
        decision: Annotated[
            str,
            strawberry.argument(description="The decision and its reasons, kept with the appeal."),
        ],
    ) -> CreditAppealPayload:
        return await _appeal(
            lambda: appeals.dismiss(info.context.user, parse_id(id, "credit appeal"), decision)
        )

    @strawberry.mutation(
        extensions=live(Perm.CREDIT_CHECK),
        description="Run the mandatory check of an organisation for a step (default today).",
    )
    async def check_credit(
        self,
        info: Info,
        organisation_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The organisation checked."),
        ],
        purpose: Annotated[
            CreditPurpose,  # type: ignore[valid-type]
            strawberry.argument(description="The step the check is made for."),
        ],
        on_day: Annotated[
            date | None,
            strawberry.argument(description="The day to check as of; today when not given."),
        ] = None,
    ) -> CreditCheckPayload:
        return await run_payload(
            CreditCheckPayload,
            "check",
            CreditCheck.of,
            lambda: checks.run(
                info.context.user,
                parse_id(organisation_id, "organisation"),
                purpose.value,
                on_day,
            ),
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.CREDIT_IMPORT)),
        description="Load a national list from the live adapter plugin (a job; as a file).",
    )
    async def fetch_credit_list(
        self,
        info: Info,
        list_code: Annotated[
            CreditListCode,  # type: ignore[valid-type]
            strawberry.argument(description="The national list to load."),
        ],
        tenant: Annotated[
            str | None,
            strawberry.argument(
                description="The region code (GB/T 2260) to load it for, within your reach; yours when not given."
            ),
        ] = None,
    ) -> JobPayload:
        return await enqueue_for_tenant(
            info.context.user, "credit_list_fetch", {"list_code": list_code.value}, tenant
        )
