"""Signed tree heads: what the platform signs, with which key, and how anyone checks it.

A head is signed with Ed25519 over this UTF-8 text (four lines, each ending in a newline):

    gpcloud audit tree head v1
    tree_size 1234
    root_hash <64 hex digits: the RFC 6962 Merkle root of the first tree_size entries>
    signed_at 2026-12-06T11:00:00.123Z

The signature is published as hex, the public key as 64 hex digits (its key id: the first 16
hex digits of the SHA-256 of the raw public key). A browser client rebuilds the text from the
head's fields and checks the signature with any Ed25519 implementation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gpcloud.core.audit.tables import AuditTreeHead
from gpcloud.settings import get_settings

TITLE = "gpcloud audit tree head v1"


@dataclass(frozen=True)
class Head:
    tree_size: int
    root_hash: str
    signed_at: datetime
    signature: str
    key_id: str

    @property
    def message(self) -> bytes:
        return message(self.tree_size, self.root_hash, self.signed_at)

    def as_json(self) -> dict:
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "signed_at": timestamp(self.signed_at),
            "signature": self.signature,
            "key_id": self.key_id,
        }

    @classmethod
    def of(cls, row: dict) -> Head:
        return cls(
            row["tree_size"], row["root_hash"], row["signed_at"], row["signature"], row["key_id"]
        )


def timestamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def message(tree_size: int, root_hash: str, signed_at: datetime) -> bytes:
    return (
        f"{TITLE}\ntree_size {tree_size}\nroot_hash {root_hash}\nsigned_at {timestamp(signed_at)}\n"
    ).encode()


@cache
def _private_key(seed_hex: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex))


def _signing_key() -> Ed25519PrivateKey:
    return _private_key(get_settings().audit_signing_key)


def public_key() -> str:
    """This platform's public key, hex (what outsiders pin)."""
    raw = _signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return raw.hex()


def key_id(public_key_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:16]


def sign(tree_size: int, root_hash: str, signed_at: datetime) -> Head:
    """A head for the tree, signed now; `signed_at` is kept to the millisecond it states."""
    signed_at = signed_at.replace(microsecond=signed_at.microsecond // 1000 * 1000)
    signature = _signing_key().sign(message(tree_size, root_hash, signed_at)).hex()
    return Head(tree_size, root_hash, signed_at, signature, key_id(public_key()))


def signature_valid(head: Head, public_key_hex: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(head.signature), head.message)
    except (InvalidSignature, ValueError):
        return False
    return True


async def latest() -> Head | None:
    row = await AuditTreeHead.select().order_by(AuditTreeHead.tree_size, ascending=False).first()
    return Head.of(row) if row else None


async def of_size(tree_size: int) -> Head | None:
    row = await AuditTreeHead.select().where(AuditTreeHead.tree_size == tree_size).first()
    return Head.of(row) if row else None


async def newest_first(before: int | None, limit: int) -> list[Head]:
    """A page of heads, newest first, below tree size `before` when given."""
    query = AuditTreeHead.select().order_by(AuditTreeHead.tree_size, ascending=False).limit(limit)
    if before is not None:
        query = query.where(AuditTreeHead.tree_size < before)
    return [Head.of(row) for row in await query]
