"""The expert pool's GraphQL object types and the permissions of their fields."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.clock import today
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import values_enum
from gpcloud.core.graphql.permissions import Authenticated, Requires, allow
from gpcloud.core.ops.descriptions import field_meanings
from gpcloud.core.tenancy.graphql import Tenant, tenant_by_code
from gpcloud.registries.experts import service
from gpcloud.registries.experts.service import loaders
from gpcloud.registries.experts.service.rules import MAX_REGIONS, MAX_SPECIALTIES, age_on
from gpcloud.registries.experts.tables import GENDERS, RELATIONS, STATUSES, TITLE_LEVELS

READERS = Requires(Perm.EXPERT_READ)
MANAGERS = Requires(Perm.EXPERT_MANAGE)
DECIDERS = Requires(Perm.EXPERT_DECIDE)
# The service lets an expert reach only their own record.
AVAILABILITY = Requires(Perm.EXPERT_UPDATE_AVAILABILITY)
# An expert is returned to the pool's readers, to the expert themselves and to who keeps it: its
# lists are theirs.
SEEN_BY = Authenticated()

ExpertStatus = values_enum(
    "ExpertStatus",
    STATUSES,
    "Where an expert's registration stands.",
    {
        "pending": "Applied; waits for a provincial admin's decision. Never drawn.",
        "active": "In the pool: can be drawn.",
        "suspended": "Out of the pool for now (a decision or a bad record); can be reactivated.",
        "retired": "Left the pool for good (or the application was rejected).",
    },
)
TitleLevel = values_enum(
    "TitleLevel",
    TITLE_LEVELS,
    "The expert's professional title level (职称级别).",
    {"senior": "正高级.", "deputy_senior": "副高级.", "intermediate": "中级."},
)
Gender = values_enum(
    "Gender",
    GENDERS,
    "An expert's gender, as registered (from the ID number).",
    {"male": "Male.", "female": "Female."},
)
AvoidanceRelation = values_enum(
    "AvoidanceRelation",
    RELATIONS,
    "Why the expert recuses themselves from an organisation's bids (RULES.md recusal).",
    {
        "employer": "The expert works or worked for it.",
        "director": "The expert is or was a director or manager of it.",
        "shareholder": "The expert holds or held shares in it.",
        "relative_of_legal_representative": "A spouse or close relative of its legal "
        "representative.",
        "other": "Any other interest that may affect a fair evaluation (say which in `note`).",
    },
)

_PERSON = {
    "name": "The expert's name, as on the ID card.",
    "idNumber": "居民身份证号码, 18 characters; stored encrypted, shown masked.",
    "birthDate": "From the ID number.",
    "gender": "From the ID number.",
    "titleLevel": "The professional title level; the draw may ask for a minimum.",
    "title": "The professional title in words, e.g. 高级工程师.",
    "yearsOfExperience": "Years of work in the specialties (entry needs 8, RULES.md).",
    "employer": "The organisation the expert works for (recusal against its bids).",
    "employerUscc": "The employer's unified social credit code, 18 characters.",
    "phone": "The mobile number the draw's calls and messages go to; experts and who keeps "
    "the pool see it.",
    "specialties": "Catalogue codes the expert evaluates; the first is primary.",
    "regions": "Region codes served; a city covers its counties.",
    "status": "Where the registration stands.",
    "statusReason": "Why it last changed status, as the decider wrote.",
    "hasAccount": "Whether a user account is linked (needed to confirm draws and evaluate).",
    "leaves": "Periods the expert cannot be drawn, earliest first.",
    "avoidances": "Declared relations that call for recusal, earliest first.",
}
field_meanings(
    ("Expert", "ExpertInput", "ExpertApplicationInput", "ExpertChangesInput", "ExpertFilter"),
    _PERSON,
)
field_meanings(
    ("ExpertLeave", "ExpertLeaveInput", "ExpertAvoidance", "ExpertAvoidanceInput"),
    {
        "expertId": "The expert it belongs to.",
        "startDate": "The first day.",
        "endDate": "The last day (included).",
        "reason": "Why, in words (not shown to who draws).",
        "organisationName": "The organisation's registered name.",
        "organisationUscc": "Its unified social credit code, when known (matched first).",
        "relation": "What ties the expert to it.",
        "note": "Anything the committee's organiser should know.",
    },
)
field_meanings(
    ("ExpertSpecialty",),
    {"categoryCode": "The catalogue code.", "primary": "The expert's main specialty."},
)
field_meanings(
    ("ExpertPayload", "ExpertLeavePayload", "ExpertAvoidancePayload", "RevealIdNumberPayload"),
    {
        "expert": "The expert as it is now; null on errors.",
        "leave": "The leave; null on errors.",
        "avoidance": "The relation; null on errors.",
        "idNumber": "The full ID number; null on errors.",
    },
)


@strawberry.type(description="A catalogue code the expert evaluates.")
class ExpertSpecialty:
    category_code: str
    primary: bool


@strawberry.type(description="A period (both days included) the expert cannot be drawn.")
class ExpertLeave:
    id: strawberry.ID
    expert_id: strawberry.ID
    start_date: date
    end_date: date
    reason: str
    created_at: datetime

    @classmethod
    def of(cls, row: dict) -> ExpertLeave:
        return cls(
            id=strawberry.ID(str(row["id"])),
            expert_id=strawberry.ID(str(row["expert"])),
            start_date=row["start_date"],
            end_date=row["end_date"],
            reason=row["reason"],
            created_at=row["created_at"],
        )


@strawberry.type(
    description="A relation with an organisation that makes the expert recuse themselves "
    "while it overlaps the three years before an evaluation."
)
class ExpertAvoidance:
    id: strawberry.ID
    expert_id: strawberry.ID
    organisation_name: str
    organisation_uscc: str | None
    relation: AvoidanceRelation  # type: ignore[valid-type]
    note: str
    start_date: date
    end_date: date | None = strawberry.field(description="null: ongoing.")
    created_at: datetime

    @classmethod
    def of(cls, row: dict) -> ExpertAvoidance:
        return cls(
            id=strawberry.ID(str(row["id"])),
            expert_id=strawberry.ID(str(row["expert"])),
            organisation_name=row["organisation_name"],
            organisation_uscc=row["organisation_uscc"],
            relation=AvoidanceRelation(row["relation"]),
            note=row["note"],
            start_date=row["start_date"],
            end_date=row["end_date"],
            created_at=row["created_at"],
        )


@strawberry.type(description="An evaluation expert (评审专家) of the provincial pool.")
class Expert:
    id: strawberry.ID
    name: str
    id_number_masked: str = strawberry.field(
        description="e.g. 441481********123X; see revealExpertIdNumber."
    )
    birth_date: date
    age: int = strawberry.field(description="Today, in Asia/Shanghai.")
    gender: Gender  # type: ignore[valid-type]
    title_level: TitleLevel  # type: ignore[valid-type]
    title: str
    years_of_experience: int
    employer: str
    employer_uscc: str | None
    phone: str
    status: ExpertStatus  # type: ignore[valid-type]
    status_reason: str
    bad_record_until: date | None = strawberry.field(
        description="Entry is refused until this day has passed."
    )
    has_account: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: dict) -> Expert:
        return cls(
            id=strawberry.ID(str(row["id"])),
            name=row["name"],
            id_number_masked=row["id_number_masked"],
            birth_date=row["birth_date"],
            age=age_on(row["birth_date"], today()),
            gender=Gender(row["gender"]),
            title_level=TitleLevel(row["title_level"]),
            title=row["title"],
            years_of_experience=row["years_of_experience"],
            employer=row["employer"],
            employer_uscc=row["employer_uscc"],
            phone=row["phone"],
            status=ExpertStatus(row["status"]),
            status_reason=row["status_reason"],
            bad_record_until=row["bad_record_until"],
            has_account=row["user_id"] is not None,
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    @strawberry.field(
        extensions=allow(SEEN_BY),
        description="Primary first.",
        directives=[ListSize(max=MAX_SPECIALTIES)],
    )
    async def specialties(self, info: Info) -> list[ExpertSpecialty]:
        rows = await info.context.loaders.get("expert_specialties", service.specialties).load(
            int(self.id)
        )
        return [
            ExpertSpecialty(category_code=r["category_code"], primary=r["primary"]) for r in rows
        ]

    @strawberry.field(
        extensions=allow(SEEN_BY),
        description="Regions served; a city covers its counties.",
        directives=[ListSize(max=MAX_REGIONS)],
    )
    async def regions(self, info: Info) -> list[Tenant]:
        loader = info.context.loaders.get("expert_regions", loaders.regions_by_expert)
        rows = await loader.load(int(self.id))
        tenants = [
            await tenant_by_code(r["region"]) for r in sorted(rows, key=lambda r: r["region"])
        ]
        return [t for t in tenants if t is not None]

    @strawberry.field(extensions=allow(SEEN_BY), directives=[ListSize(max=100)])
    async def leaves(self, info: Info) -> list[ExpertLeave]:
        loader = info.context.loaders.get("expert_leaves", loaders.leaves_by_expert)
        rows = await loader.load(int(self.id))
        return [ExpertLeave.of(r) for r in sorted(rows, key=lambda r: r["start_date"])]

    @strawberry.field(extensions=allow(SEEN_BY), directives=[ListSize(max=100)])
    async def avoidances(self, info: Info) -> list[ExpertAvoidance]:
        loader = info.context.loaders.get("expert_avoidances", loaders.avoidances_by_expert)
        rows = await loader.load(int(self.id))
        return [
            ExpertAvoidance.of(r) for r in sorted(rows, key=lambda r: (r["start_date"], r["id"]))
        ]
