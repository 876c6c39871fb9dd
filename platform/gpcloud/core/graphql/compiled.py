"""Compiled reads: a query document is planned once and then run without graphql-core's executor.

Why: strawberry (graphql-core) completes every field of every object through generic machinery
(an info object, argument coercion, awaitable checks, a completion dispatch on the type), about
1 ms for 20 notices x 7 fields, several times what the database takes (issue 20). A document
the portal sends is the same every time; only its variables change.

What: for a query whose every selection the compiler knows, `plan_for` builds (once per document
text and operation name, bounded LRU) a function per selection set, generated as Python source:
an attribute read and a class check per scalar field, straight into the response dict. Fields
with a resolver (the root fields, `Notice.suppliers`, ...) are run through the SAME resolver
strawberry gives graphql-core (`GraphQLField.resolve`: its permission classes, its argument
conversion into input types), with a real `GraphQLResolveInfo`; or, for a field open to anyone
whose resolver needs no info, the resolver function itself with its arguments converted as
strawberry converts them (core/graphql/calls.py). Async resolvers of one level are awaited
together, so dataloaders batch as before, and are told the fields selected below them
(`projection.selected`). Variables are coerced by graphql-core's own functions, arguments by its
`get_argument_values` (once per document where the variables allow: calls.py), fields merged by
its `collect_fields`.
The operation runs inside strawberry's extension hooks (limits and cost, tenant scope, metrics,
audit of scope opt-outs), exactly as `Schema.execute` runs them.

Indistinguishable: anything the compiler does not know falls back to strawberry, whole:
mutations, subscriptions, introspection, directives, interfaces and unions, fragment variables,
several anonymous operations, and at run time any error at all (invalid variables, a refusal by
a permission class, a resolver's error, a null in a non-null place, a value a scalar refuses).
Strawberry then runs the request from the start and answers it with its own errors; the
compiled run is dropped before any extension's after-hook ran (so nothing is audited twice).
Queries read, so running a refused one twice changes nothing. tests/graphql/
test_compiled_differential.py sends every document through both and compares the bytes.
"""

from __future__ import annotations

import asyncio
import keyword
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.executor import Executor
from graphql.execution.values import VariableValues, get_argument_values
from graphql.pyutils import Path
from strawberry.execution import optimized_is_awaitable
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType as StrawberryOperationType

from gpcloud.core.graphql import calls, projection
from gpcloud.core.graphql.projection import Raw, Select, Splices
from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
    OperationType,
    Undefined,
    Visitor,
    visit,
)

log = logging.getLogger("gpcloud.graphql.compiled")

CACHE_SIZE = 512
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class Fallback(Exception):  # noqa: N818 - not an error: strawberry answers instead
    """The compiled run cannot answer this exactly; strawberry runs the request. Raised (never
    returned) inside the extension hooks, so that their after-parts (the request's log line,
    metrics, audit) do not run for a run that is dropped."""


class NotCompilable(Fallback):  # noqa: N818
    """The document uses something the compiler does not know."""


@dataclass
class Stats:
    """How often the compiled path answered (tests check that it does)."""

    compiled: int = 0  # direct ones included
    direct: int = 0  # answered by core/graphql/direct.py
    projected: int = 0  # of those, with objects the database wrote (core/graphql/projection.py)
    fallbacks: int = 0
    not_compilable: int = 0


STATS = Stats()


@dataclass
class Run:
    """One execution of a plan: the coerced variables; graphql-core's executor state (fragments,
    variables, info), made when a resolver first needs it; the async resolver results still to
    complete, one level at a time."""

    start: Callable[[], Executor]
    variables: dict[str, Any]
    root_value: Any = None
    # Where the response is encoded by projection.Splices (core/graphql/direct.py): resolvers
    # are asked for projections (core/graphql/projection.py). None: they are not.
    splices: Splices | None = None
    pending: list = field(default_factory=list)
    arguments: dict = field(default_factory=dict)
    made: Executor | None = None

    @property
    def executor(self) -> Executor:
        if self.made is None:
            self.made = self.start()
        return self.made

    def args(self, key: int, field_def, node: FieldNode) -> dict:
        try:
            return self.arguments[key]
        except KeyError:
            pass
        try:
            values = get_argument_values(field_def, node, self.executor.variable_values)
        except Exception:
            raise Fallback from None
        self.arguments[key] = values
        return values


