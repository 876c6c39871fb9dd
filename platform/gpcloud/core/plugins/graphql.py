"""Plugins: what is installed, tenants' requests, the provincial queue and decisions."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gpcloud.core.auth.admin import reachable_tenant
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.graphql.types import Connection, UserError, connection, parse_id
from gpcloud.core.jsonutil import loads, to_json
from gpcloud.core.plugins import hooks, service
from gpcloud.core.plugins.registry import InstalledPlugin, get_registry
from gpcloud.core.plugins.workflow import PLUGIN_REQUEST
from gpcloud.core.tenancy.graphql import Tenant, tenant_by_code

READERS = Requires(Perm.PLUGIN_READ)
REQUESTERS = Requires(Perm.PLUGIN_REQUEST)
DECIDERS = Requires(Perm.PLUGIN_DECIDE)

RequestStatus = state_enum("PluginRequestStatus", PLUGIN_REQUEST)
PluginState = strawberry.enum(hooks.PluginState, description="Whether a plugin runs for a tenant.")


@strawberry.type(description="A plugin installed on this deployment.")
class Plugin:
    name: str
    version: str
    description: str
    digest: str = strawberry.field(description="sha256 of its source files; approvals bind it.")
    hooks: list[str] = strawberry.field(directives=[ListSize(max=100)])
    sections: list[str] = strawberry.field(
        description="Tenant config sections it adds.", directives=[ListSize(max=50)]
    )
    config_schema: JSON

    @classmethod
    def of(cls, plugin: InstalledPlugin) -> Plugin:
        return cls(
            name=plugin.name,
            version=plugin.version,
            description=plugin.description,
            digest=plugin.digest,
            hooks=list(plugin.hooks),
            sections=sorted(plugin.sections),
            config_schema=plugin.config_schema,
        )


@strawberry.type(description="A tenant's request to run a plugin, and the province's decision.")
class PluginRequest:
    id: strawberry.ID
    plugin: str
    version: str
    code_digest: str
    requirement_statement: str
    config: JSON
    status: RequestStatus  # type: ignore[valid-type]
    enabled: bool
    decision_reason: str
    created_at: datetime
    decided_at: datetime | None
    tenant_code: strawberry.Private[str]

    @classmethod
    def of(cls, row: dict) -> PluginRequest:
        return cls(
            id=strawberry.ID(str(row["id"])),
            plugin=row["plugin"],
            version=row["version"],
            code_digest=row["code_digest"],
            requirement_statement=row["requirement_statement"],
            config=to_json(loads(row["config"])),
            status=RequestStatus(row["status"]),
            enabled=row["enabled"],
            decision_reason=row["decision_reason"],
            created_at=row["created_at"],
            decided_at=row["decided_at"],
            tenant_code=row["tenant_id"],
        )

    @strawberry.field(extensions=allow(READERS))
    async def tenant(self) -> Tenant | None:
        return await tenant_by_code(self.tenant_code)


@strawberry.type(description="A plugin as it stands for one tenant.")
class TenantPlugin:
    plugin: Plugin
    state: PluginState  # type: ignore[valid-type]
    approval: PluginRequest | None = strawberry.field(
        description="The nearest approval: this tenant's, else its city's or the province's."
    )
    config: JSON = strawberry.field(description="Resolved county -> city -> province.")


@strawberry.input
class PluginRequestInput:
    tenant: str = strawberry.field(description="Region code the plugin is for (yours or below).")
    plugin: str
    version: str
    requirement_statement: str = strawberry.field(
        description="The requirement statement (需求说明书)."
    )
    # Nullable with no default: graphql-core cannot print a JSON object as a default value, and
    # introspecting `= {}` failed the standard introspection query (GraphiQL, code generators).
    config: JSON | None = strawberry.field(default=None, description="Omitted: {}.")


@strawberry.type
class PluginRequestPayload:
    request: PluginRequest | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Queries:
    @strawberry.field(extensions=allow(READERS), directives=[ListSize(max=200)])
    async def installed_plugins(self) -> list[Plugin]:
        return [Plugin.of(p) for p in get_registry().plugins.values()]

    @strawberry.field(
        extensions=allow(READERS),
        description="Requests in your region; provincial admins: status REQUESTED is the queue.",
    )
    async def plugin_requests(
        self,
        info: Info,
        status: RequestStatus | None = None,  # type: ignore[valid-type]
        tenant: str | None = None,
        plugin: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PluginRequest]:
        page = await service.list_requests(
            info.context.user, status.value if status else None, tenant, plugin, first, after
        )
        return connection(page, PluginRequest.of)

    @strawberry.field(
        extensions=allow(READERS),
        description="Every installed plugin for a tenant.",
        directives=[ListSize(max=200)],
    )
    async def tenant_plugins(self, region_code: str) -> list[TenantPlugin]:
        await reachable_tenant(region_code, "regionCode")
        return [
            TenantPlugin(
                plugin=Plugin.of(status.plugin),
                state=status.state,
                approval=PluginRequest.of(status.approval) if status.approval else None,
                config=to_json(status.config),
            )
            for status in (await hooks.plugin_statuses(region_code)).values()
        ]


def _payload(work):
    async def run() -> PluginRequestPayload:
        return PluginRequestPayload(request=PluginRequest.of(await work()))

    return run_mutation(PluginRequestPayload, run)


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(REQUESTERS), description="File a request for the province."
    )
    async def file_plugin_request(
        self, info: Info, input: PluginRequestInput
    ) -> PluginRequestPayload:
        return await _payload(
            lambda: service.file_request(
                info.context.user,
                input.tenant,
                input.plugin,
                input.version,
                input.requirement_statement,
                input.config or {},
            )
        )

    @strawberry.mutation(
        extensions=allow(DECIDERS), description="Binds the installed version and code."
    )
    async def approve_plugin_request(
        self, info: Info, id: strawberry.ID, reason: str = ""
    ) -> PluginRequestPayload:
        return await _payload(
            lambda: service.approve(info.context.user, parse_id(id, "request"), reason)
        )

    @strawberry.mutation(extensions=allow(DECIDERS))
    async def reject_plugin_request(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> PluginRequestPayload:
        return await _payload(
            lambda: service.reject(info.context.user, parse_id(id, "request"), reason)
        )

    @strawberry.mutation(extensions=allow(DECIDERS), description="The plugin stops for the tenant.")
    async def revoke_plugin_approval(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> PluginRequestPayload:
        return await _payload(
            lambda: service.revoke(info.context.user, parse_id(id, "request"), reason)
        )

    @strawberry.mutation(
        extensions=allow(REQUESTERS), description="Pause or resume an approved plugin."
    )
    async def set_plugin_enabled(
        self, info: Info, id: strawberry.ID, enabled: bool
    ) -> PluginRequestPayload:
        return await _payload(
            lambda: service.set_enabled(info.context.user, parse_id(id, "request"), enabled)
        )
