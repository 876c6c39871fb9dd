"""The file store (core/storage, being built on branch i14-sealing), imported when first used so
that this domain loads before it is merged. Removed once it is."""

from __future__ import annotations

import importlib


class _Lazy:
    def __init__(self, module: str):
        self._module = module

    def __getattr__(self, name: str):
        return getattr(importlib.import_module(self._module), name)


storage = _Lazy("gpcloud.core.storage")
