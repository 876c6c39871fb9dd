"""Ed25519 signatures over contract digests, with the public keys of core's key registry
(core/keys, purpose "signing").

The message signed is b"gpcloud-contract-v1:" + the contract's hex digest: a signature made for
one contract (or for anything else) does not verify for another.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.keys import service as keys

PREFIX = b"gpcloud-contract-v1:"


def message(digest: str) -> bytes:
    return PREFIX + digest.encode("ascii")


def verify(public_key_hex: str, signature_hex: str, digest: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), message(digest))
        return True
    except (InvalidSignature, ValueError):
        return False


@requires(Perm.SIGNING_KEY_MANAGE)
async def register_key(actor: CurrentUser, public_key: str) -> dict:
    """A user registers a signing key for its own organisation."""
    return await keys.register_key(actor, keys.SIGNING, public_key)


async def get_key(key_id: int) -> dict:
    return await keys.get_key(key_id)


@requires(Perm.SIGNING_KEY_MANAGE)
async def revoke_key(actor: CurrentUser, key_id: int) -> dict:
    """Signatures made before stay valid; the key signs nothing new."""
    return await keys.revoke_key(actor, key_id, keys.SIGNING)


async def keys_of(organisation_id: int) -> list[dict]:
    """The organisation's signing keys (contracts are signed with these only)."""
    return await keys.keys_of(organisation_id, keys.SIGNING)
