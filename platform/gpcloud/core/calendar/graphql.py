"""The working-day calendar through the API: which years it covers, their special days (the
regulation's, provisionally, for a year not yet published), and deadlines with their
explanation. A provincial admin loads a new year; the open deadlines it moves are returned."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.calendar import service
from gpcloud.core.calendar.days import Deadline as DeadlineValue
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Authenticated, Requires, allow
from gpcloud.core.graphql.types import UserError

READERS = Authenticated()


@strawberry.enum(description="holiday: a statutory holiday; workday: a make-up working weekend.")
class DayKind(Enum):
    HOLIDAY = strawberry.enum_value(
        "holiday", description="A statutory holiday: not a working day."
    )
    WORKDAY = strawberry.enum_value(
        "workday", description="A weekend day worked to make up a holiday."
    )


@strawberry.enum(description="wd: working days; d: calendar days.")
class PeriodUnit(Enum):
    WD = strawberry.enum_value(
        "wd", description="Working days (工作日): weekends and holidays skipped."
    )
    D = strawberry.enum_value("d", description="Calendar days (日).")


@strawberry.type(
    description="A year loaded as the State Council published it; deadlines in other years use "
    "the regulation's holidays and are provisional."
)
class CalendarYear:
    year: int = strawberry.field(description="The year, e.g. 2026.")
    source: str = strawberry.field(description="chinesecalendar <version>, or import: <login>.")
    loaded_at: datetime = strawberry.field(description="When it was loaded.")


@strawberry.type(description="A date that is not what its weekday says.")
class CalendarDay:
    day: date = strawberry.field(description="The date.")
    kind: DayKind = strawberry.field(description="Holiday, or a make-up working day.")
    name: str = strawberry.field(description="The holiday's name, e.g. 春节.")
    provisional: bool = strawberry.field(
        default=False,
        description="From the national holidays regulation: the year is not yet published.",
    )


@strawberry.input
class CalendarDayInput:
    day: date = strawberry.field(description="The date, in the year imported.")
    kind: DayKind = strawberry.field(description="Holiday, or a make-up working day.")
    name: str = strawberry.field(default="", description="The holiday's name, e.g. 春节.")


@strawberry.type(description="A due date and every step of how it was computed.")
class Deadline:
    start: date = strawberry.field(description="The day the period starts (not counted).")
    amount: int = strawberry.field(description="How many days the period lasts.")
    unit: PeriodUnit = strawberry.field(description="Working days or calendar days.")
    due: date = strawberry.field(description="The last day of the period.")
    steps: list[str] = strawberry.field(
        directives=[ListSize(max=100)],
        description="How the due date was reached: the days skipped and why.",
    )
    provisional: bool = strawberry.field(
        description="Computed on a year not yet published: it may move when that year is loaded."
    )

    @classmethod
    def of(cls, value: DeadlineValue) -> Deadline:
        return cls(
            start=value.start,
            amount=value.amount,
            unit=PeriodUnit(value.unit),
            due=value.due,
            steps=list(value.steps),
            provisional=value.provisional,
        )


@strawberry.type(description="An open deadline that loading a year moved; its owners are told.")
class MovedDeadline:
    kind: str = strawberry.field(description="Which deadline of the object, e.g. bid_deadline.")
    object_type: str = strawberry.field(description="What it belongs to, e.g. project.")
    object_id: str = strawberry.field(description="The object's id.")
    tenant_code: str
    before: date = strawberry.field(description="The due date computed before the year loaded.")
    after: date = strawberry.field(description="The due date on the loaded year.")
    steps: list[str] = strawberry.field(
        directives=[ListSize(max=100)], description="How the new date was reached."
    )

    @classmethod
    def of(cls, value: service.MovedDeadline) -> MovedDeadline:
        return cls(
            kind=value.kind,
            object_type=value.object_type,
            object_id=value.object_id,
            tenant_code=value.tenant,
            before=value.before,
            after=value.after,
            steps=list(value.steps),
        )


DAYS = ListSize(max=366)
MOVED_SHOWN = 200


@strawberry.type
class CalendarYearPayload:
    year: CalendarYear | None = strawberry.field(
        default=None, description="The year as loaded; null on errors."
    )
    days: list[CalendarDay] = strawberry.field(
        default_factory=list, directives=[DAYS], description="Its special days as loaded."
    )
    moved_deadlines: list[MovedDeadline] = strawberry.field(
        default_factory=list,
        directives=[ListSize(max=MOVED_SHOWN)],
        description=f"The first {MOVED_SHOWN} deadlines the loaded year moved (the audit log "
        "has every one: calendar.deadline_moved).",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def _day(d: service.SpecialDay, provisional: bool = False) -> CalendarDay:
    return CalendarDay(day=d.day, kind=DayKind(d.kind), name=d.name, provisional=provisional)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(READERS),
        directives=[ListSize(max=200)],
        description="The years loaded as published; other years' deadlines are provisional.",
    )
    async def calendar_years(self) -> list[CalendarYear]:
        return [
            CalendarYear(year=r["year"], source=r["source"], loaded_at=r["loaded_at"])
            for r in await service.years()
        ]

    @strawberry.field(
        extensions=allow(READERS),
        description="The holidays and make-up working days of a year, provisionally the "
        "regulation's holidays for a year not yet loaded; null when neither covers it.",
        directives=[DAYS],
    )
    async def calendar_days(
        self, year: Annotated[int, strawberry.argument(description="The year, e.g. 2026.")]
    ) -> list[CalendarDay] | None:
        days = await service.year_days(year)
        if days is not None:
            return [_day(d) for d in days]
        guessed = service.provisional_days(year)
        return None if guessed is None else [_day(d, provisional=True) for d in guessed]

    @strawberry.field(
        extensions=allow(READERS),
        description="The day a period of `amount` working or calendar days after `start` ends.",
    )
    async def deadline(
        self,
        start: Annotated[date, strawberry.argument(description="The day the period starts.")],
        amount: Annotated[int, strawberry.argument(description="How many days it lasts.")],
        unit: Annotated[
            PeriodUnit, strawberry.argument(description="Working days or calendar days.")
        ],
    ) -> Deadline:
        return Deadline.of(await service.deadline(start, amount, unit.value))


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.CALENDAR_IMPORT)),
        description="Load or correct a year as the State Council published it (replaces the "
        "year); open deadlines reaching into it are recomputed and those that moved returned.",
    )
    async def import_calendar_year(
        self,
        info: Info,
        year: Annotated[int, strawberry.argument(description="The year loaded.")],
        days: Annotated[
            list[CalendarDayInput],
            strawberry.argument(description="Every holiday and make-up working day of it."),
        ],
    ) -> CalendarYearPayload:
        async def work() -> CalendarYearPayload:
            imported = await service.import_year(
                info.context.user,
                year,
                [service.SpecialDay(d.day, d.kind.value, d.name) for d in days],
            )
            row = next(r for r in await service.years() if r["year"] == year)
            return CalendarYearPayload(
                year=CalendarYear(year=year, source=row["source"], loaded_at=row["loaded_at"]),
                days=[_day(d) for d in await service.year_days(year) or []],
                moved_deadlines=[MovedDeadline.of(m) for m in imported.moved[:MOVED_SHOWN]],
            )

        return await run_mutation(CalendarYearPayload, work)
