"""core/graphql/calls.py: what a compiled plan prepares once per document. The differential
test (test_compiled_differential.py) holds the answers equal; these hold the boundaries."""

from __future__ import annotations

import pytest
from graphql.execution.values import get_argument_values, get_variable_values

from gpcloud.core.graphql import calls
from gpcloud.core.graphql.permissions import Public, permissions_of
from gpcloud.core.graphql.schema import schema
from graphql import GraphQLObjectType, OperationDefinitionNode, parse

SCHEMA = schema._schema


def _operation(document: str) -> OperationDefinitionNode:
    return next(d for d in parse(document).definitions if isinstance(d, OperationDefinitionNode))


def test_only_fields_open_to_anyone_are_called_directly():
    direct = refused = 0
    for graphql_type in SCHEMA.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field_def in graphql_type.fields.values():
            field = field_def.extensions.get("strawberry-definition")
            if field is None or field.base_resolver is None:
                continue
            permissions = permissions_of(field)
            if calls.direct_call(SCHEMA, field_def) is None:
                refused += 1
                continue
            direct += 1
            assert permissions, field_def
            assert all(type(p) is Public for p in permissions), field_def
    assert direct > 5 and refused > 50, (direct, refused)
    assert calls.direct_call(SCHEMA, SCHEMA.query_type.fields["notices"]) is not None
    assert calls.direct_call(SCHEMA, SCHEMA.query_type.fields["me"]) is None


def test_variables_are_coerced_as_graphql_core_coerces_them():
    operation = _operation(
        "query($r: String!, $k: [NoticeKind!]!, $n: Int, $f: NoticeFilter) { __typename }"
    )
    coerce, required = calls.variables_of(SCHEMA, operation)
    assert required == {"r", "k"}
    for given in (
        {"r": "441400", "k": ["TENDER", "RESULT"]},
        {"r": "441400", "k": "TENDER", "n": None},
        {"r": "441400", "k": [], "n": 3, "f": {"region": "441400", "kinds": ["PLAN"]}},
    ):
        expected = get_variable_values(SCHEMA, operation.variable_definitions, given)
        assert coerce(given) == expected.coerced
    for refused in (
        {},
        {"r": None, "k": []},
        {"r": "441400", "k": ["tender"]},
        {"r": "441400", "k": [], "n": 2**31},
        {"r": "441400", "k": [], "n": "3"},
        {"r": "441400", "k": [], "f": {"nope": 1}},
    ):
        assert isinstance(
            get_variable_values(SCHEMA, operation.variable_definitions, refused), list
        )
        with pytest.raises(calls.Refused):
            coerce(refused)


def test_a_variable_with_a_default_leaves_coercion_to_graphql_core():
    assert calls.variables_of(SCHEMA, _operation("query($n: Int = 3) { __typename }")) is None


def test_arguments_are_rebuilt_fresh_for_each_run_and_only_from_non_null_variables():
    document = (
        "query($r: String!, $k: NoticeKind!, $n: Int) {"
        " a: notices(filter: {region: $r, kinds: [$k, PLAN]}, first: 5) { searchTerms }"
        " b: notices(first: $n) { searchTerms } }"
    )
    operation = _operation(document)
    coerce, required = calls.variables_of(SCHEMA, operation)
    field_def = SCHEMA.query_type.fields["notices"]
    first, second = operation.selection_set.selections
    build = calls.arguments_of(field_def, first, required)
    given = {"r": "441400", "k": "TENDER"}
    variables = coerce(given)
    built = build(variables)
    assert built == get_argument_values(
        field_def, first, get_variable_values(SCHEMA, operation.variable_definitions, given)
    )
    built["filter"]["kinds"].append("changed")
    assert build(variables)["filter"]["kinds"] == [variables["k"], built["filter"]["kinds"][1]]
    assert calls.arguments_of(field_def, second, required) is None  # $n may be absent
