"""A compiled plan's resolver calls, prepared once per document (core/graphql/compiled.py).

Why (issue 20): with the response written by the plan, a portal read still spent about a sixth
of its CPU before its resolver ran: graphql-core coercing the variables (each one's type looked
up again from the document), then each field's arguments from their literals, then strawberry
converting them into Python and calling the resolver through its wrapper (an Info, the field's
extensions, the permission classes). For a given document all of that is the same every time
but for the variables' values. Here each piece is prepared once, as graphql-core and strawberry
would compute it, and anything outside what is prepared is left to them:

- `variables_of`: the variables coerced by graphql-core's own `coerce_input_value` (a scalar or
  an enum straight through its type's coercion), when no variable has a default value;
- `arguments_of`: a field's arguments as graphql-core coerces them, computed once with a token
  in place of each variable, then rebuilt per run with the values; only where every variable
  used is declared non-null (so always there after coercion, and never null);
- `direct_call`: the resolver function itself, called as strawberry calls it, for a field open
  to anyone (its only permission `Public`, which grants without looking) whose resolver takes
  neither `info` nor its parent by name and whose arguments strawberry would convert as leaves
  or through an input plan (core/graphql/inputs.py).

`None` from any of these: the plan takes the general way (graphql-core's executor state, the
field's strawberry resolver). tests/graphql/test_compiled_differential.py holds both ways equal.
"""

from __future__ import annotations

import datetime
import decimal
import enum
from collections.abc import Callable, Mapping
from typing import Any

from graphql.execution.values import VariableValues, VariableValueSource, get_argument_values
from graphql.utilities.coerce_input_value import coerce_input_value
from strawberry.permission import PermissionExtension
from strawberry.types.arguments import InputContext
from strawberry.types.base import StrawberryOptional, has_object_definition

from gpcloud.core.graphql.inputs import LEAF, LEAVES, InputPlan, kind_of
from gpcloud.core.graphql.permissions import Public
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    Undefined,
    VariableNode,
    Visitor,
    type_from_ast,
    visit,
)

# Values an argument template may share between runs: nothing can change them.
IMMUTABLE = (str, int, float, bool, type(None), enum.Enum, decimal.Decimal, datetime.date)


class Refused(Exception):  # noqa: N818 - the plan falls back and strawberry words the error
    """A variable's value graphql-core would refuse."""


def variables_of(
    schema: GraphQLSchema, operation: OperationDefinitionNode
) -> tuple[Callable[[Mapping[str, Any] | None], dict[str, Any]], frozenset[str]] | None:
    """The operation's variable coercion, and the names of its non-null variables; None when a
    variable has a default value or a type the schema does not have (graphql-core's way)."""
    steps = []
    for definition in operation.variable_definitions or ():
        if definition.default_value is not None:
            return None
        type_ = type_from_ast(schema, definition.type)
        if type_ is None:
            return None
        required = isinstance(type_, GraphQLNonNull)
        inner = type_.of_type if required else type_
        leaf = (
            inner.coerce_input_value
            if isinstance(inner, GraphQLScalarType | GraphQLEnumType)
            else None
        )
        steps.append((definition.variable.name.value, required, type_, leaf))
    required_names = frozenset(name for name, required, _, _ in steps if required)

    def coerce(given: Mapping[str, Any] | None) -> dict[str, Any]:
        """As graphql-core's coerce_variable_values; Refused where it would report an error."""
        given = given or {}
        coerced = {}
        for name, required, type_, leaf in steps:
            value = given.get(name, Undefined)
            if value is Undefined or value is None:
                if required:
                    raise Refused(name)
                if value is None:
                    coerced[name] = None
                continue
            if leaf is not None:
                try:
                    value = leaf(value)
                except Exception:
                    raise Refused(name) from None
            else:
                value = coerce_input_value(value, type_)
            if value is Undefined:
                raise Refused(name)
            coerced[name] = value
        return coerced

    return coerce, required_names


