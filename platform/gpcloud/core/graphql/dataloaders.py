"""Per-request dataloaders: related rows load in one query per type and request (no N+1).

A loader runs its query in the request's scope, so tenant-owned rows stay filtered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader


class Loaders:
    """Created per request; `get` builds each named loader once."""

    def __init__(self) -> None:
        self._loaders: dict[Hashable, DataLoader] = {}

    def get(
        self, key: Hashable, load: Callable[[list[Any]], Awaitable[Sequence[Any]]]
    ) -> DataLoader:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = DataLoader(load_fn=load)
        return loader


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
