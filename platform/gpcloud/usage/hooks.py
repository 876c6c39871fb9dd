"""The usage domain's built-in hook implementations: the development provider of face
verification and e-signatures, for every tenant (core/plugins/hooks.py `builtin`)."""

from __future__ import annotations

from typing import Any

from gpcloud.core.plugins.hooks import builtin
from gpcloud.usage import development


@builtin("gpcloud_verify_face", "development")
async def gpcloud_verify_face(
    tenant: Any, subject: dict, sample: bytes, purpose: str, idempotency_key: str
) -> dict | None:
    return development.verify_face(subject, sample, idempotency_key)


@builtin("gpcloud_sign_document", "development")
async def gpcloud_sign_document(
    tenant: Any, signer: dict, document: dict, confirmation: str, idempotency_key: str
) -> dict | None:
    return development.sign_document(signer, document, confirmation, idempotency_key)
