"""Ed25519 signatures over contract digests, with public keys registered per organisation.

The message signed is b"gpcloud-contract-v1:" + the contract's hex digest: a signature made for
one contract (or for anything else) does not verify for another.
"""

from __future__ import annotations

import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from gpcloud.contracts.tables import SigningKey
from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now, today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound

PREFIX = b"gpcloud-contract-v1:"
HEX = re.compile(r"[0-9a-f]+")


def message(digest: str) -> bytes:
    return PREFIX + digest.encode("ascii")


def verify(public_key_hex: str, signature_hex: str, digest: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), message(digest))
        return True
    except (InvalidSignature, ValueError):
        return False


def _public_key(value: str) -> str:
    value = value.strip().lower()
    if len(value) != 64 or not HEX.fullmatch(value):
        raise DomainError(
            "INVALID_KEY", "an Ed25519 public key: 32 bytes as 64 hex digits", "publicKey"
        )
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(value))
    except ValueError:
        raise DomainError("INVALID_KEY", "not an Ed25519 public key", "publicKey") from None
    return value


@requires(Perm.SIGNING_KEY_MANAGE)
async def register_key(actor: CurrentUser, public_key: str) -> dict:
    """A user registers a public key for its own organisation."""
    value = _public_key(public_key)
    async with transaction():
        if await SigningKey.exists().where(SigningKey.public_key == value):
            raise DomainError("DUPLICATE_KEY", "this key is registered already", "publicKey")
        row = SigningKey(
            organisation=actor.organisation_id, public_key=value, registered_by=actor.id
        )
        await row.save()
        await audit.record(
            "signing_key.register",
            "signing_key",
            row.id,
            None,
            {"public_key": value},
            {"organisation": actor.organisation_id, "on": str(today())},
            tenant=actor.tenant,
        )
        return await get_key(row.id)


async def get_key(key_id: int) -> dict:
    row = await SigningKey.select().where(SigningKey.id == key_id).first()
    if row is None:
        raise NotFound("signing key", key_id)
    return row


@requires(Perm.SIGNING_KEY_MANAGE)
async def revoke_key(actor: CurrentUser, key_id: int) -> dict:
    """Signatures made before stay valid; the key signs nothing new."""
    async with transaction():
        row = await get_key(key_id)
        if row["organisation"] != actor.organisation_id:
            raise NotFound("signing key", key_id)
        if row["status"] == "revoked":
            raise DomainError("WRONG_STATE", "the key is revoked already")
        await SigningKey.update({SigningKey.status: "revoked", SigningKey.revoked_at: now()}).where(
            SigningKey.id == key_id
        )
        await audit.record(
            "signing_key.revoke",
            "signing_key",
            key_id,
            {"status": "active"},
            {"status": "revoked"},
            tenant=actor.tenant,
        )
        return await get_key(key_id)


async def keys_of(organisation_id: int) -> list[dict]:
    return (
        await SigningKey.select()
        .where(SigningKey.organisation == organisation_id)
        .order_by(SigningKey.id)
    )
