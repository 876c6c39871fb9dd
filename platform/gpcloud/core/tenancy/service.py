"""The tenant tree and the scopes derived from it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from gpcloud.core.errors import NotFound
from gpcloud.core.jsonutil import loads
from gpcloud.core.tenancy.scope import Scope
from gpcloud.core.tenancy.tables import Tenant

# Tenants change only through `gpcloud tenants apply` (usually another process), so each
# process re-reads the small tree at most this often instead of on every request.
TREE_TTL_SECONDS = 10.0


@dataclass(frozen=True)
class TenantNode:
    region_code: str
    name: str
    name_en: str
    level: str
    parent: str | None
    status: str
    config: dict = field(default_factory=dict, compare=False)


class TenantTree:
    def __init__(self, nodes: list[TenantNode]):
        self.nodes = {n.region_code: n for n in nodes}
        self.children: dict[str, list[str]] = {code: [] for code in self.nodes}
        for node in nodes:
            if node.parent in self.children:
                self.children[node.parent].append(node.region_code)
        for codes in self.children.values():
            codes.sort()

    def get(self, code: str) -> TenantNode | None:
        return self.nodes.get(code)

    @property
    def root(self) -> str | None:
        """The province: the one region without a parent (None before tenants are applied)."""
        return next((code for code, node in self.nodes.items() if node.parent is None), None)

    def name_of(self, code: str) -> str:
        node = self.nodes.get(code)
        return node.name if node is not None else ""

    def subtree(self, code: str) -> frozenset[str]:
        found, stack = set(), [code]
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(self.children.get(current, ()))
        return frozenset(found)

    def ancestors(self, code: str) -> list[str]:
        """From the parent up to the root."""
        chain, node = [], self.nodes.get(code)
        while node is not None and node.parent is not None:
            chain.append(node.parent)
            node = self.nodes.get(node.parent)
        return chain

    def city_of(self, code: str) -> str:
        """The city a region belongs to: itself for a city (and for the province), else the
        nearest city above it."""
        for candidate in (code, *self.ancestors(code)):
            node = self.nodes.get(candidate)
            if node is not None and node.level in ("city", "province"):
                return candidate
        return code

    def scope_for(self, code: str, user_id: int | None = None) -> Scope:
        node = self.nodes.get(code)
        if node is None:
            raise NotFound("tenant", code)
        visible = None if node.level == "province" else self.subtree(code)
        return Scope(tenant=code, visible=visible, user_id=user_id)


_cache: tuple[float, TenantTree] | None = None


async def tenant_tree(fresh: bool = False) -> TenantTree:
    global _cache
    now = time.monotonic()
    if fresh or _cache is None or now - _cache[0] > TREE_TTL_SECONDS:
        rows = await Tenant.select().order_by(Tenant.region_code)
        _cache = (now, TenantTree([_node(row) for row in rows]))
    return _cache[1]


def invalidate_tree() -> None:
    global _cache
    _cache = None


def _node(row: dict) -> TenantNode:
    return TenantNode(
        region_code=row["region_code"],
        name=row["name"],
        name_en=row["name_en"],
        level=row["level"],
        parent=row["parent"],
        status=row["status"],
        config=loads(row["config"] or "{}"),
    )


async def get_tenant(code: str) -> TenantNode:
    node = (await tenant_tree()).get(code)
    if node is None:
        raise NotFound("tenant", code)
    return node
