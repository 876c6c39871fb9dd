"""What a query may cost, known before any resolver runs.

The cost of a document is the most values its response can hold: every field counts 1, and a
list multiplies what is selected inside it by its bound. A connection's `edges` are bounded by
the `first` argument of the field that returned the connection (default and maximum: the page
sizes of core.pagination); every other list declares its bound with `@listSize(max: N)`, on the
field or, for a type whose lists are always short (UserError), on the type. A list of scalars
counts its bound. `__typename` is free; introspection counts one per selected field (its
nesting is bounded by graphql-core's MaxIntrospectionDepthRule).

So `notices(first: 100) { edges { node { id chain { id } } } }` costs
1 + 100 x (1 + 1 + 1 + 50 x (1 + 1)) = 10,301, and every further `chain` level multiplies by 50.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.schema_directive import Location

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION, Location.OBJECT],
    description="The most items a list holds, for the query cost limit: `max`, or for a "
    "connection's edges the `slicingArgument` (first) of the field that returned it. On a type: "
    "every list of that type.",
)
class ListSize:
    max: int | None = strawberry.UNSET
    slicing_argument: str | None = strawberry.UNSET


@dataclass(frozen=True)
class Bound:
    max: int | None
    slicing_argument: str | None


def _list_size(definition: Any) -> Bound | None:
    for directive in getattr(definition, "directives", None) or ():
        if isinstance(directive, ListSize):
            return Bound(directive.max or None, directive.slicing_argument or None)
    return None


def list_bound(field: GraphQLField) -> Bound | None:
    """The declared bound of a list field: on the field, else on its item type."""
    found = _list_size(field.extensions.get("strawberry-definition"))
    if found is None:
        item = get_named_type(field.type)
        found = _list_size((item.extensions or {}).get("strawberry-definition"))
    return found


def list_fields(schema: GraphQLSchema):
    """Every list-typed field of the schema's own object types: (type, name, field)."""
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for name, field in graphql_type.fields.items():
            if is_list_type(get_nullable_type(field.type)):
                yield type_name, name, field


Arguments = tuple[tuple[str, int], ...]


class CostModel:
    """The schema's list bounds, looked up once; `cost()` walks one operation."""

    def __init__(self, schema: GraphQLSchema, default_page: int, max_page: int):
        self.schema = schema
        self.default_page = default_page
        self.max_page = max_page
        self.bounds: dict[tuple[str, str], Bound] = {}
        missing = []
        for type_name, name, field in list_fields(schema):
            bound = list_bound(field)
            if bound is None:
                missing.append(f"{type_name}.{name}")
            else:
                self.bounds[type_name, name] = bound
        if missing:
            raise TypeError(f"list fields without @listSize: {', '.join(missing)}")
        self.slicing_arguments = frozenset(
            b.slicing_argument for b in self.bounds.values() if b.slicing_argument
        )

    def cost(
        self,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> int:
        root = self.schema.get_root_type(operation.operation)
        walk = _Walk(self, fragments, variables)
        return walk.selections(operation.selection_set, root, ())

    def page_size(self, value: int | None) -> int:
        if value is None:
            return self.default_page
        return max(1, min(value, self.max_page))


class _Walk:
    """One cost computation. A fragment is costed once per `first` of the field it is spread
    under, so fragments spreading each other cost linear time however much they fan out."""

    def __init__(self, model: CostModel, fragments, variables):
        self.model = model
        self.fragments = fragments
        self.variables = variables
        self.memo: dict[tuple[str, Arguments], int] = {}

    def selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, arguments: Arguments
    ) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, arguments)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.model.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, target, arguments)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, arguments)
        return total

    def fragment(self, name: str, arguments: Arguments) -> int:
        key = (name, arguments)
        if key not in self.memo:
            self.memo[key] = 0  # a cycle (refused by validation) costs nothing here
            fragment = self.fragments[name]
            target = self.model.schema.get_type(fragment.type_condition.name.value)
            self.memo[key] = self.selections(fragment.selection_set, target, arguments)
        return self.memo[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType, arguments: Arguments) -> int:
        name = node.name.value
        if name == "__typename":
            return 0
        if name.startswith("__"):
            return _count_fields(node, self.fragments)
        field = parent.fields[name]  # type: ignore[union-attr]
        items = 1
        if is_list_type(get_nullable_type(field.type)):
            bound = self.model.bounds[parent.name, name]
            items = bound.max
            if bound.slicing_argument is not None:
                items = self.model.page_size(dict(arguments).get(bound.slicing_argument))
        if node.selection_set is None or is_leaf_type(get_named_type(field.type)):
            return items
        inner = self.selections(
            node.selection_set, get_named_type(field.type), self.arguments(node)
        )
        return items * (1 + inner)

    def arguments(self, node: FieldNode) -> Arguments:
        """The field's slicing arguments (first) as integers, from literals or variables."""
        found = []
        for argument in node.arguments or ():
            name = argument.name.value
            if name not in self.model.slicing_arguments:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                found.append((name, int(value.value)))
            elif isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                if isinstance(given, int) and not isinstance(given, bool):
                    found.append((name, given))
        return tuple(found)


def _count_fields(node: FieldNode, fragments: dict[str, FragmentDefinitionNode]) -> int:
    """Fields selected in an introspection subtree, each fragment counted once."""
    seen: set[str] = set()
    total, stack = 0, [node]
    while stack:
        current = stack.pop()
        if isinstance(current, FieldNode):
            total += 1
        elif isinstance(current, FragmentSpreadNode):
            name = current.name.value
            if name in seen or name not in fragments:
                continue
            seen.add(name)
            current = fragments[name]
        if getattr(current, "selection_set", None) is not None:
            stack.extend(current.selection_set.selections)
    return total
