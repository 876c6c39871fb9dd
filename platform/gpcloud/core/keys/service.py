"""One registry, one API for every key an organisation registers: who may change it (only its
own users, with the purpose's permission), which key is active, and the audit of each change.

Public keys arrive as 64 hex digits (the contracts API's form) or as base64 of the 32 raw bytes
(what WebCrypto's exportKey("raw") gives); both are stored as hex.
"""

from __future__ import annotations

import base64
import binascii
import re

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now, today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.keys import schemes
from gpcloud.core.keys.tables import SigningKey

SIGNING = "signing"
SEALING = "sealing"
PURPOSES: dict[str, Perm] = {SIGNING: Perm.SIGNING_KEY_MANAGE, SEALING: Perm.BID_KEY_MANAGE}
_ALGORITHM = {SIGNING: ("Ed25519", Ed25519PublicKey), SEALING: ("X25519", X25519PublicKey)}
HEX64 = re.compile(r"[0-9a-f]{64}")


def _purpose(purpose: str) -> str:
    if purpose not in PURPOSES:
        raise DomainError("INVALID_KEY", f"unknown key purpose {purpose!r}", "purpose")
    return purpose


def decode_public_key(purpose: str, value: str) -> bytes:
    """32 raw bytes of a well-formed public key for `purpose`, from hex or base64."""
    name, algorithm = _ALGORITHM[_purpose(purpose)]
    text = (value or "").strip()
    raw = None
    if HEX64.fullmatch(text.lower()):
        raw = bytes.fromhex(text)
    else:
        try:
            raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError):
            raw = None
    if raw is None or len(raw) != 32:
        raise DomainError(
            "INVALID_KEY",
            f"an {name} public key: 32 bytes as 64 hex digits or base64",
            "publicKey",
        )
    try:
        algorithm.from_public_bytes(raw)
    except ValueError:
        raise DomainError("INVALID_KEY", f"not an {name} public key", "publicKey") from None
    return raw


async def register_key(actor: CurrentUser, purpose: str, public_key_b64: str) -> dict:
    """A user registers a public key for its own organisation (hex or base64 accepted)."""
    actor.require(PURPOSES[_purpose(purpose)])
    raw = decode_public_key(purpose, public_key_b64)
    await schemes.check_public_key(actor.tenant, purpose, raw)
    value = raw.hex()
    async with transaction():
        if await SigningKey.exists().where(SigningKey.public_key == value):
            raise DomainError("DUPLICATE_KEY", "this key is registered already", "publicKey")
        row = SigningKey(
            organisation=actor.organisation_id,
            purpose=purpose,
            public_key=value,
            registered_by=actor.id,
        )
        await row.save()
        await audit.record(
            f"{purpose}_key.register",
            "signing_key",
            row.id,
            None,
            {"public_key": value, "purpose": purpose},
            {"organisation": actor.organisation_id, "on": str(today())},
            tenant=actor.tenant,
        )
        return await get_key(row.id)


async def get_key(key_id: int) -> dict:
    row = await SigningKey.select().where(SigningKey.id == key_id).first()
    if row is None:
        raise NotFound("key", key_id)
    return row


async def revoke_key(actor: CurrentUser, key_id: int, purpose: str) -> dict:
    """Signatures made before stay valid; the key signs (or seals) nothing new. Only the
    organisation's own users see or revoke its keys: another's key is NOT_FOUND."""
    actor.require(PURPOSES[_purpose(purpose)])
    async with transaction():
        row = await SigningKey.select().where(SigningKey.id == key_id).first()
        if row is None or row["organisation"] != actor.organisation_id or row["purpose"] != purpose:
            raise NotFound(f"{purpose} key", key_id)
        if row["status"] == "revoked":
            raise DomainError("WRONG_STATE", "the key is revoked already")
        await SigningKey.update({SigningKey.status: "revoked", SigningKey.revoked_at: now()}).where(
            SigningKey.id == key_id
        )
        await audit.record(
            f"{purpose}_key.revoke",
            "signing_key",
            key_id,
            {"status": "active"},
            {"status": "revoked"},
            tenant=actor.tenant,
        )
        return await get_key(key_id)


@requires(Perm.SIGNING_KEY_MANAGE)
async def register_signing_key(actor: CurrentUser, public_key: str) -> dict:
    return await register_key(actor, SIGNING, public_key)


@requires(Perm.SIGNING_KEY_MANAGE)
async def revoke_signing_key(actor: CurrentUser, key_id: int) -> dict:
    return await revoke_key(actor, key_id, SIGNING)


@requires(Perm.BID_KEY_MANAGE)
async def register_sealing_key(actor: CurrentUser, public_key: str) -> dict:
    return await register_key(actor, SEALING, public_key)


@requires(Perm.BID_KEY_MANAGE)
async def revoke_sealing_key(actor: CurrentUser, key_id: int) -> dict:
    return await revoke_key(actor, key_id, SEALING)


async def keys_of(organisation_id: int, purpose: str | None = None) -> list[dict]:
    query = SigningKey.select().where(SigningKey.organisation == organisation_id)
    if purpose is not None:
        query = query.where(SigningKey.purpose == _purpose(purpose))
    return await query.order_by(SigningKey.id)


async def active_keys(organisation_id: int, purpose: str) -> list[dict]:
    return [k for k in await keys_of(organisation_id, purpose) if k["status"] == "active"]


async def active_key(organisation_id: int, purpose: str) -> dict | None:
    """The organisation's newest active key for `purpose` (None: it has none), the row with
    `public_key` as hex: bytes.fromhex(row["public_key"]) is what the sealing checks take."""
    keys = await active_keys(organisation_id, purpose)
    return keys[-1] if keys else None
