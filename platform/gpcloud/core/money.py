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
