"""Tenants: the public tree of regions, rollout status, configuration and readiness."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.tools import merge_types
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.errors import NotFound
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Public, Requires, allow
from gpcloud.core.graphql.types import UserError
from gpcloud.core.jsonutil import to_json
from gpcloud.core.tenancy import readiness
from gpcloud.core.tenancy.config import effective_config, get_path
from gpcloud.core.tenancy.config_admin import ConfigView, config_view, edit_config
from gpcloud.core.tenancy.rollout import rollout
from gpcloud.core.tenancy.service import TenantNode, tenant_tree

# The most regions directly below one (Guangdong has 21 cities, a city at most 15 counties).
CHILDREN = ListSize(max=50)


@strawberry.enum(description="A tenant's place in the hierarchy: province, city or county.")
class TenantLevel(Enum):
    PROVINCE = strawberry.enum_value("province", description="The province (广东省).")
    CITY = strawberry.enum_value("city", description="A prefecture-level city.")
    COUNTY = strawberry.enum_value("county", description="A county, county-level city or district.")


@strawberry.enum(
    description="Whether a region works on the platform: active, not yet onboarded, or retired."
)
class TenantStatus(Enum):
    ACTIVE = strawberry.enum_value("active", description="Works on the platform.")
    NOT_ONBOARDED = strawberry.enum_value(
        "not_onboarded", description="Known, not yet rolled onto the platform."
    )
    RETIRED = strawberry.enum_value(
        "retired", description="No longer a tenant (merged or abolished); its records stay."
    )


@strawberry.type(description="An administrative region on the platform (GB/T 2260 code).")
class Tenant:
    region_code: str
    name: str = strawberry.field(description="The region's Chinese name, e.g. 兴宁市.")
    name_en: str = strawberry.field(description="The region's name in pinyin or English.")
    level: TenantLevel = strawberry.field(description="Province, city or county.")
    status: TenantStatus = strawberry.field(description="Whether it works on the platform.")
    parent_code: strawberry.Private[str | None]

    @classmethod
    def of(cls, node: TenantNode) -> Tenant:
        return cls(
            region_code=node.region_code,
            name=node.name,
            name_en=node.name_en,
            level=TenantLevel(node.level),
            status=TenantStatus(node.status),
            parent_code=node.parent,
        )

    # Parent and children come from the request's tree (context.tree), read once per request:
    # no query, no await per node.
    @strawberry.field(
        extensions=allow(Public()), description="The region directly above; null for the province."
    )
    def parent(self, info: Info) -> Tenant | None:
        node = info.context.tree.get(self.parent_code) if self.parent_code else None
        return Tenant.of(node) if node else None

    @strawberry.field(
        extensions=allow(Public()),
        description="Regions directly below this one.",
        directives=[CHILDREN],
    )
    def children(self, info: Info) -> list[Tenant]:
        tree = info.context.tree
        return [Tenant.of(tree.nodes[code]) for code in tree.children.get(self.region_code, [])]


async def tenant_by_code(code: str | None) -> Tenant | None:
    node = (await tenant_tree()).get(code) if code else None
    return Tenant.of(node) if node else None


@strawberry.type
class TreeQueries:
    @strawberry.field(
        extensions=allow(Public()), description="One region by its code; null if there is none."
    )
    async def tenant(self, region_code: str) -> Tenant | None:
        return await tenant_by_code(region_code)

    @strawberry.field(
        extensions=allow(Public()), description="The province at the top of the tree."
    )
    async def root_tenant(self) -> Tenant | None:
        tree = await tenant_tree()
        return Tenant.of(tree.nodes[tree.root]) if tree.root else None


# Rollout, configuration, readiness


@strawberry.type(description="Whether a subsystem is live for a tenant (上线阶段).")
class SubsystemRollout:
    subsystem: str
    go_live: date | None
    live: bool


@strawberry.enum(
    description="Where a setting's value comes from: the platform's defaults, a tenant file, or an admin's edit."
)
class ConfigLayer(Enum):
    DEFAULT = "default"
    FILE = "file"
    EDIT = "edit"


@strawberry.type(description="One setting of the effective config and where its value came from.")
class ConfigEntry:
    path: str
    value: JSON
    source_layer: ConfigLayer
    source_tenant: str | None = strawberry.field(description="Region code of the file or edit.")
    source_version: int | None


@strawberry.type(description="One line of a plugin's configuration, for people to read.")
class ConfigSummary:
    plugin: str
    label: str
    value: str


@strawberry.type(description="A section of the tenant configuration (core, or a plugin's).")
class ConfigSection:
    name: str
    plugin: str | None = strawberry.field(description="The plugin that adds it; null for core.")
    usable: bool = strawberry.field(description="False for a plugin section not active here.")


@strawberry.type(description="A tenant's effective configuration.")
class TenantConfig:
    region_code: str
    values: JSON = strawberry.field(
        description="The effective settings as one object (config/tenant-config.schema.json)."
    )
    edit_version: int = strawberry.field(description="Latest admin edit of this tenant (0: none).")
    entries: list[ConfigEntry] = strawberry.field(
        directives=[ListSize(max=500)], description="Each setting with where its value came from."
    )
    problems: list[UserError] = strawberry.field(
        description="What the schema or the active plugins find wrong with the current config."
    )
    summaries: list[ConfigSummary] = strawberry.field(
        directives=[ListSize(max=100)], description="The active plugins' settings, in words."
    )
    sections: list[ConfigSection] = strawberry.field(
        directives=[ListSize(max=100)], description="The sections there are, core's and plugins'."
    )

    @classmethod
    def of(cls, view: ConfigView) -> TenantConfig:
        config = view.config
        return cls(
            region_code=config.region_code,
            values=to_json(config.values),
            edit_version=config.edit_version,
            entries=[
                ConfigEntry(
                    path=".".join(path),
                    value=to_json(get_path(config.values, path)),
                    source_layer=ConfigLayer(source.layer),
                    source_tenant=source.tenant,
                    source_version=source.version,
                )
                for path, source in sorted(config.sources.items())
            ],
            problems=[UserError.of(p) for p in view.problems],
            summaries=[ConfigSummary(plugin=p, label=lb, value=v) for p, lb, v in view.summaries],
            sections=[ConfigSection(name=n, plugin=p, usable=u) for n, p, u in view.sections],
        )


@strawberry.enum(description="Where a go-live checklist item stands.")
class ReadinessStatus(Enum):
    DONE = "done"
    OPEN = "open"


@strawberry.type(description="One go-live checklist item (功能确认 and plugin items).")
class ReadinessItem:
    key: str
    title: str
    description: str
    source: str = strawberry.field(description='"core" or the plugin that adds it.')
    automatic: bool = strawberry.field(description="Decided from data; cannot be ticked.")
    status: ReadinessStatus
    missing: list[str] = strawberry.field(directives=[ListSize(max=100)])
    evidence: str | None
    ticked_at: datetime | None

    @classmethod
    def of(cls, item: readiness.ReadinessItem) -> ReadinessItem:
        return cls(
            key=item.key,
            title=item.title,
            description=item.description,
            source=item.source,
            automatic=item.check is not None,
            status=ReadinessStatus.DONE if item.done else ReadinessStatus.OPEN,
            missing=item.missing,
            evidence=item.evidence,
            ticked_at=item.ticked_at,
        )


@strawberry.type(
    description="A tenant's go-live checklist: its items, and what still blocks going live."
)
class Readiness:
    region_code: str
    items: list[ReadinessItem] = strawberry.field(
        directives=[ListSize(max=100)], description="Every checklist item, done or open."
    )
    ready: bool = strawberry.field(description="True when no item is open: it may go live.")
    blocking: list[str] = strawberry.field(
        description="Keys of the items still open.", directives=[ListSize(max=100)]
    )

    @classmethod
    def of(cls, code: str, items: list[readiness.ReadinessItem]) -> Readiness:
        return cls(
            region_code=code,
            items=[ReadinessItem.of(i) for i in items],
            ready=all(i.done for i in items),
            blocking=[i.key for i in items if not i.done],
        )


@strawberry.input
class ConfigChangeInput:
    path: str = strawberry.field(description='Dotted, e.g. "thresholds.open_tender_threshold".')
    value: JSON | None = strawberry.field(default=None, description="null removes the override.")


@strawberry.type
class TenantConfigPayload:
    config: TenantConfig | None = strawberry.field(
        default=None, description="The configuration after the change; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReadinessPayload:
    readiness: Readiness | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TenantSettingsQueries:
    @strawberry.field(
        extensions=allow(Public()),
        description="Go-live state of each subsystem: `live` from the go-live date in the "
        "tenant's config, whatever its go-live checklist says. `readiness` is that checklist, "
        "reviewed before the province sets the date; it switches nothing on, so a tenant can be "
        "live but not ready (a date set early, or an item reopened since). An unknown region "
        "is an error (NOT_FOUND).",
        directives=[ListSize(max=20)],
    )
    async def rollout_status(self, region_code: str) -> list[SubsystemRollout] | None:
        if (await tenant_tree()).get(region_code) is None:
            raise NotFound("region", region_code)
        return [
            SubsystemRollout(subsystem=r.subsystem, go_live=r.go_live, live=r.live)
            for r in rollout(await effective_config(region_code))
        ]

    @strawberry.field(
        extensions=allow(Requires(Perm.TENANT_CONFIG_READ)), description="Within your region."
    )
    async def tenant_config(self, region_code: str) -> TenantConfig:
        return TenantConfig.of(await config_view(region_code))

    @strawberry.field(
        extensions=allow(Requires(Perm.READINESS_READ)),
        description="The go-live checklist of a tenant: what must hold before the province "
        "sets a subsystem's go-live date. It switches nothing on: rolloutStatus says what is "
        "live (from the dates).",
    )
    async def readiness(self, region_code: str) -> Readiness:
        return Readiness.of(region_code, await readiness.checklist(region_code))


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.TENANT_CONFIG_EDIT)),
        description="Set (or remove, with a null value) settings of a tenant in your region, "
        "as one new version with your reason.",
    )
    async def edit_tenant_config(
        self,
        info: Info,
        region_code: str,
        changes: Annotated[
            list[ConfigChangeInput],
            strawberry.argument(description="The settings to set or reset, applied together."),
        ],
        reason: str,
    ) -> TenantConfigPayload:
        async def work() -> TenantConfigPayload:
            view = await edit_config(
                info.context.user, region_code, [(c.path, c.value) for c in changes], reason
            )
            return TenantConfigPayload(config=TenantConfig.of(view))

        return await run_mutation(TenantConfigPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.READINESS_TICK)),
        description="Confirm a manual checklist item.",
    )
    async def tick_readiness_item(
        self,
        info: Info,
        region_code: str,
        key: Annotated[str, strawberry.argument(description="The checklist item's key.")],
        evidence: Annotated[
            str, strawberry.argument(description="What shows it is done (a document, a test).")
        ],
    ) -> ReadinessPayload:
        async def work() -> ReadinessPayload:
            items = await readiness.tick(info.context.user, region_code, key, evidence)
            return ReadinessPayload(readiness=Readiness.of(region_code, items))

        return await run_mutation(ReadinessPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.READINESS_TICK)),
        description="Reopen a ticked checklist item, saying why.",
    )
    async def untick_readiness_item(
        self,
        info: Info,
        region_code: str,
        key: Annotated[str, strawberry.argument(description="The checklist item's key.")],
        reason: str,
    ) -> ReadinessPayload:
        async def work() -> ReadinessPayload:
            items = await readiness.untick(info.context.user, region_code, key, reason)
            return ReadinessPayload(readiness=Readiness.of(region_code, items))

        return await run_mutation(ReadinessPayload, work)


Queries = merge_types("TenancyQueries", (TreeQueries, TenantSettingsQueries))
