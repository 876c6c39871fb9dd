"""Receipts the platform signs for a received bid, with the audit log's Ed25519 key
(settings.audit_signing_key, whose public half is published with the audit tree heads).

Signed bytes: b"gpcloud-bid-receipt-v1\\n" + canonical JSON of the receipt: keys sorted by code
point, no whitespace, UTF-8 without escapes, values strings and integers only (times as ISO
8601 text), so a browser reproduces them with JSON.stringify over sorted keys.
"""

from __future__ import annotations

import base64
import binascii
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from gpcloud.core.jsonutil import to_json

RECEIPT_FORMAT = "gpcloud-bid-receipt-v1"
RECEIPT_PREFIX = RECEIPT_FORMAT.encode() + b"\n"


def canonical_json(value: dict) -> bytes:
    return json.dumps(
        to_json(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def receipt_message(receipt: dict) -> bytes:
    return RECEIPT_PREFIX + canonical_json(receipt)


def sign_receipt(receipt: dict) -> str:
    """Base64 of the platform's Ed25519 signature over the receipt."""
    from gpcloud.core.audit import heads

    return base64.b64encode(heads._signing_key().sign(receipt_message(receipt))).decode("ascii")


def verify_receipt(receipt: dict, signature: str, public_key_hex: str | None = None) -> bool:
    """True when `signature` is the platform's (or the given key's) over exactly this receipt."""
    from gpcloud.core.audit import heads

    try:
        key = Ed25519PublicKey.from_public_bytes(
            bytes.fromhex(public_key_hex or heads.public_key())
        )
        key.verify(base64.b64decode(signature, validate=True), receipt_message(receipt))
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return False
    return True
