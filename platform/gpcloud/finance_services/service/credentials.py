"""Machine credentials: API keys an institution's user issues for itself, exchanged for an
access token by `sign_in` (the API then holds the machine to the user's role and the
institution's rate limit, like any other caller).

A key reads `gpk_<key id>.<secret>`: the key id is stored in the clear to find the row, the
secret only as its sha256 (a 256-bit random secret needs no slow hash: there is nothing to
guess). Rotation issues a new key and leaves the old one valid for `GRACE` so that a fleet of
clients can switch over; revocation ends a key at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser, Session, load_current_user
from gpcloud.core.auth.tables import User
from gpcloud.core.auth.tokens import issue_token
from gpcloud.core.clock import now
from gpcloud.core.db import for_update, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.finance_services.service import institutions
from gpcloud.finance_services.tables import InstitutionApiKey

GRACE = timedelta(hours=24)
PREFIX = "gpk_"
K = InstitutionApiKey
INVALID = "the API key is not valid"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new() -> tuple[str, str, str]:
    """(key id, secret, the key as the client keeps it)."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return key_id, secret, f"{PREFIX}{key_id}.{secret}"


async def _insert(institution: dict, actor: CurrentUser) -> tuple[dict, str]:
    key_id, secret, full = _new()
    row = K(institution=institution["id"], user=actor.id, key_id=key_id, secret_hash=_hash(secret))
    await row.save()
    created = await K.select().where(K.id == row.id).first()
    await audit.record(
        "institution_api_key.issue",
        "institution_api_key",
        row.id,
        None,
        {"key_id": key_id},
        tenant=institution["region"],
    )
    return created, full


@requires(Perm.FINANCE_CREDENTIALS_MANAGE)
async def issue(actor: CurrentUser) -> tuple[dict, str]:
    """A new key acting for the caller; the full key is returned once and never again."""
    async with transaction():
        return await _insert(await institutions.acting(actor), actor)


async def _own_key(actor: CurrentUser, institution: dict, key_row_id: int) -> dict:
    row = await for_update(K.select().where(K.id == key_row_id)).first()
    if row is None or row["institution"] != institution["id"]:
        raise NotFound("API key", key_row_id)
    return row


@requires(Perm.FINANCE_CREDENTIALS_MANAGE)
async def rotate(actor: CurrentUser, key_row_id: int) -> tuple[dict, str]:
    """A new key for the same user; the old one works for GRACE more, then no longer."""
    async with transaction():
        institution = await institutions.acting(actor)
        old = await _own_key(actor, institution, key_row_id)
        retired = await (
            K.update({K.status: "rotated", K.valid_until: now() + GRACE})
            .where((K.id == old["id"]) & (K.status == "active"))
            .returning(K.id)
        )
        if not retired:
            raise DomainError(
                "WRONG_STATE", f"only an active key is rotated; this one is {old['status']}"
            )
        await audit.record(
            "institution_api_key.rotate",
            "institution_api_key",
            old["id"],
            {"status": "active"},
            {"status": "rotated"},
            tenant=institution["region"],
        )
        owner = await load_current_user(old["user"])
        return await _insert(institution, owner)


@requires(Perm.FINANCE_CREDENTIALS_MANAGE)
async def revoke(actor: CurrentUser, key_row_id: int) -> dict:
    async with transaction():
        institution = await institutions.acting(actor)
        old = await _own_key(actor, institution, key_row_id)
        if old["status"] == "revoked":
            raise DomainError("WRONG_STATE", "the key is revoked already")
        await K.update({K.status: "revoked", K.valid_until: now()}).where(K.id == old["id"])
        await audit.record(
            "institution_api_key.revoke",
            "institution_api_key",
            old["id"],
            {"status": old["status"]},
            {"status": "revoked"},
            tenant=institution["region"],
        )
        return await K.select().where(K.id == old["id"]).first()


async def keys_of(institution_id: int) -> list[dict]:
    return await K.select().where(K.institution == institution_id).order_by(K.id)


def _usable(row: dict | None, secret: str) -> bool:
    if row is None:
        return False
    if not hmac.compare_digest(row["secret_hash"], _hash(secret)):
        return False
    if row["status"] == "active":
        return True
    return (
        row["status"] == "rotated" and row["valid_until"] is not None and now() < row["valid_until"]
    )


async def sign_in(api_key: str) -> Session:
    """An access token for the key's user: the key valid (active, or rotated within its grace),
    its institution approved and within its rate limit, its user active."""
    text = (api_key or "").strip()
    key_id, _, secret = text.removeprefix(PREFIX).partition(".")
    if not text.startswith(PREFIX) or not key_id or not secret or len(text) > 200:
        raise DomainError("INVALID_API_KEY", INVALID, "apiKey")
    row = await K.select().where(K.key_id == key_id).first()
    if not _usable(row, secret):
        raise DomainError("INVALID_API_KEY", INVALID, "apiKey")
    institution = await institutions.get(row["institution"])
    if institution["status"] != "approved":
        raise DomainError("INSTITUTION_NOT_APPROVED", f"the institution is {institution['status']}")
    await institutions.throttle(institution)
    with all_tenants(
        "API key sign-in: the key's user, who may belong to any tenant", audited=False
    ):
        user = (
            await User.select(User.status, User.token_version).where(User.id == row["user"]).first()
        )
    if user is None or user["status"] != "active":
        raise DomainError("ACCOUNT_DISABLED", "the key's account is disabled")
    await K.update({K.last_used_at: now()}).where(K.id == row["id"])
    current = await load_current_user(row["user"])
    token, expires = issue_token(current.id, current.tenant, user["token_version"])
    return Session(token=token, expires_at=expires, user=current)
