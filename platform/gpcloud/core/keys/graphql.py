"""Organisations' public keys through the API: signing keys (contracts, bids) and sealing keys
(bids, docs/sealed-bids.md). Only one's own organisation's keys are listed or changed."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_payload
from gpcloud.core.graphql.permissions import Authenticated, Requires, allow
from gpcloud.core.graphql.types import UserError, parse_id
from gpcloud.core.keys import service


@strawberry.enum(description="What a key is for: SIGNING (Ed25519), SEALING (X25519).")
class KeyPurpose(Enum):
    SIGNING = strawberry.enum_value("signing", description="Ed25519: signs contracts and bids.")
    SEALING = strawberry.enum_value(
        "sealing", description="X25519: the key a bid's content key is wrapped for."
    )


PUBLIC_KEY = "32 bytes: 64 hex digits or base64."


@strawberry.type(description="An organisation's public key (32 bytes, hex) for one purpose.")
class SigningKey:
    id: strawberry.ID
    purpose: KeyPurpose = strawberry.field(description="What the key is for.")
    public_key: str = strawberry.field(description="The public key, 64 hex digits.")
    status: str = strawberry.field(description="active or revoked.")
    created_at: datetime
    revoked_at: datetime | None = strawberry.field(description="When it was revoked.")

    @classmethod
    def of(cls, row: dict) -> SigningKey:
        return cls(
            id=strawberry.ID(str(row["id"])),
            purpose=KeyPurpose(row["purpose"]),
            public_key=row["public_key"],
            status=row["status"],
            created_at=row["created_at"],
            revoked_at=row["revoked_at"],
        )


@strawberry.type
class SigningKeyPayload:
    key: SigningKey | None = strawberry.field(
        default=None, description="The key as it is now; null on errors."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def _key(work):
    return run_payload(SigningKeyPayload, "key", SigningKey.of, work)


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(Authenticated()),
        description="Your organisation's keys, of every purpose unless one is given.",
        directives=[ListSize(max=100)],
    )
    async def signing_keys(
        self,
        info: Info,
        purpose: Annotated[
            KeyPurpose | None,
            strawberry.argument(description="Only keys of this purpose; all purposes if null."),
        ] = None,
    ) -> list[SigningKey]:
        rows = await service.keys_of(
            info.context.user.organisation_id, purpose.value if purpose else None
        )
        return [SigningKey.of(r) for r in rows]


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.SIGNING_KEY_MANAGE)),
        description="Register an Ed25519 public key (64 hex digits or base64) for your "
        "organisation; it signs b'gpcloud-contract-v1:' + a contract's digest, and bids.",
    )
    async def register_signing_key(
        self,
        info: Info,
        public_key: Annotated[str, strawberry.argument(description=PUBLIC_KEY)],
    ) -> SigningKeyPayload:
        return await _key(lambda: service.register_signing_key(info.context.user, public_key))

    @strawberry.mutation(
        extensions=allow(Requires(Perm.SIGNING_KEY_MANAGE)),
        description="Stop a signing key: nothing signed with it later is accepted.",
    )
    async def revoke_signing_key(self, info: Info, id: strawberry.ID) -> SigningKeyPayload:
        return await _key(
            lambda: service.revoke_signing_key(info.context.user, parse_id(id, "signing key"))
        )

    @strawberry.mutation(
        extensions=allow(Requires(Perm.BID_KEY_MANAGE)),
        description="Register an X25519 public key (64 hex digits or base64) that your bids' "
        "content keys are wrapped for (docs/sealed-bids.md).",
    )
    async def register_sealing_key(
        self,
        info: Info,
        public_key: Annotated[str, strawberry.argument(description=PUBLIC_KEY)],
    ) -> SigningKeyPayload:
        return await _key(lambda: service.register_sealing_key(info.context.user, public_key))

    @strawberry.mutation(
        extensions=allow(Requires(Perm.BID_KEY_MANAGE)),
        description="Revoke one of your organisation's sealing keys: bids sealed for it stay "
        "as they are; new bids are sealed for another.",
    )
    async def revoke_sealing_key(self, info: Info, id: strawberry.ID) -> SigningKeyPayload:
        return await _key(
            lambda: service.revoke_sealing_key(info.context.user, parse_id(id, "sealing key"))
        )
