"""A mutation document is refused whole, before anything runs, when one of its fields is refused.

graphql-core runs a document's mutations one after the other. When a later one is refused, the
refusal nulls its non-null field and with it all of `data`: what the earlier mutations returned
is lost although they ran. A `changePassword` next to a field the account may not use changed
the password, revoked the old token and lost the new one. Checking the permission of every root
field first keeps a mutation document all or nothing (queries only read: a refused field there
loses nothing that cannot be asked again).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from types import SimpleNamespace

from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.permission import PermissionExtension
from strawberry.types.graphql import OperationType

from gpcloud.core.errors import DomainError
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionSetNode,
)


def _root_fields(
    selections: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    for node in selections.selections:
        if isinstance(node, FieldNode):
            yield node
        elif isinstance(node, InlineFragmentNode):
            yield from _root_fields(node.selection_set, fragments)
        elif isinstance(node, FragmentSpreadNode):  # validation has refused unknown and cycles
            yield from _root_fields(fragments[node.name.value].selection_set, fragments)


async def _refusal(field, context) -> DomainError | None:
    """Why the caller may not use `field`, if it may not. The permission classes
    (core.graphql.permissions) read only the caller, `info.context`."""
    info = SimpleNamespace(context=context)
    for extension in field.extensions:
        if not isinstance(extension, PermissionExtension):
            continue
        for permission in extension.permissions:
            try:
                allowed = permission.has_permission(None, info)
                if inspect.isawaitable(allowed):
                    allowed = await allowed
            except DomainError as exc:
                return exc
            if not allowed:
                return DomainError("FORBIDDEN", permission.message or "not allowed")
    return None


class WholeMutations(SchemaExtension):
    async def on_execute(self):
        ctx = self.execution_context
        if ctx.operation_type is OperationType.MUTATION and ctx.graphql_document is not None:
            errors = await self._refused(ctx.graphql_document, ctx.operation_name, ctx.context)
            if errors:
                ctx.result = ExecutionResult(data=None, errors=errors)
        yield

    async def _refused(
        self, document: DocumentNode, operation_name: str | None, context
    ) -> list[GraphQLError]:
        operation = get_operation_ast(document, operation_name)
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        fields = self.execution_context.schema._schema.mutation_type.fields
        errors = []
        for node in _root_fields(operation.selection_set, fragments):
            if node.name.value.startswith("__"):
                continue
            field = fields[node.name.value].extensions["strawberry-definition"]
            refusal = await _refusal(field, context)
            if refusal is not None:
                key = node.alias.value if node.alias else node.name.value
                errors.append(
                    GraphQLError(str(refusal), nodes=[node], path=[key], original_error=refusal)
                )
        return errors
