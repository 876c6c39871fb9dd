"""Input objects built from a plan made once per type, through strawberry's own hook for input
types that build their own value (`StrawberryObjectDefinition.from_input`).

Why (issue 20): strawberry converts an input object field by field on every request, resolving
each field's type again (`resolve_type`, generic checks) for a value graphql-core has already
coerced: about a sixth of the CPU of a portal read with a `NoticeFilter` (12 fields). The plan
keeps, per field, what strawberry's `convert_argument` would do with it: a leaf (a scalar or an
enum, optional or not) is passed as it is, a list of leaves is copied (strawberry copies it:
graphql-core shares defaults between requests), anything else (nested inputs, GlobalID, Maybe)
is converted by strawberry itself (`InputContext.convert`). Then the class is built as strawberry
builds it: every field without a default is None unless given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING
from typing import Any

from strawberry.types.arguments import InputContext, _is_leaf_type, _is_optional_leaf_type
from strawberry.types.base import StrawberryList, StrawberryMaybe, StrawberryOptional
from strawberry.types.unset import UNSET

from graphql import GraphQLInputObjectType, GraphQLSchema

LEAF, LEAVES, OTHER = "leaf", "leaves", "other"


class InputPlan:
    """`from_input` of one input type (see the module's docstring)."""

    def __init__(self, definition: Any):
        self.definition = definition
        self.fields: list[tuple[str, str, Any, str]] | None = None  # made at the first call
        self.defaults = {
            f.python_name: None
            for f in definition.fields
            if f.default_value is MISSING and f.default_factory is MISSING
        }

    def _plan(self, context: InputContext) -> list[tuple[str, str, Any, str]]:
        registry, fields = context.scalar_registry, []
        for field in self.definition.fields:
            type_ = field.resolve_type(type_definition=self.definition)
            fields.append(
                (
                    context.config.name_converter.from_field(field),
                    field.python_name,
                    type_,
                    kind_of(type_, registry),
                )
            )
        return fields

    def __call__(self, cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        fields = self.fields
        if fields is None:
            fields = self.fields = self._plan(context)
        kwargs = dict(self.defaults)
        for name, python_name, type_, kind in fields:
            if name not in value:
                continue
            given = value[name]
            if kind is LEAF:
                kwargs[python_name] = given
            elif kind is LEAVES:
                kwargs[python_name] = given if given is None or given is UNSET else list(given)
            else:
                kwargs[python_name] = context.convert(given, type_, name)
        return cls(**kwargs)


def kind_of(type_: Any, registry: Mapping) -> str:
    """How strawberry's convert_argument treats a value of `type_` (LEAF: as it is)."""
    from strawberry.relay.types import GlobalID

    if isinstance(type_, StrawberryMaybe):
        return OTHER
    inner = type_.of_type if isinstance(type_, StrawberryOptional) else type_
    if isinstance(inner, StrawberryMaybe):
        return OTHER
    if inner is not GlobalID and _is_leaf_type(inner, registry):
        return LEAF
    if isinstance(inner, StrawberryList) and (
        _is_leaf_type(inner.of_type, registry, skip_classes=(GlobalID,))
        or _is_optional_leaf_type(inner.of_type, registry, skip_classes=(GlobalID,))
    ):
        return LEAVES
    return OTHER


def plan_inputs(schema: GraphQLSchema) -> int:
    """Every input type of the schema built by its plan (unless it builds its own value
    already); returns how many."""
    planned = 0
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLInputObjectType):
            continue
        definition = (graphql_type.extensions or {}).get("strawberry-definition")
        if definition is None or definition.from_input is not None:
            continue
        definition.from_input = InputPlan(definition)
        planned += 1
    return planned