@dataclass(frozen=True)
class Plan:
    operation: OperationDefinitionNode
    root: Callable[[Any, Path | None, Run], dict]
    # The variables coerced without graphql-core's executor (core/graphql/calls.py); None:
    # through it.
    variables: Callable[[dict[str, Any] | None], dict[str, Any]] | None

    async def run(self, run: Run) -> dict:
        data = self.root(run.root_value, None, run)
        while run.pending:
            batch, run.pending = run.pending, []
            if len(batch) == 1:  # a root field alone: awaited here, without a task for it
                results = [await _outcome(batch[0][0])]
            else:
                results = await asyncio.gather(*(p[0] for p in batch), return_exceptions=True)
            for (_, target, key, complete, path), result in zip(batch, results, strict=True):
                if isinstance(result, BaseException):
                    if isinstance(result, asyncio.CancelledError):
                        raise result
                    raise Fallback from None
                target[key] = complete(result, path, run)
        return data


async def _outcome(awaitable: Any) -> Any:
    """Its result, or the exception it raised, as gather(return_exceptions=True) gives them."""
    try:
        return await awaitable
    except Exception as exc:
        return exc


def _has_directives(document: DocumentNode) -> bool:
    found = False

    class Finder(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> Any:
            nonlocal found
            found = True
            return Visitor.BREAK

    visit(document, Finder())
    return found


class Compiler:
    """Turns one operation into nested completion functions (see the module's docstring)."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, operation_name: str | None):
        self.schema = schema
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is None:
            if len(operations) != 1:
                raise NotCompilable("several operations and no name")
            operation = operations[0]
        else:
            named = [o for o in operations if o.name and o.name.value == operation_name]
            if not named:
                raise NotCompilable("unknown operation")
            operation = named[0]
        if operation.operation is not OperationType.QUERY:
            raise NotCompilable("not a query")
        if _has_directives(document):
            raise NotCompilable("directives")
        self.operation = operation
        self.fragments: dict[str, FragmentDetails] = {}
        for d in document.definitions:
            if isinstance(d, FragmentDefinitionNode):
                if d.variable_definitions:
                    raise NotCompilable("fragment variables")
                self.fragments[d.name.value] = FragmentDetails(d, None)
        prepared = calls.variables_of(schema, operation)
        self.variables, self.required = prepared or (None, frozenset())
        # Without directives, which fields a selection set collects does not depend on variables.
        self.no_variables = VariableValues({}, {})
        self.names: dict[str, Any] = {
            "Fallback": Fallback,
            "Path": Path,
            "INT_MIN": INT_MIN,
            "INT_MAX": INT_MAX,
        }
        self.count = 0
        # Projections (type -> Select; None: not projectable, or two different ones) found
        # below the field being compiled, up to the nearest resolver: the one asked for them.
        self.found: dict[str, Select | None] = {}
        # The fields selected there, by type: told to that resolver (projection.selected).
        self.fields: dict[str, set[str]] = {}

    def _meet(self, type_name: str, select: Select | None) -> None:
        """`type_name` is selected with `select` (None: not projectable) below the resolver
        being compiled; selected twice differently, it is not projected under it at all."""
        if type_name in self.found and self.found[type_name] != select:
            self.found[type_name] = None
        else:
            self.found[type_name] = select

    def _name(self, prefix: str, value: Any) -> str:
        self.count += 1
        name = f"{prefix}{self.count}"
        self.names[name] = value
        return name

    def compile(self) -> Plan:
        root_type = self.schema.query_type
        if root_type is None:
            raise NotCompilable("no query type")
        grouped = collect_fields(
            self.schema, self.fragments, self.no_variables, root_type, self.operation
        ).grouped_field_set
        root, _ = self._object(root_type, grouped)
        return Plan(self.operation, root, self.variables)

    # Objects ------------------------------------------------------------------------------

    def _object(
        self, parent: GraphQLObjectType, grouped: dict[str, list[FieldDetails]]
    ) -> tuple[Callable, bool]:
        """A function (source, path, run) -> dict; and whether it needs the path (a resolver
        below it receives one in its info)."""
        if parent.is_type_of is not None:
            raise NotCompilable(f"{parent.name} checks its objects' type")
        lines = ["def complete(src, path, run):", "    d = {}"]
        needs_path = False
        for key, details in grouped.items():
            node = details[0].node
            name = node.name.value
            if name == "__typename":
                lines.append(f"    d[{key!r}] = {parent.name!r}")
                continue
            if name.startswith("__"):
                raise NotCompilable("introspection")
            field_def = parent.fields.get(name)
            if field_def is None:
                raise NotCompilable(f"unknown field {parent.name}.{name}")
            nodes = [d.node for d in details]
            self.fields.setdefault(parent.name, set()).add(name)
            outer, self.found = self.found, {}
            outer_fields, self.fields = self.fields, {}
            complete, below = self._value(field_def.type, details)
            inner, self.found = self.found, outer
            inner_fields, self.fields = self.fields, outer_fields
            resolve = field_def.resolve
            if (
                resolve is not None
                and getattr(resolve, "_is_default", False)
                and not node.arguments
            ):
                attribute = field_def.extensions["strawberry-definition"].python_name
                needs_path = needs_path or below
                lines += self._read(key, attribute, field_def.type, complete, parent.name, below)
                for type_name, select in inner.items():
                    self._meet(type_name, select)
                for type_name, names in inner_fields.items():
                    self.fields.setdefault(type_name, set()).update(names)
            else:
                needs_path = True
                asked = {t: s for t, s in inner.items() if s is not None}
                call = self._call(field_def, nodes, parent, key, complete, asked, inner_fields)
                lines.append(f"    {call}(src, d, path, run)")
        lines.append("    return d")
        return self._define(lines), needs_path

    def _read(
        self, key: str, attribute: str, type_: Any, complete: Callable, parent: str, below: bool
    ) -> list[str]:
        """Lines that read an attribute (strawberry's default resolver is getattr) and complete
        it; String, ID, Int and Boolean values of their own class are taken as they are."""
        read = (
            f"src.{attribute}"
            if attribute.isidentifier() and not keyword.iskeyword(attribute)
            else f"getattr(src, {attribute!r})"
        )
        c = self._name("c", complete)
        path = f"Path(path, {key!r}, {parent!r})" if below else "None"
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        fast = {GraphQLString: "str", GraphQLID: "str", GraphQLBoolean: "bool"}.get(inner)
        lines = [f"    v = {read}"]
        if fast:
            lines.append(f"    d[{key!r}] = v if v.__class__ is {fast} else {c}(v, None, run)")
        elif inner is GraphQLInt:
            lines.append(
                f"    d[{key!r}] = v if v.__class__ is int and INT_MIN <= v <= INT_MAX "
                f"else {c}(v, None, run)"
            )
        else:
            lines.append(f"    d[{key!r}] = {c}(v, {path}, run)")
        return lines

    def _call(
        self,
        field_def: Any,
        nodes: list[FieldNode],
        parent: GraphQLObjectType,
        key: str,
        complete: Callable,
        asked: dict[str, Select],
        fields: dict[str, set[str]],
    ) -> str:
        """A resolver call as graphql-core makes it: the field's resolve (strawberry's wrapper,
        with its permission classes), an info, the coerced arguments; or the resolver function
        itself (core/graphql/calls.py). An async resolver is told the fields selected below it
        and, where the response is spliced, asked for the projections found there."""
        resolve = field_def.resolve
        if resolve is None:
            raise NotCompilable("a field without a resolver")
        # What it is told: [0] where the response is encoded as usual, [1] where it is spliced.
        tells = None
        definition = field_def.extensions.get("strawberry-definition")
        if definition is not None and definition.is_async:
            selected = {t: frozenset(names) for t, names in fields.items()}
            tells = (projection.Asked({}, selected), projection.Asked(asked, selected))
        first = nodes[0]
        has_args = bool(field_def.args or first.arguments)
        parent_name = parent.name
        slot = id(first)
        build = calls.arguments_of(field_def, first, self.required) if has_args else None
        direct = calls.direct_call(self.schema, field_def)

        def arguments(run: Run) -> dict:
            if not has_args:
                return {}
            return build(run.variables) if build is not None else run.args(slot, field_def, first)

        def pend(result: Any, d: dict, here: Path, run: Run) -> None:
            if optimized_is_awaitable(result):
                d[key] = None
                run.pending.append((result, d, key, complete, here))
            else:
                d[key] = complete(result, here, run)

        if direct is not None:
            function, takes_self, convert = direct

            def call_direct(src: Any, d: dict, path: Path | None, run: Run) -> None:
                here = Path(path, key, parent_name)
                try:
                    kwargs = convert(arguments(run))
                    args = (src,) if takes_self else ()
                    if tells is None:
                        result = function(*args, **kwargs)
                    else:
                        told = tells[run.splices is not None]
                        result = projection.asking(told, lambda: function(*args, **kwargs))
                except Exception:
                    raise Fallback from None
                pend(result, d, here, run)

            return self._name("r", call_direct)

        def call(src: Any, d: dict, path: Path | None, run: Run) -> None:
            here = Path(path, key, parent_name)
            info = run.executor.build_resolve_info(field_def, nodes, parent, here)
            try:
                args = arguments(run)
                if tells is None:
                    result = resolve(src, info, **args)
                else:
                    told = tells[run.splices is not None]
                    result = projection.asking(told, lambda: resolve(src, info, **args))
            except Exception:
                raise Fallback from None
            pend(result, d, here, run)

        return self._name("r", call)

    def _define(self, lines: list[str]) -> Callable:
        namespace: dict[str, Any] = {}
        exec(compile("\n".join(lines), "<compiled graphql>", "exec"), self.names, namespace)  # noqa: S102
        return namespace["complete"]

    # Values -------------------------------------------------------------------------------

    def _value(self, type_: Any, details: list[FieldDetails]) -> tuple[Callable, bool]:
        """A function (value, path, run) -> completed value for `type_`, and whether it needs
        the path. Null where not allowed, an Exception as a value, or a value a scalar refuses:
        Fallback (graphql-core would answer with an error)."""
        if isinstance(type_, GraphQLNonNull):
            inner, below = self._value(type_.of_type, details)

            def non_null(value: Any, path: Path | None, run: Run) -> Any:
                if value is None:
                    raise Fallback
                return inner(value, path, run)

            return non_null, below
        if isinstance(type_, GraphQLList):
            item, below = self._value(type_.of_type, details)

            def listed(value: Any, path: Path | None, run: Run) -> Any:
                if value is None:
                    return None
                if not isinstance(value, list | tuple):
                    raise Fallback
                if below:
                    return [item(v, Path(path, i, None), run) for i, v in enumerate(value)]
                return [item(v, None, run) for v in value]

            return listed, below
        if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
            coerce = type_.coerce_output_value

            def leaf(value: Any, path: Path | None, run: Run) -> Any:
                if value is None:
                    return None
                if isinstance(value, Exception):
                    raise Fallback
                try:
                    out = coerce(value)
                except Exception:
                    raise Fallback from None
                if out is None or out is Undefined:
                    raise Fallback
                return out

            return leaf, False
        if isinstance(type_, GraphQLObjectType):
            grouped = collect_subfields(
                self.schema, self.fragments, self.no_variables, self.operation, type_, details
            ).grouped_field_set
            complete, below = self._object(type_, grouped)
            fields = [(key, d[0].node.name.value) for key, d in grouped.items()]
            self._meet(type_.name, projection.select_for(type_.name, fields))

            def obj(value: Any, path: Path | None, run: Run) -> Any:
                if value is None:
                    return None
                if isinstance(value, Exception):
                    raise Fallback
                if value.__class__ is Raw:  # only where asked: the select of this selection
                    return run.splices.hold(value)  # type: ignore[union-attr]
                return complete(value, path, run)

            return obj, below
        raise NotCompilable(f"{type_} (an interface or a union)")


class Plans:
    """Plans by (document text, operation name), bounded LRU; None remembers 'not compilable'."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self.kept: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()

    def get(
        self, schema: GraphQLSchema, query: str, document: DocumentNode, name: str | None
    ) -> Plan | None:
        key = (query, name)
        try:
            plan = self.kept[key]
            self.kept.move_to_end(key)
            return plan
        except KeyError:
            pass
        try:
            plan = Compiler(schema, document, name).compile()
        except NotCompilable as why:
            log.debug("not compiled: %s", why)
            plan = None
        except RecursionError:
            plan = None
        self.kept[key] = plan
        if len(self.kept) > self.size:
            self.kept.popitem(last=False)
        return plan


PLANS = Plans()


async def execute(
    schema: Any,
    query: str | None,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    context: Any,
    root_value: Any,
    allowed_operation_types: Iterable[OperationType],
    operation_extensions: dict[str, Any] | None = None,
) -> ExecutionResult | None:
    """The result of the request through its plan, or None: strawberry must run it.

    Mirrors strawberry's Schema.execute: the same execution context and extension hooks
    (operation, parsing, validation, executing), then the plan in place of graphql-core."""
    from strawberry.schema.schema import _parse_operation_document, _run_validation

    if not query or mutation_or_subscription(query):
        return None
    ctx = schema._create_execution_context(
        query=query,
        allowed_operation_types=allowed_operation_types,
        variable_values=variables,
        context_value=context,
        root_value=root_value,
        operation_name=operation_name,
        operation_extensions=operation_extensions,
    )
    extensions = schema.get_extensions()
    for extension in extensions:
        extension.execution_context = ctx
    if any(extension._implements_resolve() for extension in extensions):
        return None
    runner = schema.create_extensions_runner(ctx, extensions)
    try:
        async with runner.operation():
            async with runner.parsing():
                _parse_operation_document(ctx)
            plan = PLANS.get(schema._schema, query, ctx.graphql_document, operation_name)
            if plan is None:
                raise NotCompilable
            if StrawberryOperationType.QUERY not in ctx.allowed_operations:
                raise Fallback
            async with runner.validation():
                _run_validation(ctx)
                if ctx.pre_execution_errors:
                    raise Fallback
            async with runner.executing():
                data = await run_plan(
                    schema._schema,
                    plan,
                    ctx.graphql_document,
                    variables,
                    operation_name,
                    context,
                    root_value,
                )
            ctx.result = ExecutionResult(data=data, errors=None)
    except NotCompilable:
        STATS.not_compilable += 1
        return None
    except Fallback:
        STATS.fallbacks += 1
        return None
    except Exception:  # strawberry answers it, with its own error (and logs it if internal)
        log.debug("compiled run fell back", exc_info=True)
        STATS.fallbacks += 1
        return None
    ctx.result.extensions = await runner.get_extensions_results(ctx)
    STATS.compiled += 1
    return ctx.result


@dataclass
class Later:
    """A context made only if a resolver needs one (an info): most direct reads call their
    resolver without (core/graphql/calls.py). `made`: the one made, if any."""

    factory: Callable[[], Any]
    made: Any = None

    def make(self) -> Any:
        if self.made is None:
            self.made = self.factory()
        return self.made


async def run_plan(  # noqa: PLR0913, PLR0917
    schema: GraphQLSchema,
    plan: Plan,
    document: DocumentNode,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    context: Any,
    root_value: Any = None,
    splices: Splices | None = None,
) -> dict:
    """The plan's data; Fallback for variables graphql-core refuses or any error in the run.
    `context`: the context, or a `Later` that makes it when a resolver first needs it.
    `splices`: projections asked for and spliced (core/graphql/direct.py)."""

    def start() -> Executor:
        executor = Executor.build(
            schema,
            document,
            root_value=root_value,
            context_value=context.make() if isinstance(context, Later) else context,
            raw_variable_values=variables,
            operation_name=operation_name,
            is_awaitable=optimized_is_awaitable,
        )
        if isinstance(executor, list):  # variables graphql-core refuses
            raise Fallback
        return executor

    if plan.variables is None:
        executor = start()
        run = Run(start, executor.variable_values.coerced, root_value, splices, made=executor)
    else:
        try:
            coerced = plan.variables(variables)
        except calls.Refused:
            raise Fallback from None
        run = Run(start, coerced, root_value, splices)
    return await plan.run(run)


def mutation_or_subscription(query: str) -> bool:
    """Known from the text alone, before any hook runs: a document that starts with a
    mutation or subscription (comments aside) is strawberry's."""
    for line in query.splitlines():
        text = line.strip()
        if text and not text.startswith("#"):
            return text.startswith(("mutation", "subscription"))
    return False


class _CompiledGraphQL:
    """Mixed into the GraphQL controller (app.py): HTTP queries through their plan."""

    async def execute_single(  # noqa: PLR0917
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Any,
        root_value: Any,
        request_data: Any,
    ) -> Any:
        if self.compiled_reads and request_data.protocol == "http":  # type: ignore[attr-defined]
            result = await execute(
                self.schema,  # type: ignore[attr-defined]
                request_data.query,
                request_data.variables,
                request_data.operation_name,
                context,
                root_value,
                _allowed(self, request_adapter.method),
                request_data.extensions,
            )
            if result is not None:
                return result
        return await super().execute_single(  # type: ignore[misc]
            request=request,
            request_adapter=request_adapter,
            sub_response=sub_response,
            context=context,
            root_value=root_value,
            request_data=request_data,
        )


def _allowed(view: Any, method: str) -> set:
    """The operation types this request may run, as strawberry's execute_single decides."""
    allowed = StrawberryOperationType.from_http(method)
    if not view.allow_queries_via_get and method == "GET":
        allowed = allowed - {StrawberryOperationType.QUERY}
    return allowed


def compiled_graphql(controller: type, enabled: bool) -> type:
    """`controller` (strawberry's) answering queries through compiled plans when `enabled`
    (setting graphql_compiled_reads)."""
    return type(controller.__name__, (_CompiledGraphQL, controller), {"compiled_reads": enabled})
