"""Ratings through the API: the criteria (data, marked unverified) and the rating types."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import values_enum
from gpcloud.core.graphql.types import UserError
from gpcloud.core.jsonutil import loads

RatedKind = values_enum("RatedKind", ("expert", "supplier", "agency"))


@strawberry.type
class CreditCriterion:
    key: str
    title: str
    max: int


@strawberry.type(description="What a kind of subject is rated on (credit/criteria.toml).")
class CreditCriteria:
    subject_kind: RatedKind  # type: ignore[valid-type]
    criteria: list[CreditCriterion] = strawberry.field(directives=[ListSize(max=20)])
    source: str
    unverified: bool = strawberry.field(description="Not checked against the province's scheme.")


@strawberry.type
class CreditScore:
    key: str
    points: int


@strawberry.input
class CreditScoreInput:
    key: str
    points: int


@strawberry.type(description="A rating given in a procedure of the tenant; total out of 100.")
class CreditRating:
    id: strawberry.ID
    tenant_code: str
    subject_kind: RatedKind  # type: ignore[valid-type]
    organisation_id: strawberry.ID | None
    expert_id: strawberry.ID | None
    occasion: str
    reference: str
    scores: list[CreditScore] = strawberry.field(directives=[ListSize(max=20)])
    total: int
    comment: str
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
    rating: CreditRating | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def score_map(scores: list[CreditScoreInput]) -> dict[str, int]:
    return {s.key: s.points for s in scores[:20]}
