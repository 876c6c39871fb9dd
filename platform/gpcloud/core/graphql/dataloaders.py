"""Per-request dataloaders: related rows load in one query per type and request (no N+1).

A loader runs its query in the request's scope, so tenant-owned rows stay filtered. The batch
functions it runs come from services (built with gpcloud.core.batch), never from GraphQL code.
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
