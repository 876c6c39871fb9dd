"""Plugins: what is installed, tenants' requests, the provincial queue and decisions."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

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

RequestStatus = state_enum(
    "PluginRequestStatus",
    PLUGIN_REQUEST,
    {
        "requested": "Filed by the tenant; waits for a provincial admin.",
        "approved": "Approved: the plugin runs for the tenant and below (unless disabled).",
        "rejected": "Refused, with the reason.",
        "revoked": "An approval withdrawn, with the reason: the plugin stops.",
        "superseded": "Replaced by a newer approval.",
    },
)
STATE_MEANINGS = {
    "active": "Approved for the tenant (or above it) and enabled: it runs.",
    "not_approved": "No approval reaches the tenant: it does not run.",
    "disabled": "Approved, and paused by the tenant (setPluginEnabled).",
    "needs_reapproval": "The installed code differs from what was approved: it stops until "
    "approved again.",
}
PluginState = strawberry.enum(
    Enum(
        "PluginState",
        {
            m.name: strawberry.enum_value(m.value, description=STATE_MEANINGS[m.value])
            for m in hooks.PluginState
        },
    ),
    description="Whether a plugin runs for a tenant.",
)


@strawberry.type(description="A plugin installed on this deployment.")
class Plugin:
    name: str = strawberry.field(description="The plugin's name (its package).")
    version: str = strawberry.field(description="The installed version.")
    description: str = strawberry.field(description="What it does, in its author's words.")
    digest: str = strawberry.field(description="sha256 of its source files; approvals bind it.")
    hooks: list[str] = strawberry.field(
        directives=[ListSize(max=100)], description="The hooks it implements (docs/plugins.md)."
    )
    sections: list[str] = strawberry.field(
        description="Tenant config sections it adds.", directives=[ListSize(max=50)]
    )
    config_schema: JSON = strawberry.field(
        description="The JSON Schema of its configuration sections."
    )

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
    plugin: str = strawberry.field(description="The plugin's name.")
    version: str = strawberry.field(description="The version asked for.")
    code_digest: str = strawberry.field(
        description="sha256 of the plugin's source as filed: the approval binds this code."
    )
    requirement_statement: str = strawberry.field(
        description="The tenant's requirement statement (需求说明书)."
    )
    config: JSON = strawberry.field(description="The plugin's configuration asked for.")
    status: RequestStatus = strawberry.field(description="Where the request stands.")  # type: ignore[valid-type]
    enabled: bool = strawberry.field(description="False while the tenant has paused it.")
    decision_reason: str = strawberry.field(description="Why it was approved, rejected or revoked.")
    created_at: datetime
    decided_at: datetime | None = strawberry.field(description="When the province decided.")
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

    @strawberry.field(extensions=allow(READERS), description="The tenant that filed it.")
    async def tenant(self) -> Tenant | None:
        return await tenant_by_code(self.tenant_code)


@strawberry.type(description="A plugin as it stands for one tenant.")
class TenantPlugin:
    plugin: Plugin = strawberry.field(description="The installed plugin.")
    state: PluginState = strawberry.field(description="Whether it runs here.")  # type: ignore[valid-type]
    approval: PluginRequest | None = strawberry.field(
        description="The nearest approval: this tenant's, else its city's or the province's."
    )
    config: JSON = strawberry.field(description="Resolved county -> city -> province.")


@strawberry.input
class PluginRequestInput:
    tenant: str = strawberry.field(description="Region code the plugin is for (yours or below).")
    plugin: str = strawberry.field(description="An installed plugin's name.")
    version: str = strawberry.field(description="Its installed version.")
    requirement_statement: str = strawberry.field(
        description="The requirement statement (需求说明书)."
    )
    # Nullable with no default: graphql-core cannot print a JSON object as a default value, and
    # introspecting `= {}` failed the standard introspection query (GraphiQL, code generators).
    config: JSON | None = strawberry.field(default=None, description="Omitted: {}.")


@strawberry.type
class PluginRequestPayload:
    request: PluginRequest | None = strawberry.field(
        default=None, description="The request as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(READERS),
        directives=[ListSize(max=200)],
        description="Every plugin installed on the platform (approved or not).",
    )
    async def installed_plugins(self) -> list[Plugin]:
        return [Plugin.of(p) for p in get_registry().plugins.values()]

    @strawberry.field(
        extensions=allow(READERS),
        description="Requests in your region; provincial admins: status REQUESTED is the queue.",
    )
    async def plugin_requests(
        self,
        info: Info,
        status: Annotated[
            RequestStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="Only requests in this state."),
        ] = None,
        tenant: Annotated[
            str | None, strawberry.argument(description="Only this region's requests.")
        ] = None,
        plugin: Annotated[
            str | None, strawberry.argument(description="Only requests for this plugin.")
        ] = None,
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
                state=PluginState(status.state.value),
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

    @strawberry.mutation(
        extensions=allow(DECIDERS), description="Refuse a tenant's request, saying why."
    )
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
        self,
        info: Info,
        id: strawberry.ID,
        enabled: Annotated[bool, strawberry.argument(description="False pauses; true resumes.")],
    ) -> PluginRequestPayload:
        return await _payload(
            lambda: service.set_enabled(info.context.user, parse_id(id, "request"), enabled)
        )
