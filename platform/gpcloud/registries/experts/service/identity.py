"""The resident ID number (居民身份证号码, GB 11643-1999) and how the registry keeps it.

The number is personal data: it is stored only as a keyed digest (HMAC-SHA256, for duplicate
checks and import upserts), a masked form (for display) and an AES-GCM ciphertext (revealed to a
provincial admin on request, audited). Both keys are derived from the deployment's secret key
with HKDF, one per purpose, so neither the digest nor the ciphertext can be produced or read
without it. The check belongs in core/validation.py once another registry needs it.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gpcloud.settings import get_settings

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_FORMAT = re.compile(r"[0-9]{17}[0-9X]")
# GB/T 2260 province-level codes: the first two digits of every real ID number.
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82".split()
)
CIPHER_PREFIX = "v1."
AAD = b"gpcloud.expert.id_number"


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    gender: str  # male | female: the 17th digit is odd for men


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def parse_id_number(value: str, today: date) -> IdNumber:
    """The number, normalised (upper-case X), with what it says; ValueError says what is wrong."""
    number = (value or "").strip().upper()
    if len(number) != 18:
        raise ValueError("a resident ID number has 18 characters")
    if not ID_FORMAT.fullmatch(number):
        raise ValueError("17 digits followed by a check digit (0-9 or X)")
    if number[:2] not in PROVINCES:
        raise ValueError(f"{number[:2]} is not a province code")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError(f"{number[6:14]} is not a birth date") from None
    if birth.year < 1900 or birth > today:
        raise ValueError(f"{birth.isoformat()} is not a possible birth date")
    if id_check_char(number[:17]) != number[17]:
        raise ValueError("the check digit does not match (GB 11643)")
    return IdNumber(number, birth, "male" if int(number[16]) % 2 else "female")


def mask(number: str) -> str:
    """Area code and the last four characters, e.g. 441481********123X."""
    return number[:6] + "*" * 8 + number[14:]


@lru_cache(maxsize=8)
def _key(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gpcloud.experts", info=purpose).derive(
        secret.encode()
    )


def _secret(secret: str | None) -> str:
    return secret if secret is not None else get_settings().secret_key


def digest(number: str, secret: str | None = None) -> str:
    """Keyed digest of a normalised number: equal numbers, equal digests, under one secret."""
    mac = hmac.HMAC(_key(_secret(secret), b"id_number digest"), hashes.SHA256())
    mac.update(number.encode())
    return mac.finalize().hex()


def seal(number: str, secret: str | None = None) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(_secret(secret), b"id_number cipher")).encrypt(nonce, number.encode(), AAD)
    return CIPHER_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(token: str, secret: str | None = None) -> str:
    """The number back; ValueError when the ciphertext was altered or sealed under another key."""
    if not token.startswith(CIPHER_PREFIX):
        raise ValueError("not a sealed ID number")
    try:
        raw = base64.urlsafe_b64decode(token[len(CIPHER_PREFIX) :])
        plain = AESGCM(_key(_secret(secret), b"id_number cipher")).decrypt(raw[:12], raw[12:], AAD)
    except (InvalidTag, ValueError) as exc:
        raise ValueError("the sealed ID number cannot be opened with this key") from exc
    return plain.decode()
