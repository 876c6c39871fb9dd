"""The audit log through the API: an object's trail (auditors, within their region), the
entries of your own actions, and proofs that an entry is in the signed log and that the log
only grew (see proofs.py for who may ask)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gpcloud.core.audit import heads, proofs
from gpcloud.core.audit.tables import AuditEntry as AuditTable
from gpcloud.core.auth import service as accounts
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.permissions import Authenticated, Public, Requires, allow
from gpcloud.core.graphql.types import Connection, connection, parse_id
from gpcloud.core.pagination import keyset_page

AUDITORS = Requires(Perm.AUDIT_READ)


@strawberry.type(
    description="One recorded state change; once sequenced, a leaf of the log's Merkle tree."
)
class AuditEntry:
    id: strawberry.ID
    at: datetime = strawberry.field(description="When it happened.")
    tenant_code: str
    action: str = strawberry.field(description="What was done, e.g. plan.file.")
    object_type: str = strawberry.field(description="What it was done to, e.g. procurement_plan.")
    object_id: str = strawberry.field(description="The object's id.")
    before_digest: str | None = strawberry.field(
        description="SHA-256 of the object before (hex); null when it was created."
    )
    after_digest: str | None = strawberry.field(description="SHA-256 of the object after (hex).")
    detail: JSON = strawberry.field(description="What else the action recorded (a reason...).")
    position: int | None = strawberry.field(
        description="Leaf index in the log; null until the sequencer reaches it (seconds)."
    )
    leaf_hash: str | None = strawberry.field(description="SHA-256(0x00 || leaf), hex.")
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
            position=row["seq"],
            leaf_hash=row["leaf_hash"],
            actor_label=row["actor"],
            actor_id=row["actor_id"],
        )

    @strawberry.field(extensions=allow(AUDITORS), description="Login name of the acting user.")
    async def actor(self, info: Info) -> str | None:
        if self.actor_id is None:
            return None
        return await info.context.loaders.get("audit_actor", accounts.usernames_by_id).load(
            self.actor_id
        )


@strawberry.type(
    description="The log's size and Merkle root as the platform signed them (Ed25519 over "
    "`message`); published at GET /audit/heads."
)
class AuditTreeHead:
    tree_size: int = strawberry.field(description="How many entries the log had.")
    root_hash: str = strawberry.field(description="The Merkle tree's root (RFC 6962), hex.")
    signed_at: datetime = strawberry.field(description="When the platform signed it.")
    signature: str = strawberry.field(description="Ed25519 signature of message, base64.")
    key_id: str = strawberry.field(description="Which of the platform's keys signed it.")
    message: str = strawberry.field(description="The exact text signed (UTF-8).")

    @classmethod
    def of(cls, head: heads.Head) -> AuditTreeHead:
        return cls(
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            signed_at=head.signed_at,
            signature=head.signature,
            key_id=head.key_id,
            message=head.message.decode(),
        )


@strawberry.type(
    description="RFC 6962 audit path: hash `leaf` with a 0x00 prefix, combine with `path` "
    "(RFC 9162 §2.1.3.2) and compare with head.rootHash; check head's signature."
)
class AuditInclusionProof:
    entry: AuditEntry = strawberry.field(description="The entry proven.")
    leaf: str = strawberry.field(description="The exact bytes of the leaf (UTF-8 JSON).")
    leaf_index: int = strawberry.field(description="The entry's position in the tree.")
    path: list[str] = strawberry.field(
        directives=[ListSize(max=64)], description="The audit path, hex hashes, leaf to root."
    )
    head: AuditTreeHead = strawberry.field(description="The signed head it proves against.")


@strawberry.type(
    description="RFC 6962 consistency proof between two signed heads (RFC 9162 §2.1.4.2)."
)
class AuditConsistencyProof:
    first: AuditTreeHead = strawberry.field(description="The earlier signed head.")
    second: AuditTreeHead = strawberry.field(description="The later signed head.")
    path: list[str] = strawberry.field(
        directives=[ListSize(max=128)],
        description="The consistency proof, hex hashes (RFC 6962 section 2.1.2).",
    )


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(AUDITORS),
        description="Entries in your region, oldest first; filter by object and/or action.",
    )
    async def audit_trail(
        self,
        object_type: Annotated[
            str | None, strawberry.argument(description="Only entries about this kind.")
        ] = None,
        object_id: Annotated[
            str | None, strawberry.argument(description="Only entries about this object.")
        ] = None,
        action: Annotated[
            str | None, strawberry.argument(description="Only this action, e.g. plan.file.")
        ] = None,
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

    @strawberry.field(
        extensions=allow(Authenticated()),
        description="The entries of your own actions, in any region, oldest first.",
    )
    async def my_audit_entries(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEntry]:
        page = await proofs.own_entries(info.context.user, first, after)
        return connection(page, AuditEntry.of)

    @strawberry.field(
        extensions=allow(Authenticated()),
        description="Proof that an entry is in the signed log (at the latest head, or the head "
        "of `treeSize`): auditors for their region, anyone for their own actions.",
    )
    async def audit_inclusion_proof(
        self,
        info: Info,
        entry_id: Annotated[strawberry.ID, strawberry.argument(description="The entry.")],
        tree_size: Annotated[
            int | None,
            strawberry.argument(description="Prove against this signed head; default: latest."),
        ] = None,
    ) -> AuditInclusionProof:
        proof = await proofs.inclusion(
            info.context.user, parse_id(entry_id, "audit entry"), tree_size
        )
        return AuditInclusionProof(
            entry=AuditEntry.of(proof.entry),
            leaf=proof.leaf,
            leaf_index=proof.leaf_index,
            path=proof.path,
            head=AuditTreeHead.of(proof.head),
        )

    @strawberry.field(
        extensions=allow(Public()),
        description="Proof that the log of `second` entries extends the log of `first` "
        "(both sizes of signed heads).",
    )
    async def audit_consistency_proof(
        self,
        first: Annotated[int, strawberry.argument(description="The earlier head's size.")],
        second: Annotated[int, strawberry.argument(description="The later head's size.")],
    ) -> AuditConsistencyProof:
        proof = await proofs.consistency(first, second)
        return AuditConsistencyProof(
            first=AuditTreeHead.of(proof.first),
            second=AuditTreeHead.of(proof.second),
            path=proof.path,
        )
