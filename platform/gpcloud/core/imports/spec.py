"""How a registry describes its import file, and the value parsers its columns use.

A parser takes the cell's text (stripped, never empty: empty cells are None before parsing)
and returns the value or raises ValueError with a message a clerk understands.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.clock import today
from gpcloud.core.money import MAX_FEN
from gpcloud.core.validation import is_email, is_phone, is_uscc

Parser = Callable[[str], Any]


@dataclass(frozen=True)
class Column:
    name: str  # header in English (snake_case); the Chinese label is accepted too
    label: str
    required: bool
    parse: Parser
    example: str
    description: str = ""


@dataclass
class ImportRow:
    """One data row: what the file said, what it means, and what became of it."""

    number: int
    raw: dict[str, str]
    values: dict[str, Any]
    reasons: list[str] = field(default_factory=list)
    outcome: str | None = None  # created | updated | unchanged | rejected | invalid

    def reject(self, reason: str) -> None:
        self.reasons.append(reason)
        self.outcome = "rejected"

    @property
    def ok(self) -> bool:
        return self.outcome != "rejected" and self.outcome != "invalid"


@dataclass(frozen=True)
class ImportSpec:
    """A registry's file format and how its rows are written.

    `apply_batch(rows, tenant)` runs inside one transaction per batch: it checks the rows
    against the database, rejects what cannot be written (row.reject), writes the rest in bulk
    and sets each written row's outcome (created / updated / unchanged). `key` names the column
    that identifies a record, for duplicates within the file and for upserts. `invalid` (optional)
    tells a row the old system marked invalid: it is reported and not migrated (seed, 二.1).
    """

    registry: str
    title: str
    columns: tuple[Column, ...]
    key: str
    apply_batch: Callable[[list[ImportRow], str], Awaitable[None]]
    permission: Perm  # what starting this import needs
    tenant_owned: bool
    check_row: Callable[[ImportRow], None] | None = None
    invalid: Callable[[ImportRow], bool] | None = None
    batch_size: int = 1000

    def column(self, header: str) -> Column | None:
        header = header.strip().lower().replace(" ", "_")
        for column in self.columns:
            if header in (column.name, column.label.lower()):
                return column
        return None


# Parsers


def text(max_length: int) -> Parser:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise ValueError(f"at most {max_length} characters")
        return value

    return parse


def pattern(regex: str, message: str) -> Parser:
    compiled = re.compile(regex)

    def parse(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(message)
        return value

    return parse


def uscc(value: str) -> str:
    value = value.upper()
    if not is_uscc(value):
        raise ValueError("not a valid unified social credit code (18 characters, GB 32100 check)")
    return value


def phone(value: str) -> str:
    if not is_phone(value):
        raise ValueError("not a mobile or landline number")
    return value


def email(value: str) -> str:
    if not is_email(value):
        raise ValueError("not an e-mail address")
    return value


def choice(options: dict[str, str]) -> Parser:
    """Map accepted spellings (English and Chinese) to the stored value."""
    lowered = {k.lower(): v for k, v in options.items()}

    def parse(value: str) -> str:
        found = lowered.get(value.lower())
        if found is None:
            raise ValueError(f"one of {', '.join(options)}")
        return found

    return parse


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        raise ValueError("a date like 2021-01-31") from None


def future_date(value: str) -> date:
    parsed = iso_date(value)
    if parsed < today():
        raise ValueError(f"{parsed} is in the past")
    return parsed


def money(value: str) -> Decimal:
    try:
        amount = Decimal(value.replace(",", ""))
        exact = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
    except InvalidOperation:  # not a number, or too many digits to have 2 decimals
        raise ValueError("an amount in yuan, e.g. 1234.50") from None
    if not exact or amount < 0:
        raise ValueError("an amount in yuan with at most 2 decimals, not negative")
    return amount


def fen(value: str) -> int:
    """An amount in yuan, as fen for a table (at most core.money.MAX_FEN)."""
    amount = money(value) * 100
    if amount > MAX_FEN:
        raise ValueError("an amount in yuan below 10^15")
    return int(amount)


def count(value: str) -> int:
    if not value.isdigit() or len(value) > 9:
        raise ValueError("a whole number, 0 or more")
    return int(value)


def yes_no(value: str) -> bool:
    return (
        choice(
            {"yes": "1", "no": "", "是": "1", "否": "", "true": "1", "false": "", "1": "1", "0": ""}
        )(value)
        == "1"
    )
