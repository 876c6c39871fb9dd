"""Ratings through the API: the criteria (data, marked unverified) and the rating types."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import values_enum
from gpcloud.core.graphql.types import UserError
from gpcloud.core.jsonutil import loads

RatedKind = values_enum(
    "RatedKind",
    ("expert", "supplier", "agency"),
    "What kind of subject a rating is about; each has its criteria.",
    {
        "expert": "An evaluation expert, rated by the agency after an evaluation.",
        "supplier": "A supplier, rated by the purchaser after a passed final acceptance.",
        "agency": "A procurement agency, evaluated yearly by a supervisor of the region.",
    },
)


@strawberry.type(description="One criterion of a rating and its maximum points.")
class CreditCriterion:
    key: str = strawberry.field(description="Its key, as CreditScoreInput.key names it.")
    title: str = strawberry.field(description="What it rates, in Chinese.")
    max: int = strawberry.field(description="The most points it gives; the maxima sum to 100.")


@strawberry.type(description="What a kind of subject is rated on (credit/criteria.toml).")
class CreditCriteria:
    subject_kind: RatedKind = strawberry.field(description="The kind of subject rated.")  # type: ignore[valid-type]
    criteria: list[CreditCriterion] = strawberry.field(
        description="Each criterion and its maximum; every one must be scored.",
        directives=[ListSize(max=20)],
    )
    source: str = strawberry.field(
        description="The rule the criteria come from, and how sure that is."
    )
    unverified: bool = strawberry.field(description="Not checked against the province's scheme.")


@strawberry.type(description="The points a rating gave on one criterion.")
class CreditScore:
    key: str = strawberry.field(description="The criterion's key (CreditCriterion.key).")
    points: int = strawberry.field(description="Points given, 0 to the criterion's max.")


@strawberry.input
class CreditScoreInput:
    key: str = strawberry.field(
        description="The criterion's key (CreditCriterion.key); score each once."
    )
    points: int = strawberry.field(description="Points given, 0 to the criterion's max.")


@strawberry.type(description="A rating given in a procedure of the tenant; total out of 100.")
class CreditRating:
    id: strawberry.ID
    tenant_code: str
    subject_kind: RatedKind = strawberry.field(description="The kind of subject rated.")  # type: ignore[valid-type]
    organisation_id: strawberry.ID | None = strawberry.field(
        description="The rated supplier or agency; null for an expert."
    )
    expert_id: strawberry.ID | None = strawberry.field(
        description="The rated expert; null for an organisation."
    )
    occasion: str = strawberry.field(
        description="The procedure rated on: evaluation, acceptance or yearly."
    )
    reference: str = strawberry.field(
        description="What it rated, e.g. project:12, contract:7 or year:2026."
    )
    scores: list[CreditScore] = strawberry.field(
        description="The points per criterion, by key.", directives=[ListSize(max=20)]
    )
    total: int = strawberry.field(description="The sum of the points, out of 100.")
    comment: str = strawberry.field(description="The rater's comment; may be empty.")
    created_at: datetime

    @classmethod
    def of(cls, row: dict) -> CreditRating:
        scores = loads(row["scores"]) if isinstance(row["scores"], str) else row["scores"]
        return cls(
            id=strawberry.ID(str(row["id"])),
            tenant_code=row["tenant_id"],
            subject_kind=RatedKind(row["subject_kind"]),
            organisation_id=strawberry.ID(str(row["organisation"]))
            if row["organisation"]
            else None,
            expert_id=strawberry.ID(str(row["expert"])) if row["expert"] else None,
            occasion=row["occasion"],
            reference=row["reference"],
            scores=[CreditScore(key=k, points=v) for k, v in sorted(scores.items())],
            total=row["total"],
            comment=row["comment"],
            created_at=row["created_at"],
        )


@strawberry.type
class CreditRatingPayload:
    rating: CreditRating | None = strawberry.field(
        default=None, description="The rating as stored; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def score_map(scores: list[CreditScoreInput]) -> dict[str, int]:
    return {s.key: s.points for s in scores[:20]}
