"""Input objects built by their plan (core/graphql/inputs.py) are what strawberry builds."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from strawberry.types.arguments import convert_argument

from gpcloud.core.graphql.inputs import InputPlan
from gpcloud.core.graphql.schema import schema
from graphql import GraphQLInputObjectType

INPUTS = {
    t.name: t.extensions["strawberry-definition"]
    for t in schema._schema.type_map.values()
    if isinstance(t, GraphQLInputObjectType)
}


@contextmanager
def strawberry_builds(definition):
    """Strawberry's own conversion, field by field, for `definition` and every input in it."""
    saved = {name: d.from_input for name, d in INPUTS.items()}
    for d in INPUTS.values():
        d.from_input = None
    try:
        yield
    finally:
        for name, d in INPUTS.items():
            d.from_input = saved[name]


def both(name: str, value: dict):
    definition = INPUTS[name]
    cls = definition.origin
    convert = schema.schema_converter.scalar_registry, schema.config
    planned = convert_argument(value, cls, *convert)
    with strawberry_builds(definition):
        built = convert_argument(value, cls, *convert)
    return planned, built


def test_every_input_is_planned():
    assert all(isinstance(d.from_input, InputPlan) for d in INPUTS.values()), [
        n for n, d in INPUTS.items() if not isinstance(d.from_input, InputPlan)
    ]


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_an_empty_input_is_built_with_the_same_defaults(name):
    planned, built = both(name, {})
    assert planned == built
    assert type(planned) is type(built)


def test_leaves_lists_and_nested_inputs():
    from gpcloud.portal.graphql import NoticeKind
    from gpcloud.supervision.graphql.plans import ObjectType as PlanObjectType
    from gpcloud.supervision.graphql.plans import ProcurementMethod

    kinds = [NoticeKind.TENDER, NoticeKind.RESULT]
    value = {
        "region": "441400",
        "kinds": kinds,
        "minAmount": Decimal("10.50"),
        "publishedFrom": date(2026, 1, 2),
        "search": None,
    }
    planned, built = both("NoticeFilter", value)
    assert planned == built
    assert planned.kinds == kinds and planned.kinds is not kinds  # copied, as strawberry does
    assert both("NoticeFilter", {"kinds": None}) == (built.__class__(kinds=None),) * 2

    plan = {
        "title": "办公设备",
        "objectType": list(PlanObjectType)[0],
        "method": list(ProcurementMethod)[0],
        "lines": [{"indicatorId": "7", "amount": Decimal("1.00")}],
    }
    planned, built = both("PlanInput", plan)
    assert planned == built
    assert type(planned.lines[0]) is type(built.lines[0])
