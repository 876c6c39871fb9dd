"""JSON for configuration and records, with money as Decimal end to end.

`loads` reads every non-integer number as Decimal. `dumps` writes a Decimal as a JSON number
only when that number reads back as the same Decimal, and refuses otherwise, so nothing is
rounded silently. `decimalize` converts floats arriving from outside (GraphQL JSON) the same way.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any


class InexactNumber(ValueError):
    pass


def to_json(value: Any) -> Any:
    """Plain JSON values (Decimals as exact numbers, dates as ISO strings)."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        as_float = float(value)
        if Decimal(repr(as_float)) != value:
            raise InexactNumber(f"{value} cannot be stored exactly")
        return as_float
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def dumps(value: Any) -> str:
    return json.dumps(to_json(value), ensure_ascii=False, sort_keys=True)


def loads(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def decimalize(value: Any) -> Any:
    """Floats (from a JSON parser that made them) to the Decimal of their shortest repr."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: decimalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decimalize(v) for v in value]
    return value
