"""Money: yuan (Decimal, 2 places) at the edges, fen (int) in tables whose sums and balances SQL
checks (exact on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from decimal import Decimal

from gpcloud.core.errors import DomainError

MAX_FEN = 10**17  # a trillion yuan per line: far above any budget, far below BigInt's limit


def to_fen(amount: Decimal, field: str = "amount") -> int:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise DomainError("INVALID_AMOUNT", "an amount in yuan", field)
    fen = amount * 100
    if fen != fen.to_integral_value() or fen < 0 or fen > MAX_FEN:
        raise DomainError(
            "INVALID_AMOUNT", "yuan with at most 2 decimals, 0 or more, below 10^15", field
        )
    return int(fen)


def to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def to_yuan_or_none(fen: int | None) -> Decimal | None:
    return None if fen is None else to_yuan(fen)


def format_yuan(amount: Decimal) -> str:
    """3990000.00 -> "3,990,000.00": what people read (programs get the plain Decimal)."""
    return f"{amount:,.2f}"


def format_wan(amount: Decimal) -> str:
    """In 万元, as Chinese procurement notices state budgets: 3990000 -> "399.00",
    12345.6 -> "1.23456" (no yuan lost: up to 6 places, trailing zeros beyond 2 dropped)."""
    wan = (amount / 10_000).quantize(Decimal("0.000001"))
    text = f"{wan:,.6f}".rstrip("0")
    whole, _, places = text.partition(".")
    return f"{whole}.{places.ljust(2, '0')}"
