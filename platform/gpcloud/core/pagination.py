"""Keyset pagination over an ascending integer key: stable under inserts, index-friendly."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from gpcloud.core.db import sql_text
from gpcloud.core.errors import DomainError
from gpcloud.settings import get_settings

DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    has_next_page: bool
    end_cursor: str | None


def bad_cursor() -> DomainError:
    return DomainError("INVALID_CURSOR", "the cursor is not one this API returned", "after")


def pack_cursor(kind: str, *parts: object) -> str:
    """The one cursor codec: an opaque, URL-safe token of a kind and its parts."""
    raw = "|".join([kind, *(str(p) for p in parts)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def pack_cursor_sql(kind: str, *parts: str) -> str:
    """PostgreSQL's expression of `pack_cursor(kind, *values)`, `parts` the SQL of the values
    as text (for pages whose JSON the database writes: core/graphql/projection.py)."""
    raw = " || '|' || ".join([sql_text(kind), *(f"({p})::text" for p in parts)])
    # encode() breaks base64 into lines of 76; urlsafe alphabet, no padding, as above.
    return f"rtrim(translate(encode(convert_to({raw}, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')"


def unpack_cursor(cursor: str, kind: str, parts: int) -> list[str]:
    """The parts of a cursor of `kind`; INVALID_CURSOR for anything this API did not issue."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise bad_cursor() from None
    found, *values = raw.split("|")
    if found != kind or len(values) != parts:
        raise bad_cursor()
    return values


def encode_cursor(value: int) -> str:
    return pack_cursor("k", value)


def decode_cursor(cursor: str) -> int:
    (value,) = unpack_cursor(cursor, "k", 1)
    try:
        key = int(value)
    except ValueError:
        raise bad_cursor() from None
    # Keys are serial (int32) ids: anything else was not issued by this API.
    if not 0 <= key < 2**31:
        raise bad_cursor()
    return key


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
