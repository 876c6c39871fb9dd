"""Stored files (sealed bids, documents): a folder under var/ in the embedded default, an
S3-compatible object store in production, chosen by the `storage_url` setting only.

    await storage.put("bids/42/7.sealed", data); await storage.get(key) -> bytes
    await storage.exists(key) -> bool;           await storage.delete(key)

Keys are relative paths of safe segments ([A-Za-z0-9._-], no "." or ".." segment, no leading
"/"): a key can never name a file outside the store, whichever backend. Blocking work (disk,
boto3) runs in a thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import re
from functools import cache
from typing import Protocol

from gpcloud.core.errors import DomainError
from gpcloud.settings import Settings, get_settings

MAX_KEY_LENGTH = 512
SEGMENT = re.compile(r"[A-Za-z0-9._-]{1,128}")


class Backend(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...


def check_key(key: str) -> str:
    segments = key.split("/") if isinstance(key, str) else []
    if (
        not segments
        or len(key) > MAX_KEY_LENGTH
        or any(not SEGMENT.fullmatch(s) or s in {".", ".."} for s in segments)
    ):
        raise DomainError(
            "STORAGE_KEY_INVALID",
            f"not a storage key: {key!r} (relative path of [A-Za-z0-9._-] segments, no '..')",
        )
    return key


def backend_for(settings: Settings) -> Backend:
    url = settings.storage_url or ""
    if url.startswith("s3://"):
        from gpcloud.core.storage.s3 import S3Backend

        return S3Backend.from_settings(settings)
    from gpcloud.core.storage.files import FileBackend

    if not url:
        return FileBackend(settings.var / "storage")
    if url.startswith("file://"):
        from pathlib import Path

        return FileBackend(Path(url.removeprefix("file://")))
    raise ValueError(
        f"GPCLOUD_STORAGE_URL must be empty, file:///path or s3://bucket/prefix: {url!r}"
    )


@cache
def _backend(settings: Settings) -> Backend:
    return backend_for(settings)


def backend() -> Backend:
    return _backend(get_settings())


async def put(key: str, data: bytes) -> None:
    """Write (or replace) the whole object; a reader sees the old bytes or the new, never half."""
    await asyncio.to_thread(backend().put, check_key(key), bytes(data))


async def get(key: str) -> bytes:
    data = await asyncio.to_thread(backend().get, check_key(key))
    if data is None:
        raise DomainError("STORAGE_NOT_FOUND", f"no stored file {key}")
    return data


async def exists(key: str) -> bool:
    return await asyncio.to_thread(backend().exists, check_key(key))


async def delete(key: str) -> None:
    """Remove the object; removing one that is not there is not an error."""
    await asyncio.to_thread(backend().delete, check_key(key))
