"""Checks shared by the goods services and their imports: money, text."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from gpcloud.core.errors import DomainError, Problem

CENT = Decimal("0.01")
MAX_PRICE = Decimal("999999999999.99")  # Numeric(14, 2)
MAX_SEARCH = 64


def price_problem(value: Decimal | None, field: str) -> Problem | None:
    """A price in yuan: finite, above zero, at most 2 decimals, within the column."""
    message = "an amount in yuan above 0 with at most 2 decimals"
    if value is None:
        return Problem("REQUIRED", "a price is required", field)
    try:
        if (
            not value.is_finite()
            or value <= 0
            or value > MAX_PRICE
            or value != value.quantize(CENT)
        ):
            return Problem("INVALID_PRICE", message, field)
    except InvalidOperation:
        return Problem("INVALID_PRICE", message, field)
    return None


def money(value: Decimal | str | float | int) -> Decimal:
    """Stored prices as Decimal with 2 places (SQLite hands NUMERIC back as e.g. 4999.0)."""
    return Decimal(str(value)).quantize(CENT)


def price_bound(value: Decimal | None, field: str) -> Decimal | None:
    """A filter bound: any amount from 0 up, else a query error."""
    if value is None:
        return None
    try:
        if value.is_finite() and 0 <= value <= MAX_PRICE:
            return value
    except InvalidOperation:
        pass
    raise DomainError("INVALID_PRICE", "an amount in yuan from 0", field)


def text_problem(
    value: str | None, field: str, code: str, max_length: int, min_length: int = 0
) -> Problem | None:
    if value is None:
        return None
    if not min_length <= len(value) <= max_length:
        return Problem(code, f"{min_length} to {max_length} characters", field)
    return None


def search_term(value: str | None) -> str | None:
    """A search box's text (core.db.contains_ci matches it as typed), None when blank."""
    if value is None or not value.strip():
        return None
    term = value.strip()
    if len(term) > MAX_SEARCH:
        raise DomainError("INVALID_SEARCH", f"at most {MAX_SEARCH} characters", "search")
    return term
