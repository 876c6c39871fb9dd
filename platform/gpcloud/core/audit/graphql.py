"""The audit trail of an object (or of a tenant), within the caller's tenant scope."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gpcloud.core.audit.tables import AuditEntry as AuditTable
from gpcloud.core.auth.roles import PROVINCE_ADMIN, SUPERVISOR, TENANT_ADMIN
from gpcloud.core.auth.tables import User
from gpcloud.core.graphql.permissions import HasRole, allow
from gpcloud.core.graphql.types import Connection, connection
from gpcloud.core.pagination import keyset_page
from gpcloud.core.tenancy.scope import all_tenants

AUDITORS = HasRole(PROVINCE_ADMIN, TENANT_ADMIN, SUPERVISOR)


async def _usernames(ids: list[int]) -> list[str | None]:
    with all_tenants("audit: name the actor, who may belong to another tenant"):
        rows = await User.select(User.id, User.username).where(User.id.is_in(list(ids)))
    names = {r["id"]: r["username"] for r in rows}
    return [names.get(i) for i in ids]


@strawberry.type(description="One recorded state change; hash links it to the entry before.")
class AuditEntry:
    id: strawberry.ID
    at: datetime
    tenant_code: str
    action: str
    object_type: str
    object_id: str
    before_digest: str | None
    after_digest: str | None
    detail: JSON
    hash: str
    actor_label: str = strawberry.field(description="What acted when no user did (CLI, seed).")
    actor_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: dict) -> AuditEntry:
        return cls(
            id=strawberry.ID(str(row["id"])),
            at=row["created_at"],
            tenant_code=row["tenant_id"],
            action=row["action"],
            object_type=row["object_type"],
            object_id=row["object_id"],
            before_digest=row["before_digest"],
            after_digest=row["after_digest"],
            detail=json.loads(row["detail"]),
            hash=row["hash"],
            actor_label=row["actor"],
            actor_id=row["actor_id"],
        )

    @strawberry.field(extensions=allow(AUDITORS), description="Login name of the acting user.")
    async def actor(self, info: Info) -> str | None:
        if self.actor_id is None:
            return None
        return await info.context.loaders.get("audit_actor", _usernames).load(self.actor_id)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(AUDITORS),
        description="Entries in your region, oldest first; filter by object and/or action.",
    )
    async def audit_trail(
        self,
        object_type: str | None = None,
        object_id: str | None = None,
        action: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AuditEntry]:
        query = AuditTable.select()
        if object_type:
            query = query.where(AuditTable.object_type == object_type)
        if object_id:
            query = query.where(AuditTable.object_id == object_id)
        if action:
            query = query.where(AuditTable.action == action)
        return connection(await keyset_page(query, AuditTable.id, first, after), AuditEntry.of)
