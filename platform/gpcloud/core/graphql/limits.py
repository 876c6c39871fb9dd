"""Every GraphQL document is parsed, measured, validated and costed before any resolver runs.

In that order, each refusal a GraphQL error with its own code (extensions: `code`, and `limit`
and `actual` for the numbers):
  QUERY_TOO_LARGE         more lexical tokens than graphql_max_tokens (the parser stops there)
  QUERY_TOO_DEEP          fields nested deeper than graphql_max_depth
  TOO_MANY_ALIASES        more aliased fields than graphql_max_aliases
  TOO_MANY_ROOT_FIELDS    more top-level fields than graphql_max_root_fields
  FIELD_REPEATED          one field selected more than graphql_max_repeats times in one place
  INTROSPECTION_DISABLED  __schema / __type from an anonymous caller where switched off
  QUERY_TOO_COSTLY        cost (core.graphql.cost) above the caller's budget
The shape (core.graphql.shape) is measured before graphql-core's validation, whose overlap
check is quadratic in repeated fields. Parse, shape and validation are cached per document,
the cost per document and value of the variables passed as `first` (bounded LRU caches).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from graphql.validation import MaxIntrospectionDepthRule, validate
from strawberry.extensions import SchemaExtension

from gpcloud.core.graphql.cost import CostModel
from gpcloud.core.graphql.shape import Shape, fragments_of, measure
from gpcloud.core.pagination import DEFAULT_PAGE_SIZE
from gpcloud.settings import Settings, get_settings
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    IntValueNode,
    OperationDefinitionNode,
    VariableNode,
    parse,
    specified_rules,
)

CACHE_SIZE = 256
RULES = (*specified_rules, MaxIntrospectionDepthRule)


def refusal(code: str, message: str, limit: int | None = None, actual: int | None = None):
    numbers = {"limit": limit, "actual": actual} if limit is not None else {}
    return GraphQLError(message, extensions={"code": code, **numbers})


@dataclass(frozen=True)
class Analysis:
    """Everything about a document that does not depend on the request."""

    document: DocumentNode
    operation: OperationDefinitionNode | None
    shape: Shape | None
    errors: tuple[GraphQLError, ...]
    # The variables passed as a slicing argument (first), with their declared defaults.
    cost_variables: tuple[tuple[str, int | None], ...]


class Limits:
    """The deployment's limits and the caches, for one schema."""

    def __init__(self, schema: GraphQLSchema, settings: Settings):
        self.schema = schema
        self.settings = settings
        self.model = CostModel(schema, DEFAULT_PAGE_SIZE, settings.max_page_size)
        self.parse = lru_cache(maxsize=CACHE_SIZE)(self._parse)
        self.analyse = lru_cache(maxsize=CACHE_SIZE)(self._analyse)
        self.cost = lru_cache(maxsize=CACHE_SIZE * 4)(self._cost)

    def _parse(self, query: str) -> DocumentNode:
        limit = self.settings.graphql_max_tokens
        try:
            return parse(query, max_lexical_tokens=limit, max_comments=limit)
        except GraphQLError as error:
            if "nested too deeply" in error.message:
                raise self._too_deep(None) from None
            if error.message.endswith("Parsing aborted."):
                raise refusal(
                    "QUERY_TOO_LARGE", f"the document has more than {limit} tokens", limit
                ) from None
            raise

    def _too_deep(self, depth: int | None) -> GraphQLError:
        limit = self.settings.graphql_max_depth
        if depth is None:
            return refusal("QUERY_TOO_DEEP", f"the document is nested too deeply (at most {limit})")
        return refusal(
            "QUERY_TOO_DEEP",
            f"query depth {depth} exceeds maximum operation depth {limit}",
            limit,
            depth,
        )

    def _analyse(self, query: str, operation_name: str | None) -> Analysis:
        document = self.parse(query)
        operation = _operation(document, operation_name)
        if operation is None:  # strawberry refuses it before validation
            return Analysis(document, None, None, (), ())
        try:
            shape = measure(document, operation)
        except RecursionError:
            return Analysis(document, operation, None, (self._too_deep(None),), ())
        errors = self._shape_errors(shape) or tuple(validate(self.schema, document, RULES))
        return Analysis(document, operation, shape, errors, self._cost_variables(document))

    def _shape_errors(self, shape: Shape) -> tuple[GraphQLError, ...]:
        s = self.settings
        if shape.depth > s.graphql_max_depth:
            return (self._too_deep(shape.depth),)
        checks = (
            ("TOO_MANY_ALIASES", "aliases", shape.aliases, s.graphql_max_aliases),
            (
                "TOO_MANY_ROOT_FIELDS",
                "top-level fields",
                shape.root_fields,
                s.graphql_max_root_fields,
            ),
            (
                "FIELD_REPEATED",
                "selections of one field in one place",
                shape.repeats,
                s.graphql_max_repeats,
            ),
        )
        for code, what, actual, limit in checks:
            if actual > limit:
                return (
                    refusal(code, f"the query has {actual} {what}; at most {limit}", limit, actual),
                )
        return ()

    def _cost_variables(self, document: DocumentNode) -> tuple[tuple[str, int | None], ...]:
        wanted = set()
        stack: list[Any] = list(document.definitions)
        while stack:
            node = stack.pop()
            for argument in getattr(node, "arguments", None) or ():
                if argument.name.value in self.model.slicing_arguments and isinstance(
                    argument.value, VariableNode
                ):
                    wanted.add(argument.value.name.value)
            if getattr(node, "selection_set", None) is not None:
                stack.extend(node.selection_set.selections)
        defaults = {
            d.variable.name.value: int(d.default_value.value)
            for operation in document.definitions
            if isinstance(operation, OperationDefinitionNode)
            for d in operation.variable_definitions or ()
            if isinstance(d.default_value, IntValueNode)
        }
        return tuple(sorted((name, defaults.get(name)) for name in wanted))

    def _cost(self, query: str, operation_name: str | None, values: tuple) -> int:
        analysis = self.analyse(query, operation_name)
        return self.model.cost(analysis.operation, fragments_of(analysis.document), dict(values))

    def check(
        self, query: str, operation_name: str | None, variables: dict | None, logged_in: bool
    ) -> list[GraphQLError]:
        """The errors that refuse this request before execution ([] to run it)."""
        analysis = self.analyse(query, operation_name)
        if analysis.errors or analysis.operation is None:
            return list(analysis.errors)
        s = self.settings
        if analysis.shape.introspection and not (logged_in or s.graphql_introspection_anonymous):
            return [
                refusal("INTROSPECTION_DISABLED", "introspection needs a login here: send a token")
            ]
        given = variables or {}
        values = tuple(
            (name, _int_or(given.get(name), default)) for name, default in analysis.cost_variables
        )
        try:
            cost = self.cost(query, operation_name, values)
        except RecursionError:
            return [self._too_deep(None)]
        budget = s.graphql_budget_user if logged_in else s.graphql_budget_anonymous
        if cost <= budget:
            return []
        if logged_in:
            refused = refusal(
                "QUERY_TOO_COSTLY",
                f"the query costs {cost}; a logged-in user's budget is {budget} (each list "
                "multiplies what it selects by its size: ask for smaller pages or fewer nested "
                "lists)",
                budget,
                cost,
            )
        else:
            refused = refusal(
                "QUERY_TOO_COSTLY",
                f"the query costs {cost}; an anonymous caller's budget is {budget} (each list "
                "multiplies what it selects by its size: ask for smaller pages or fewer nested "
                "lists)",
                budget,
                cost,
            )
        return [refused]


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    """The operation that will run: the named one, else the first (as strawberry picks)."""
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name and definition.name.value == name)
        ):
            return definition
    return None


def _int_or(value: Any, default: int | None) -> int | None:
    if value is None:
        return default
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@cache
def limits_for(schema: GraphQLSchema) -> Limits:
    return Limits(schema, get_settings())


class QueryLimits(SchemaExtension):
    """In place of strawberry's ParserCache and ValidationCache: parse with a token limit,
    then refuse, or validate and cost, before execution."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query:
            context.graphql_document = limits_for(context.schema._schema).parse(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.pre_execution_errors = limits_for(context.schema._schema).check(
            context.query,
            context.operation_name,
            context.variables,
            logged_in=getattr(context.context, "user", None) is not None,
        )
        yield
