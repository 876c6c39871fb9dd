"""Tenants: the public tree of regions on the platform."""

from __future__ import annotations

from enum import Enum

import strawberry

from gpcloud.core.graphql.permissions import Public, allow
from gpcloud.core.tenancy.service import TenantNode, tenant_tree


@strawberry.enum
class TenantLevel(Enum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


@strawberry.enum
class TenantStatus(Enum):
    ACTIVE = "active"
    NOT_ONBOARDED = "not_onboarded"
    RETIRED = "retired"


@strawberry.type(description="An administrative region on the platform (GB/T 2260 code).")
class Tenant:
    region_code: str
    name: str
    name_en: str
    level: TenantLevel
    status: TenantStatus
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

    @strawberry.field(extensions=allow(Public()))
    async def parent(self) -> Tenant | None:
        node = (await tenant_tree()).get(self.parent_code) if self.parent_code else None
        return Tenant.of(node) if node else None

    @strawberry.field(extensions=allow(Public()), description="Regions directly below this one.")
    async def children(self) -> list[Tenant]:
        tree = await tenant_tree()
        return [Tenant.of(tree.nodes[code]) for code in tree.children.get(self.region_code, [])]


async def tenant_by_code(code: str | None) -> Tenant | None:
    node = (await tenant_tree()).get(code) if code else None
    return Tenant.of(node) if node else None


@strawberry.type
class Queries:
    @strawberry.field(extensions=allow(Public()))
    async def tenant(self, region_code: str) -> Tenant | None:
        return await tenant_by_code(region_code)

    @strawberry.field(
        extensions=allow(Public()), description="The province at the top of the tree."
    )
    async def root_tenant(self) -> Tenant | None:
        tree = await tenant_tree()
        roots = [n for n in tree.nodes.values() if n.parent is None]
        return Tenant.of(roots[0]) if roots else None
