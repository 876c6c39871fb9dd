"""argon2id hashing (run off the event loop: it is deliberately slow) and the password policy."""

from __future__ import annotations

import asyncio
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


def needs_rehash(password_hash: str) -> bool:
    """True after the configured cost changed: the hash is renewed at the next login."""
    return _hasher().check_needs_rehash(password_hash)


async def verify_password(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError, ValueError):
            # ValueError covers a non-ASCII stored hash (UnicodeEncodeError).
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
