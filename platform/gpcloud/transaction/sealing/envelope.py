"""The sealed bid envelope (gpcloud-bid-v1): AES-256-GCM under a random content key, the key
wrapped for the bidder's own X25519 key, an Ed25519 signature over (project, lot, digest).

Byte layouts, salts and labels are specified in docs/sealed-bids.md; a browser client with
WebCrypto implements the same. Nothing here is a primitive of our own: `cryptography` does all.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gpcloud.core.errors import DomainError
from gpcloud.transaction.sealing.package import BidPackage, pack

FORMAT = "gpcloud-bid-v1"
MAGIC = b"GPCBID"  # then the version byte and a reserved zero byte
VERSION = 1
WRAP_MAGIC = b"GPCKW"  # then the version byte
WRAP_INFO = b"gpcloud-bid-v1 key wrap"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
MAX_LOT_BYTES = 255
# magic, version, reserved, project id (u64), lot length (u16), lot, nonce, then ciphertext+tag
_FIXED = struct.Struct(">6sBBQH")
MIN_SEALED_BYTES = _FIXED.size + NONCE_BYTES + TAG_BYTES
WRAPPED_BYTES = len(WRAP_MAGIC) + 1 + 32 + NONCE_BYTES + KEY_BYTES + TAG_BYTES


@dataclass(frozen=True)
class SealedBid:
    ciphertext: bytes
    wrapped_key: bytes
    signature: bytes
    digest: str  # sha256 hex of ciphertext


@dataclass(frozen=True)
class Header:
    """The clear part of a sealed bid; all of it (nonce included) is the AES-GCM associated data,
    so a ciphertext moved to another project or lot does not decrypt."""

    project_id: int
    lot: str
    nonce: bytes
    size: int  # bytes of header, where the encrypted body starts


def _header_bytes(project_id: int, lot: str, nonce: bytes) -> bytes:
    lot_bytes = lot.encode("utf-8")
    if len(lot_bytes) > MAX_LOT_BYTES:
        raise DomainError("BID_PACKAGE_INVALID", f"lot name over {MAX_LOT_BYTES} bytes", "lot")
    if not 0 < project_id < 2**63:
        raise DomainError("BID_PACKAGE_INVALID", "project id out of range", "projectId")
    fixed = _FIXED.pack(MAGIC, VERSION, 0, project_id, len(lot_bytes))
    return fixed + lot_bytes + nonce


def _not_sealed(why: str) -> DomainError:
    return DomainError("BID_NOT_SEALED", f"not a sealed {FORMAT} bid: {why}", "ciphertext")


def parse_header(ciphertext: bytes) -> Header:
    if len(ciphertext) < MIN_SEALED_BYTES:
        raise _not_sealed(f"shorter than {MIN_SEALED_BYTES} bytes")
    magic, version, reserved, project_id, lot_length = _FIXED.unpack_from(ciphertext)
    if magic != MAGIC:
        raise _not_sealed("no GPCBID header (an unencrypted file is refused)")
    if version != VERSION or reserved != 0:
        raise _not_sealed(f"unknown version {version}.{reserved}")
    size = _FIXED.size + lot_length + NONCE_BYTES
    if len(ciphertext) < size + TAG_BYTES or lot_length > MAX_LOT_BYTES or project_id == 0:
        raise _not_sealed("truncated header")
    try:
        lot = ciphertext[_FIXED.size : _FIXED.size + lot_length].decode("utf-8")
    except UnicodeDecodeError:
        raise _not_sealed("lot is not UTF-8") from None
    return Header(project_id, lot, ciphertext[size - NONCE_BYTES : size], size)


def digest_of(ciphertext: bytes) -> str:
    return hashlib.sha256(ciphertext).hexdigest()


def check_sealed(ciphertext: bytes) -> str:
    """The digest of a well-formed sealed bid; BID_NOT_SEALED for anything else (plaintext JSON,
    PDF, ZIP, text: none starts with the magic). Says nothing about the key: nobody has it."""
    parse_header(ciphertext)
    return digest_of(ciphertext)


def sealed_for(ciphertext: bytes) -> tuple[int, str]:
    """(project id, lot) the bid was sealed for: the submission must name the same."""
    header = parse_header(ciphertext)
    return header.project_id, header.lot


def bid_message(project_id: int, lot: str, digest: str) -> bytes:
    """The exact bytes a bidder signs with Ed25519."""
    return f"{FORMAT}\nproject {int(project_id)}\nlot {lot}\ndigest {digest}\n".encode()


def verify_bid_signature(
    public_key: bytes, signature: bytes, project_id: int, lot: str, digest: str
) -> None:
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes(public_key))
        key.verify(bytes(signature), bid_message(project_id, lot, digest))
    except (InvalidSignature, ValueError, TypeError):
        raise DomainError(
            "BID_SIGNATURE_INVALID",
            "the signature does not verify with the bidder's registered signing key for this "
            "project, lot and ciphertext",
            "signature",
        ) from None


def unseal(ciphertext: bytes, content_key: bytes) -> bytes:
    """The plaintext package; BID_KEY_WRONG when GCM authentication fails (a wrong key, or a
    ciphertext changed since it was sealed: both look the same, by design of the AEAD)."""
    header = parse_header(ciphertext)
    if len(content_key) != KEY_BYTES:
        raise DomainError("BID_KEY_WRONG", "the content key is 32 bytes", "contentKey")
    try:
        return AESGCM(bytes(content_key)).decrypt(
            header.nonce, ciphertext[header.size :], ciphertext[: header.size]
        )
    except InvalidTag:
        raise DomainError(
            "BID_KEY_WRONG",
            "the content key does not open this bid (wrong key or altered ciphertext)",
            "contentKey",
        ) from None


# ---------------------------------------------------------------------------------------------
# Reference client side
# ---------------------------------------------------------------------------------------------


def generate_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def generate_sealing_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def raw_public(key) -> bytes:
    """32 raw bytes of a public key (or of a private key's public half)."""
    if hasattr(key, "public_key"):
        key = key.public_key()
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _kek(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=ephemeral_public + recipient_public,
        info=WRAP_INFO,
    ).derive(shared)


def wrap_key(
    content_key: bytes,
    sealing_public_key: X25519PublicKey | bytes,
    *,
    ephemeral: X25519PrivateKey | None = None,
    nonce: bytes | None = None,
) -> bytes:
    if isinstance(sealing_public_key, bytes):
        sealing_public_key = X25519PublicKey.from_public_bytes(sealing_public_key)
    ephemeral = ephemeral or X25519PrivateKey.generate()
    nonce = nonce or os.urandom(NONCE_BYTES)
    ephemeral_public = raw_public(ephemeral)
    recipient = raw_public(sealing_public_key)
    kek = _kek(ephemeral.exchange(sealing_public_key), ephemeral_public, recipient)
    head = WRAP_MAGIC + bytes([VERSION]) + ephemeral_public
    return head + nonce + AESGCM(kek).encrypt(nonce, content_key, head)


def recover_content_key(wrapped_key: bytes, sealing_private_key: X25519PrivateKey) -> bytes:
    """The content key the bidder supplies at the opening."""
    wrong = DomainError("BID_KEY_WRONG", "this sealing key does not unwrap the key", "wrappedKey")
    if len(wrapped_key) != WRAPPED_BYTES or not wrapped_key.startswith(WRAP_MAGIC):
        raise DomainError("BID_NOT_SEALED", "not a gpcloud-bid-v1 wrapped key", "wrappedKey")
    if wrapped_key[len(WRAP_MAGIC)] != VERSION:
        raise DomainError("BID_NOT_SEALED", "unknown wrapped key version", "wrappedKey")
    head = wrapped_key[: len(WRAP_MAGIC) + 1 + 32]
    nonce = wrapped_key[len(head) : len(head) + NONCE_BYTES]
    ephemeral_public = head[len(WRAP_MAGIC) + 1 :]
    try:
        shared = sealing_private_key.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    except ValueError:
        raise wrong from None
    kek = _kek(shared, ephemeral_public, raw_public(sealing_private_key))
    try:
        return AESGCM(kek).decrypt(nonce, wrapped_key[len(head) + NONCE_BYTES :], head)
    except InvalidTag:
        raise wrong from None


def seal(
    package: BidPackage,
    *,
    project_id: int,
    lot: str,
    signing_key: Ed25519PrivateKey,
    sealing_public_key: X25519PublicKey | bytes,
    content_key: bytes | None = None,
    nonce: bytes | None = None,
    wrap_nonce: bytes | None = None,
    ephemeral: X25519PrivateKey | None = None,
) -> SealedBid:
    """Seal and sign a bid. The optional randomness is for the documented test vector only."""
    content_key = content_key or AESGCM.generate_key(bit_length=256)
    header = _header_bytes(project_id, lot, nonce or os.urandom(NONCE_BYTES))
    body = AESGCM(content_key).encrypt(header[-NONCE_BYTES:], pack(package), header)
    ciphertext = header + body
    digest = digest_of(ciphertext)
    return SealedBid(
        ciphertext=ciphertext,
        wrapped_key=wrap_key(
            content_key, sealing_public_key, ephemeral=ephemeral, nonce=wrap_nonce
        ),
        signature=signing_key.sign(bid_message(project_id, lot, digest)),
        digest=digest,
    )
