"""Batch functions: the rows of many keys in one query, for the per-request loaders
(gpcloud.core.graphql.dataloaders). Services build their loaders from these; a query runs in
the caller's scope, so tenant-owned rows stay filtered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any


def rows_by_key(table, column, *columns) -> Callable[[list[Any]], Awaitable[list[dict | None]]]:
    """Batch function: one row (or None) per key, from `table` where `column` is in the keys."""

    async def load(keys: list[Any]) -> list[dict | None]:
        rows = await table.select(*columns).where(column.is_in(list(keys)))
        found = {row[column._meta.name]: row for row in rows}
        return [found.get(key) for key in keys]

    return load


def row_lists_by_key(table, column, *columns) -> Callable[[list[Any]], Awaitable[list[list[dict]]]]:
    """Batch function: all rows per key (one-to-many)."""

    async def load(keys: list[Any]) -> list[list[dict]]:
        rows = await table.select(*columns).where(column.is_in(list(keys)))
        grouped: dict[Any, list[dict]] = {}
        for row in rows:
            grouped.setdefault(row[column._meta.name], []).append(row)
        return [grouped.get(key, []) for key in keys]

    return load
