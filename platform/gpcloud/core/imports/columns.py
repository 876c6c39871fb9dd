"""Cell parsers: what the columns of every import file use, in one place.

A parser takes the cell's text (stripped, never empty: empty cells are None before parsing)
and returns the value or raises ValueError with a message a clerk understands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from gpcloud.core.auth.passwords import legacy_hash_ok
from gpcloud.core.clock import today
from gpcloud.core.money import MAX_FEN
from gpcloud.core.validation import is_email, is_phone, is_uscc, is_username

Parser = Callable[[str], Any]


class CellError(ValueError):
    """A cell that does not parse: a stable code and the English message (the reject report
    words it from the message catalogue)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def text(max_length: int) -> Parser:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise CellError("TOO_LONG", f"at most {max_length} characters")
        return value

    return parse


def pattern(regex: str, code: str, message: str) -> Parser:
    """`code` and `message` as a literal pair at the call, so the catalogue finds the words."""
    compiled = re.compile(regex)

    def parse(value: str) -> str:
        if not compiled.fullmatch(value):
            raise CellError(code, message)
        return value

    return parse


def uscc(value: str) -> str:
    value = value.upper()
    if not is_uscc(value):
        raise CellError(
            "INVALID_USCC", "not a valid unified social credit code (18 characters, GB 32100 check)"
        )
    return value


def phone(value: str) -> str:
    if not is_phone(value):
        raise CellError("INVALID_PHONE", "not a mobile or landline number")
    return value


def email(value: str) -> str:
    if not is_email(value):
        raise CellError("INVALID_EMAIL", "not an e-mail address")
    return value


def choice(options: dict[str, str]) -> Parser:
    """Map accepted spellings (English and Chinese) to the stored value."""
    lowered = {k.lower(): v for k, v in options.items()}

    def parse(value: str) -> str:
        found = lowered.get(value.lower())
        if found is None:
            raise CellError("NOT_AN_OPTION", f"one of {', '.join(options)}")
        return found

    return parse


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        raise CellError("INVALID_DATE", "a date like 2021-01-31") from None


def future_date(value: str) -> date:
    parsed = iso_date(value)
    if parsed < today():
        raise CellError("DATE_IN_PAST", f"{parsed} is in the past")
    return parsed


def money(value: str) -> Decimal:
    try:
        amount = Decimal(value.replace(",", ""))
        exact = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
    except InvalidOperation:  # not a number, or too many digits to have 2 decimals
        raise CellError("INVALID_AMOUNT", "an amount in yuan, e.g. 1234.50") from None
    if not exact or amount < 0:
        raise CellError("INVALID_AMOUNT", "an amount in yuan with at most 2 decimals, not negative")
    return amount


def fen(value: str) -> int:
    """An amount in yuan, as fen for a table (at most core.money.MAX_FEN)."""
    amount = money(value) * 100
    if amount > MAX_FEN:
        raise CellError("INVALID_AMOUNT", "an amount in yuan below 10^15")
    return int(amount)


def count(value: str) -> int:
    if not value.isdigit() or len(value) > 9:
        raise CellError("INVALID_COUNT", "a whole number, 0 or more")
    return int(value)


def yes_no(value: str) -> bool:
    return (
        choice(
            {"yes": "1", "no": "", "是": "1", "否": "", "true": "1", "false": "", "1": "1", "0": ""}
        )(value)
        == "1"
    )


def length(min_length: int, max_length: int) -> Parser:
    def parse(value: str) -> str:
        if not min_length <= len(value) <= max_length:
            raise CellError("INVALID_LENGTH", f"{min_length} to {max_length} characters")
        return value

    return parse


def login_name(value: str) -> str:
    """An account's login name, for the accounts an import provisions."""
    value = value.lower()
    if not is_username(value):
        raise CellError("INVALID_USERNAME", "3 to 64 letters, digits, '.', '_' or '-'")
    return value


def legacy_password_hash(value: str) -> str:
    """The old portal's password hash, kept so that a migrated account can log in."""
    if not legacy_hash_ok(value):
        raise CellError("INVALID_PASSWORD_HASH", '"md5:<32 hex>" or "sha256:<salt>:<64 hex>"')
    return value
