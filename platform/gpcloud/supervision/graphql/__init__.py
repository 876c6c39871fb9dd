"""The supervision domain's API: intentions and plans (plans.py), publication warnings and their
overrides (warnings.py)."""

from strawberry.tools import merge_types

from gpcloud.supervision.graphql import plans, warnings
from gpcloud.supervision.graphql.plans import (
    ObjectType,
    PlanStatus,
    ProcurementIntention,
    ProcurementMethod,
    ProcurementPlan,
)

__all__ = [
    "ObjectType",
    "PlanStatus",
    "ProcurementIntention",
    "ProcurementMethod",
    "ProcurementPlan",
    "Mutations",
    "Queries",
]

Queries = merge_types("SupervisionQueries", (plans.Queries, warnings.Queries))
Mutations = merge_types("SupervisionMutations", (plans.Mutations, warnings.Mutations))
