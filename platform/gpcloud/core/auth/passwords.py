"""argon2id hashing (run off the event loop: it is deliberately slow) and the password policy."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import string
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gpcloud.core.errors import Problem
from gpcloud.settings import get_settings

MIN_LENGTH = 8
MAX_LENGTH = 128
CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation)


@cache
def _hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
    )


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher().hash, password)


# Accounts migrated from the old portal keep its hashes until their first login (when the
# password must change anyway): "md5:<hex>" or "sha256:<salt>:<hex>". "!" means no password yet:
# such an account waits for an admin's resetPassword.
UNUSABLE = "!"
LEGACY_SCHEMES = ("md5:", "sha256:")


def legacy_hash_ok(value: str) -> bool:
    if value.startswith("md5:"):
        return bool(re.fullmatch(r"md5:[0-9a-f]{32}", value))
    return bool(re.fullmatch(r"sha256:[^:]{0,64}:[0-9a-f]{64}", value))


def _verify_legacy(password_hash: str, password: str) -> bool:
    if password_hash.startswith("md5:"):
        expected, actual = password_hash[4:], hashlib.md5(password.encode()).hexdigest()
    else:
        _, salt, expected = password_hash.split(":", 2)
        actual = hashlib.sha256((salt + password).encode()).hexdigest()
    return hmac.compare_digest(expected, actual)


def needs_rehash(password_hash: str) -> bool:
    """True for legacy hashes and after the configured cost changed: renewed at the next login."""
    if password_hash.startswith(LEGACY_SCHEMES):
        return True
    return _hasher().check_needs_rehash(password_hash)


async def verify_password(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        if password_hash.startswith(LEGACY_SCHEMES):
            return legacy_hash_ok(password_hash) and _verify_legacy(password_hash, password)
        try:
            return _hasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError, ValueError):
            # ValueError covers a non-ASCII stored hash (UnicodeEncodeError); "!" is invalid.
            return False

    return await asyncio.to_thread(verify)


_DUMMY: str | None = None


async def burn_verify(password: str) -> None:
    """Spend the time of a real verification, so unknown login names are not revealed by timing."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = await hash_password(secrets.token_hex(16))
    await verify_password(_DUMMY, password)


def policy_problems(password: str, username: str, field: str = "newPassword") -> list[Problem]:
    """The usual government-system rule: 8+ characters from at least 3 of 4 classes."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return [
            Problem("PASSWORD_TOO_WEAK", f"must be {MIN_LENGTH} to {MAX_LENGTH} characters", field)
        ]
    classes = sum(any(ch in cls for ch in password) for cls in CLASSES)
    if classes < 3:
        return [
            Problem(
                "PASSWORD_TOO_WEAK",
                "must mix at least three of: lower case, upper case, digits, symbols",
                field,
            )
        ]
    if username and username.lower() in password.lower():
        return [Problem("PASSWORD_TOO_WEAK", "must not contain the login name", field)]
    return []


def generate_password() -> str:
    """A one-time password that satisfies the policy, for new accounts and resets."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(10)) + secrets.choice("#%+-=@")
        if not policy_problems(candidate, ""):
            return candidate
