"""The development provider of face verification and e-signatures: what the embedded default
answers with until a tenant's approved plugin connects a real (commercial) service.

It is labelled in its name ("builtin:development") and in every answer ("development": true,
a provider name that says so), and the bill shows it, so nobody mistakes it for a real check.
It is deterministic, so a test (or a demo) decides its answer:
- a face matches when the sample is exactly `face_sample(subject reference)`, any other bytes
  do not match (a real camera image never does);
- a document is signed when the confirmation is CONFIRMATION, refused otherwise; the signature
  is real Ed25519 under a key derived from a published seed, so it proves nothing about anyone
  but can be verified (`verify`) like a real one.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PROVIDER = "gpcloud development provider (开发测试用，非真实核验，无法律效力)"
CONFIRMATION = "000000"
ALGORITHM = "Ed25519 (development key)"
_SEED = b"gpcloud development e-signature key: public, not legally binding"
_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(_SEED).digest())
PUBLIC_KEY = _KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def face_sample(subject_reference: str) -> bytes:
    """The one capture the development provider recognises as `subject_reference`'s face."""
    return b"gpcloud-development-face:" + subject_reference.encode()


def _reference(kind: str, idempotency_key: str) -> str:
    return f"dev-{kind}-{hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]}"


def verify_face(subject: dict, sample: bytes, idempotency_key: str) -> dict:
    matched = sample == face_sample(str(subject.get("reference", "")))
    return {
        "matched": matched,
        "score": "1.00" if matched else "0.00",
        "reference": _reference("face", idempotency_key),
        "provider": PROVIDER,
        "development": True,
        "message": "开发测试提供者：样本一致" if matched else "开发测试提供者：样本不一致",
    }


def _message(signer: dict, document: dict) -> bytes:
    return f"gpcloud-dev-sign-v1\0{signer.get('reference', '')}\0{document['digest']}".encode()


def sign_document(signer: dict, document: dict, confirmation: str, idempotency_key: str) -> dict:
    answer = {
        "reference": _reference("sign", idempotency_key),
        "provider": PROVIDER,
        "development": True,
        "algorithm": ALGORITHM,
        "certificate": base64.b64encode(PUBLIC_KEY).decode(),
    }
    if confirmation != CONFIRMATION:
        return {**answer, "signed": False, "signature": "", "message": "开发测试提供者：确认码错误"}
    signature = base64.b64encode(_KEY.sign(_message(signer, document))).decode()
    return {**answer, "signed": True, "signature": signature, "message": "开发测试提供者：已签名"}


def verify(signer: dict, document: dict, signature: str) -> bool:
    """Whether `signature` is the development provider's over this document for this signer."""
    try:
        Ed25519PublicKey.from_public_bytes(PUBLIC_KEY).verify(
            base64.b64decode(signature), _message(signer, document)
        )
    except (InvalidSignature, ValueError):
        return False
    return True
