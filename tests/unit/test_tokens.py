import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from gpcloud.core.auth.tokens import TokenError, issue_token, read_token
from gpcloud.settings import get_settings


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def payload(**changes) -> dict:
    t = int(now().timestamp())
    claims = {"iss": "gpcloud", "sub": "7", "ten": "441481", "ver": 3, "iat": t, "exp": t + 600}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def sign(claims: dict, key: str | None = None, algorithm: str = "HS256") -> str:
    return jwt.encode(
        claims, get_settings().secret_key if key is None else key, algorithm=algorithm
    )


def error_code(token: str) -> str:
    with pytest.raises(TokenError) as info:
        read_token(token)
    return info.value.code


def test_issue_returns_expiry_after_the_configured_ttl():
    issued_at = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)
    _, expires = issue_token(1, "440000", 0, now=issued_at)
    assert expires == issued_at + timedelta(minutes=get_settings().token_ttl_minutes)


def test_read_token_roundtrip():
    token, expires = issue_token(42, "441481", 5, now=now())
    claims = read_token(token)
    assert (claims.user_id, claims.tenant, claims.version) == (42, "441481", 5)
    assert claims.expires_at == expires


def test_reported_expiry_equals_token_expiry_with_microseconds():
    token, expires = issue_token(
        42, "441481", 5, now=datetime.now(UTC).replace(microsecond=999_999)
    )
    assert read_token(token).expires_at == expires


def test_expired_token():
    token, _ = issue_token(1, "440000", 0, now=datetime.now(UTC) - timedelta(days=3))
    assert error_code(token) == "TOKEN_EXPIRED"


def test_token_signed_with_another_key():
    assert (
        error_code(sign(payload(), key="another-secret-key-that-is-long-enough-0123456789"))
        == "TOKEN_INVALID"
    )


def test_tampered_payload():
    token, _ = issue_token(7, "441481", 3)
    header, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["sub"] = "1"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert read_token(token).user_id == 7
    assert error_code(f"{header}.{forged}.{signature}") == "TOKEN_INVALID"


def test_alg_none_token():
    assert error_code(jwt.encode(payload(), None, algorithm="none")) == "TOKEN_INVALID"


def test_correctly_signed_payload_is_accepted():
    # The control for the claim tests below: sign() with the real key is accepted.
    assert read_token(sign(payload())).tenant == "441481"


@pytest.mark.parametrize("missing", ["ten", "ver", "sub", "exp", "iss"])
def test_missing_claim(missing):
    assert error_code(sign(payload(**{missing: None}))) == "TOKEN_INVALID"


@pytest.mark.parametrize("claims", [{"iss": "someone-else"}, {"sub": "abc"}, {"ver": "x"}])
def test_wrong_claim_values(claims):
    assert error_code(sign(payload(**claims))) == "TOKEN_INVALID"


@pytest.mark.parametrize("garbage", ["", "not-a-token", "a.b.c", "Bearer x.y.z"])
def test_garbage_token(garbage):
    assert error_code(garbage) == "TOKEN_INVALID"