class _Token:
    """Stands for a variable's value in an argument template."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


def arguments_of(
    field_def: GraphQLField, node: FieldNode, required: frozenset[str]
) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    """The field's coerced arguments from the coerced variables (see the module's docstring);
    None: graphql-core's get_argument_values per run."""
    used = _variables_in(node)
    if not used <= required:
        return None
    tokens = {name: _Token(name) for name in used}
    sources = {name: VariableValueSource(None, token) for name, token in tokens.items()}  # type: ignore[arg-type]
    try:
        template = get_argument_values(field_def, node, VariableValues(sources, tokens))
    except Exception:  # an invalid literal: graphql-core reports it per run
        return None
    names: dict[str, Any] = {}
    try:
        expression = _rebuild(template, names)
    except TypeError:
        return None
    source = f"def arguments(v):\n    return {expression}"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<compiled arguments>", "exec"), names, namespace)  # noqa: S102
    return namespace["arguments"]


def _variables_in(node: FieldNode) -> set[str]:
    found: set[str] = set()

    class Finder(Visitor):
        def enter_variable(self, variable: VariableNode, *_: Any) -> None:
            found.add(variable.name.value)

    for argument in node.arguments or ():
        visit(argument, Finder())
    return found


def _rebuild(value: Any, names: dict[str, Any]) -> str:
    """Python source that builds `value` afresh, tokens read from `v`."""
    if value.__class__ is _Token:
        return f"v[{value.name!r}]"
    if value.__class__ is dict:
        items = ", ".join(f"{k!r}: {_rebuild(v, names)}" for k, v in value.items())
        return "{" + items + "}"
    if value.__class__ is list:
        return "[" + ", ".join(_rebuild(v, names) for v in value) + "]"
    if isinstance(value, IMMUTABLE):
        name = f"k{len(names)}"
        names[name] = value
        return name
    raise TypeError(type(value))


def direct_call(
    schema: GraphQLSchema, field_def: GraphQLField
) -> tuple[Callable[..., Any], bool, Callable[[dict[str, Any]], dict[str, Any]]] | None:
    """(the resolver function, whether it takes its parent as `self`, the arguments' conversion
    into its keyword arguments) for a field strawberry would resolve exactly so; else None."""
    field = field_def.extensions.get("strawberry-definition")
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    if field is None or strawberry_schema is None or field.base_resolver is None:
        return None
    converter = strawberry_schema.schema_converter
    if converter._get_field_exception_handlers(field):
        return None
    if not field.extensions or not all(
        type(extension) is PermissionExtension
        and all(type(permission) is Public for permission in extension.permissions)
        for extension in field.extensions
    ):
        return None
    resolver = field.base_resolver
    if resolver.info_parameter or resolver.root_parameter or resolver.parent_parameter:
        return None
    convert = _conversion(field, converter.config, converter.scalar_registry)
    if convert is None:
        return None
    return resolver.wrapped_func, resolver.self_parameter is not None, convert


def _conversion(field: Any, config: Any, registry: Mapping) -> Callable[[dict], dict] | None:
    """strawberry's convert_arguments for this field, when each argument is a leaf, a list of
    leaves, or an input object with a plan."""
    steps = []
    for argument in field.arguments:
        name = config.name_converter.from_argument(argument)
        kind = kind_of(argument.type, registry)
        cls = plan = context = None
        if kind is not LEAF and kind is not LEAVES:
            cls = argument.type
            if isinstance(cls, StrawberryOptional):
                cls = cls.of_type
            plan = cls.__strawberry_definition__.from_input if has_object_definition(cls) else None
            if not isinstance(plan, InputPlan):
                return None
            context = InputContext(info=None, config=config, scalar_registry=registry, path=(name,))
        steps.append((name, argument.python_name, kind, cls, plan, context))

    def convert(values: dict[str, Any]) -> dict[str, Any]:
        kwargs = {}
        for name, python_name, kind, cls, plan, context in steps:
            if name not in values:
                continue
            value = values[name]
            if plan is not None and value is not None:
                value = plan(cls, value, context)
            elif kind is LEAVES and value is not None:
                value = list(value)
            kwargs[python_name] = value
        return kwargs

    return convert
