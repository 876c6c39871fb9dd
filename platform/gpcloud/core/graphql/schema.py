"""The one schema, merged from every domain's Queries and Mutations (gpcloud.domains)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import strawberry
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.file_uploads import Upload
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.tools import merge_types

from gpcloud import domains
from gpcloud.core.audit import service as audit
from gpcloud.core.bad_requests import UPLOAD
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.inputs import plan_inputs
from gpcloud.core.graphql.limits import QueryLimits, limits_for
from gpcloud.core.graphql.refusals import WholeMutations
from gpcloud.core.i18n import translate
from gpcloud.core.ops.descriptions import describe_by_convention
from gpcloud.core.ops.metrics import OperationMetrics
from gpcloud.core.tenancy.scope import collect_opt_outs, use_scope
from graphql import GraphQLError

log = logging.getLogger("gpcloud.graphql")


class TenantScope(SchemaExtension):
    """Run the whole operation, resolvers and dataloaders included, in the caller's scope; where
    it opted out of isolation for the user, audit why (once per reason)."""

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        with use_scope(context.scope):
            with collect_opt_outs() as reasons:
                yield
            if reasons and context.user is not None:
                await audit.record(
                    "scope.all_tenants",
                    "user",
                    context.user.id,
                    detail={"reasons": reasons, "operation": self.execution_context.operation_name},
                    tenant=context.user.tenant,
                    actor=context.user.username,
                )


class Messages(SchemaExtension):
    """Each error's message in the request's language (core/i18n); its code stays."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors if result else None) or []:
            code = (error.extensions or {}).get("code")
            if code:
                error.message = translate(code, error.message)


def _is_internal(error: GraphQLError) -> bool:
    """Errors not caused by the caller are masked; their details go to the log only."""
    original = error.original_error
    if original is None or isinstance(original, (DomainError, GraphQLError)):
        return False
    log.error("internal error at %s", error.path, exc_info=original)
    return True


class MaskInternalErrors(MaskErrors):
    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL"}
        return masked


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        """One line at INFO per error, without strawberry's traceback: refusals and domain
        errors are the caller's, and a hostile client must not fill the disk. Internal errors
        are logged with their traceback where they are masked (_is_internal)."""
        for error in errors:
            log.info("%s: %s", (error.extensions or {}).get("code", "ERROR"), error.message)


class RememberedNames(NameConverter):
    """Strawberry's names, each worked out once: it converts every input field's Python name to
    camelCase again on every request that passes an input object (NoticeFilter: 12 a request)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, str] = {}

    def apply_naming_config(self, name: str) -> str:
        try:
            return self.names[name]
        except KeyError:
            converted = self.names[name] = super().apply_naming_config(name)
            return converted


def _domain_types(name: str) -> tuple[type, ...]:
    found = (getattr(module, name, None) for module in domains.load("graphql"))
    return tuple(cls for cls in found if cls is not None)


def build_schema() -> Schema:
    query = merge_types("Query", _domain_types("Queries"))
    mutation = merge_types("Mutation", _domain_types("Mutations"))
    return Schema(
        query=query,
        mutation=mutation,
        scalar_overrides={Upload: UPLOAD},
        config=StrawberryConfig(name_converter=RememberedNames()),
        extensions=[
            OperationMetrics,  # outermost: refusals by the limits are counted and logged too
            Messages,  # sees every error, the limits' refusals included
            # Before any resolver: parse, measure, validate and cost the document (each cached
            # per document, so the few documents frontends send are analysed once).
            QueryLimits,
            TenantScope,
            WholeMutations,
            lambda: MaskInternalErrors(
                should_mask_error=_is_internal, error_message="internal error"
            ),
        ],
    )


schema = build_schema()
plan_inputs(schema._schema)  # input objects built without resolving their fields' types again
describe_by_convention(schema._schema)  # connections, payloads, paging arguments
limits_for(schema._schema)  # a list field without a declared bound fails here, at import
