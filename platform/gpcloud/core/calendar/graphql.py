"""The working-day calendar through the API: which years it covers, their special days, and
deadlines with their explanation. A provincial admin loads a new year."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.roles import PROVINCE_ADMIN
from gpcloud.core.calendar import service
from gpcloud.core.calendar.days import Deadline as DeadlineValue
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Authenticated, HasRole, allow
from gpcloud.core.graphql.types import UserError

READERS = Authenticated()


@strawberry.enum(description="holiday: a statutory holiday; workday: a make-up working weekend.")
class DayKind(Enum):
    HOLIDAY = "holiday"
    WORKDAY = "workday"


@strawberry.enum(description="wd: working days; d: calendar days.")
class PeriodUnit(Enum):
    WD = "wd"
    D = "d"


@strawberry.type(description="A year the calendar covers; deadlines in other years are refused.")
class CalendarYear:
    year: int
    source: str = strawberry.field(description="chinesecalendar <version>, or import: <login>.")
    loaded_at: datetime


@strawberry.type(description="A date that is not what its weekday says.")
class CalendarDay:
    day: date
    kind: DayKind
    name: str


@strawberry.input
class CalendarDayInput:
    day: date
    kind: DayKind
    name: str = ""


@strawberry.type(description="A due date and every step of how it was computed.")
class Deadline:
    start: date
    amount: int
    unit: PeriodUnit
    due: date
    steps: list[str] = strawberry.field(directives=[ListSize(max=100)])

    @classmethod
    def of(cls, value: DeadlineValue) -> Deadline:
        return cls(
            start=value.start,
            amount=value.amount,
            unit=PeriodUnit(value.unit),
            due=value.due,
            steps=list(value.steps),
        )


DAYS = ListSize(max=366)


@strawberry.type
class CalendarYearPayload:
    year: CalendarYear | None = None
    days: list[CalendarDay] = strawberry.field(default_factory=list, directives=[DAYS])
    errors: list[UserError] = strawberry.field(default_factory=list)


def _day(d: service.SpecialDay) -> CalendarDay:
    return CalendarDay(day=d.day, kind=DayKind(d.kind), name=d.name)


@strawberry.type
class Queries:
    @strawberry.field(extensions=allow(READERS), directives=[ListSize(max=200)])
    async def calendar_years(self) -> list[CalendarYear]:
        return [
            CalendarYear(year=r["year"], source=r["source"], loaded_at=r["loaded_at"])
            for r in await service.years()
        ]

    @strawberry.field(
        extensions=allow(READERS),
        description="The holidays and make-up working days of a year; null when not covered.",
        directives=[DAYS],
    )
    async def calendar_days(self, year: int) -> list[CalendarDay] | None:
        days = await service.year_days(year)
        return None if days is None else [_day(d) for d in days]

    @strawberry.field(
        extensions=allow(READERS),
        description="The day a period of `amount` working or calendar days after `start` ends.",
    )
    async def deadline(self, start: date, amount: int, unit: PeriodUnit) -> Deadline:
        return Deadline.of(await service.deadline(start, amount, unit.value))


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(HasRole(PROVINCE_ADMIN)),
        description="Load or correct a year as the State Council published it (replaces the year).",
    )
    async def import_calendar_year(
        self, info: Info, year: int, days: list[CalendarDayInput]
    ) -> CalendarYearPayload:
        async def work() -> CalendarYearPayload:
            await service.import_year(
                info.context.user,
                year,
                [service.SpecialDay(d.day, d.kind.value, d.name) for d in days],
            )
            row = next(r for r in await service.years() if r["year"] == year)
            return CalendarYearPayload(
                year=CalendarYear(year=year, source=row["source"], loaded_at=row["loaded_at"]),
                days=[_day(d) for d in await service.year_days(year) or []],
            )

        return await run_mutation(CalendarYearPayload, work)
