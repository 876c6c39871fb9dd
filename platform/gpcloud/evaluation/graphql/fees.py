"""The expert fee statement of a committee through the API (service/fee_statement.py): read by
the agency and the purchaser of the project and the region's supervisors; exported as XLSX (a
job)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import NotFound
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import values_enum
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.graphql.types import parse_id
from gpcloud.core.jobs.graphql import Job, JobPayload
from gpcloud.core.money import to_yuan
from gpcloud.evaluation.service import fee_statement
from gpcloud.evaluation.service.fee_statement import FeeLine, FeeStatement

FEE_READERS = allow(Requires(Perm.EXPERT_FEE_READ))
MAX_SEATS = 64  # seats and backups of one committee: members (odd, small) + at most 20 backups
COMMITTEE_ID = Annotated[strawberry.ID, strawberry.argument(description="The committee.")]

ExpertFeeBasis = values_enum(
    "ExpertFeeBasis",
    ("sat", "recused", "cancelled", "pending", "none"),
    "Why a drawn expert is paid what the statement says (Guangdong standard, RULES.md).",
    {
        "sat": "Sat on the committee: by the hours attended.",
        "recused": "Recused after confirming: the flat fee.",
        "cancelled": "Confirmed, and the evaluation was cancelled: the flat fee.",
        "pending": "Confirmed; the evaluation has not started yet.",
        "none": "No fee: declined, timed out, recused before confirming, or a backup not called.",
    },
)


@strawberry.type(description="One day of an expert's attendance and its fee.")
class ExpertFeeDay:
    day: date = strawberry.field(description="The legal (Beijing) day the sittings started.")
    minutes: int = strawberry.field(description="Minutes attended (overlaps counted once).")
    hours: int = strawberry.field(description="Hours billed (a started hour counts whole).")
    first_day: bool = strawberry.field(description="The first day: base and hourly rates.")
    amount: Decimal = strawberry.field(description="Yuan for the day.")


@strawberry.type(description="One drawn expert's line of the fee statement.")
class ExpertFeeLine:
    seat_id: strawberry.ID = strawberry.field(description="The seat (draw member).")
    position: int = strawberry.field(description="Draw order (1 = first pick).")
    backup: bool = strawberry.field(description="Drawn as a backup.")
    seat_status: str = strawberry.field(description="The seat's state.")
    expert_id: strawberry.ID | None = strawberry.field(
        description="The expert: null while the names are sealed."
    )
    expert_name: str | None = strawberry.field(description="Null while the names are sealed.")
    basis: ExpertFeeBasis = strawberry.field(description="Why this fee.")  # type: ignore[valid-type]
    amount: Decimal | None = strawberry.field(description="Yuan; null while pending.")
    started_at: datetime | None = strawberry.field(description="First sitting's start.")
    ended_at: datetime | None = strawberry.field(description="Last sitting's end.")
    days: list[ExpertFeeDay] = strawberry.field(
        description="By day, for a seat that sat.", directives=[ListSize(max=31)]
    )

    @classmethod
    def of(cls, line: FeeLine) -> ExpertFeeLine:
        fee = line.fee
        return cls(
            seat_id=strawberry.ID(str(line.seat["id"])),
            position=line.seat["position"],
            backup=line.seat["backup"],
            seat_status=line.seat["status"],
            expert_id=strawberry.ID(str(line.expert["id"])) if line.expert else None,
            expert_name=line.expert["name"] if line.expert else None,
            basis=line.basis,
            amount=to_yuan(fee.fen) if fee else None,
            started_at=line.sittings[0][0] if line.sittings else None,
            ended_at=max(end for _, end in line.sittings) if line.sittings else None,
            days=[
                ExpertFeeDay(
                    day=d.day,
                    minutes=d.seconds // 60,
                    hours=d.hours,
                    first_day=d.first,
                    amount=to_yuan(d.fen),
                )
                for d in (fee.days if fee else ())
            ],
        )


@strawberry.type(description="What a committee's drawn experts are owed (Guangdong standard).")
class ExpertFeeStatement:
    committee_id: strawberry.ID = strawberry.field(description="The committee.")
    evaluation_started_at: datetime | None = strawberry.field(
        description="When the evaluation started (its audited start)."
    )
    evaluation_ended_at: datetime | None = strawberry.field(
        description="When it left evaluating; null while it runs."
    )
    final: bool = strawberry.field(
        description="False while the evaluation runs (hours counted to now) or has not started."
    )
    estimated: bool = strawberry.field(
        description="The attendance is the evaluation's span and it crosses midnight: the days' "
        "hours are estimated until per-day check-ins exist."
    )
    total: Decimal = strawberry.field(description="Yuan, every line.")
    rules: list[str] = strawberry.field(
        description="The rules used, with source and version.", directives=[ListSize(max=16)]
    )
    lines: list[ExpertFeeLine] = strawberry.field(
        description="Each drawn seat and backup in draw order.",
        directives=[ListSize(max=MAX_SEATS)],
    )

    @classmethod
    def of(cls, found: FeeStatement) -> ExpertFeeStatement:
        return cls(
            committee_id=strawberry.ID(str(found.committee["id"])),
            evaluation_started_at=found.span.started_at,
            evaluation_ended_at=found.span.ended_at,
            final=found.final,
            estimated=found.estimated,
            total=to_yuan(found.total_fen),
            rules=list(found.standard.described),
            lines=[ExpertFeeLine.of(line) for line in found.lines[:MAX_SEATS]],
        )


@strawberry.type
class FeeQueries:
    @strawberry.field(
        extensions=FEE_READERS,
        description="The expert fee statement of a committee: its agency's and its purchaser's, "
        "or within your region as supervisor; null for anyone else.",
    )
    async def expert_fee_statement(
        self, info: Info, committee_id: COMMITTEE_ID
    ) -> ExpertFeeStatement | None:
        try:
            found = await fee_statement.statement(
                info.context.user, parse_id(committee_id, "committee")
            )
        except NotFound:
            return None
        return ExpertFeeStatement.of(found)


@strawberry.type
class FeeMutations:
    @strawberry.mutation(
        extensions=FEE_READERS,
        description="Write a committee's expert fee statement as XLSX (a job; its result file "
        "is the download).",
    )
    async def export_expert_fee_statement(
        self, info: Info, committee_id: COMMITTEE_ID
    ) -> JobPayload:
        async def work() -> JobPayload:
            committee = parse_id(committee_id, "committee")
            return JobPayload(job=Job.of(await fee_statement.export(info.context.user, committee)))

        return await run_mutation(JobPayload, work)
