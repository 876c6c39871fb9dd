"""Signed access tokens (JWT, HS256) with expiry, bound to the user's token version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from gpcloud.settings import get_settings

ISSUER = "gpcloud"


class TokenError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    tenant: str
    version: int
    expires_at: datetime


def issue_token(
    user_id: int, tenant: str, version: int, now: datetime | None = None
) -> tuple[str, datetime]:
    settings = get_settings()
    now = now or datetime.now(UTC)
    # Whole seconds: what `exp` can carry is what the client is told.
    expires = (now + timedelta(minutes=settings.token_ttl_minutes)).replace(microsecond=0)
    payload = {
        "iss": ISSUER,
        "sub": str(user_id),
        "ten": tenant,
        "ver": version,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
    }
    return jwt.encode(payload, settings.secret_key, algorithm="HS256"), expires


def read_token(token: str) -> TokenClaims:
    try:
        payload = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=["HS256"],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("TOKEN_EXPIRED", "the access token has expired; log in again") from None
    except jwt.InvalidTokenError:
        raise TokenError("TOKEN_INVALID", "the access token is not valid") from None
    try:
        return TokenClaims(
            user_id=int(payload["sub"]),
            tenant=str(payload["ten"]),
            version=int(payload["ver"]),
            expires_at=datetime.fromtimestamp(payload["exp"], UTC),
        )
    except (KeyError, TypeError, ValueError):
        raise TokenError("TOKEN_INVALID", "the access token is not valid") from None
