"""Keyset pagination over an ascending integer key: stable under inserts, index-friendly."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from gpcloud.core.errors import DomainError
from gpcloud.settings import get_settings

DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    has_next_page: bool
    end_cursor: str | None


def encode_cursor(value: int) -> str:
    return base64.urlsafe_b64encode(f"k:{value}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, value = raw.split(":", 1)
        key = int(value)
        # Keys are serial (int32) ids: anything else was not issued by this API.
        if prefix != "k" or not 0 <= key < 2**31:
            raise ValueError
        return key
    except (ValueError, UnicodeDecodeError):
        raise DomainError(
            "INVALID_CURSOR", "the cursor is not one this API returned", "after"
        ) from None


def check_page_size(first: int | None) -> int:
    limit = get_settings().max_page_size
    if first is None:
        return min(DEFAULT_PAGE_SIZE, limit)
    if first < 1:
        raise DomainError("INVALID_PAGE_SIZE", "first must be at least 1", "first")
    if first > limit:
        raise DomainError("PAGE_SIZE_TOO_LARGE", f"first must be at most {limit}", "first")
    return first


async def keyset_page(query, key_column, first: int | None, after: str | None) -> Page:
    """Run `query` (a piccolo select/objects query) for one page ordered by `key_column`."""
    size = check_page_size(first)
    if after is not None:
        query = query.where(key_column > decode_cursor(after))
    rows = await query.order_by(key_column).limit(size + 1)
    has_next = len(rows) > size
    rows = rows[:size]
    name = key_column._meta.name
    end = None
    if rows:
        last = rows[-1]
        end = encode_cursor(last[name] if isinstance(last, dict) else getattr(last, name))
    return Page(rows=rows, has_next_page=has_next, end_cursor=end)
