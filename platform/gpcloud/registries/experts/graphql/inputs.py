"""The expert pool's GraphQL inputs and payloads."""

from __future__ import annotations

from datetime import date

import strawberry

from gpcloud.core.graphql.types import UserError
from gpcloud.registries.experts import service
from gpcloud.registries.experts.graphql.types import (
    AvoidanceRelation,
    Expert,
    ExpertAvoidance,
    ExpertLeave,
    ExpertStatus,
    TitleLevel,
)


@strawberry.input(
    description="A provincial admin's registration: the expert enters the active pool."
)
class ExpertInput:
    name: str
    id_number: str = strawberry.field(description="居民身份证号码, 18 characters.")
    title_level: TitleLevel  # type: ignore[valid-type]
    years_of_experience: int
    specialties: list[str] = strawberry.field(description="Catalogue codes; the first is primary.")
    regions: list[str] = strawberry.field(description="Region codes served.")
    title: str = ""
    employer: str = ""
    employer_uscc: str | None = None
    phone: str | None = None
    bad_record_on: date | None = strawberry.field(
        default=None,
        description="Date of the latest bad record, if any: it bars entry for three years.",
    )

    def to_service(self) -> service.ExpertInput:
        return service.ExpertInput(
            name=self.name,
            id_number=self.id_number,
            title_level=self.title_level.value,
            title=self.title,
            years_of_experience=self.years_of_experience,
            employer=self.employer,
            employer_uscc=self.employer_uscc,
            phone=self.phone,
            specialties=self.specialties,
            regions=self.regions,
            bad_record_on=self.bad_record_on,
        )


@strawberry.input(description="An expert's own application; a provincial admin approves it.")
class ExpertApplicationInput:
    name: str
    id_number: str
    title_level: TitleLevel  # type: ignore[valid-type]
    years_of_experience: int
    specialties: list[str]
    regions: list[str]
    title: str = ""
    employer: str | None = strawberry.field(default=None, description="Default: your organisation.")
    employer_uscc: str | None = None
    phone: str | None = None

    def to_service(self) -> service.ExpertInput:
        return service.ExpertInput(
            name=self.name,
            id_number=self.id_number,
            title_level=self.title_level.value,
            title=self.title,
            years_of_experience=self.years_of_experience,
            employer=self.employer,
            employer_uscc=self.employer_uscc,
            phone=self.phone,
            specialties=self.specialties,
            regions=self.regions,
        )


@strawberry.input(description="Only what is given changes; an empty text clears an optional field.")
class ExpertChangesInput:
    name: str | None = None
    id_number: str | None = strawberry.field(
        default=None, description="A correction of the ID number."
    )
    title_level: TitleLevel | None = None  # type: ignore[valid-type]
    title: str | None = None
    years_of_experience: int | None = None
    employer: str | None = None
    employer_uscc: str | None = None
    phone: str | None = None
    specialties: list[str] | None = strawberry.field(
        default=None, description="Replaces them; first is primary."
    )
    regions: list[str] | None = strawberry.field(default=None, description="Replaces them.")

    def to_service(self) -> service.ExpertInput:
        return service.ExpertInput(
            name=self.name,
            id_number=self.id_number,
            title_level=self.title_level.value if self.title_level else None,
            title=self.title,
            years_of_experience=self.years_of_experience,
            employer=self.employer,
            employer_uscc=self.employer_uscc,
            phone=self.phone,
            specialties=self.specialties,
            regions=self.regions,
        )


@strawberry.input
class ExpertFilter:
    category: str | None = strawberry.field(
        default=None, description="A catalogue code: experts in it or in a category above it."
    )
    region: str | None = strawberry.field(
        default=None, description="A region code: experts serving it or a region above it."
    )
    available_on: date | None = strawberry.field(default=None, description="Not on leave that day.")
    status: ExpertStatus | None = None  # type: ignore[valid-type]
    title_level: TitleLevel | None = None  # type: ignore[valid-type]
    search: str | None = strawberry.field(
        default=None, description="Part of the name, a phone or an ID number."
    )


@strawberry.input
class ExpertLeaveInput:
    start_date: date
    end_date: date
    reason: str = ""


@strawberry.input
class ExpertAvoidanceInput:
    organisation_name: str
    relation: AvoidanceRelation  # type: ignore[valid-type]
    start_date: date
    organisation_uscc: str | None = None
    end_date: date | None = strawberry.field(default=None, description="null: ongoing.")
    note: str = ""

    def to_service(self) -> service.AvoidanceInput:
        return service.AvoidanceInput(
            organisation_name=self.organisation_name,
            relation=self.relation.value,
            start_date=self.start_date,
            organisation_uscc=self.organisation_uscc,
            end_date=self.end_date,
            note=self.note,
        )


@strawberry.type
class ExpertPayload:
    expert: Expert | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RevealIdNumberPayload:
    id_number: str | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ExpertLeavePayload:
    leave: ExpertLeave | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ExpertAvoidancePayload:
    avoidance: ExpertAvoidance | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
