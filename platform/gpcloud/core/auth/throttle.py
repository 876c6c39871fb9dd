"""Failed-login throttling in Redis, shared by every app process.

Counts failures per login name and per client address; each counter expires
`login_window_minutes` after its first failure. While either is at its limit every
attempt is refused, with the right password too, so guessing cannot continue.
"""

from __future__ import annotations

from gpcloud.core.redis import get_redis, key
from gpcloud.settings import get_settings

ADDRESS_FACTOR = 10


def _keys(username: str, address: str) -> tuple[str, str]:
    return key("login-fail", "user", username.lower()), key("login-fail", "addr", address)


async def is_locked(username: str, address: str) -> bool:
    settings = get_settings()
    user_key, addr_key = _keys(username, address)
    user_count, addr_count = await get_redis().mget(user_key, addr_key)
    return (
        int(user_count or 0) >= settings.login_max_failures
        or int(addr_count or 0) >= settings.login_max_failures * ADDRESS_FACTOR
    )


async def record_failure(username: str, address: str) -> None:
    window = get_settings().login_window_minutes * 60
    async with get_redis().pipeline(transaction=True) as pipe:
        for name in _keys(username, address):
            # SET NX EX starts the window; INCR keeps the expiry (works on Redis 6 too).
            pipe.set(name, 0, ex=window, nx=True)
            pipe.incr(name)
        await pipe.execute()


async def clear_failures(username: str) -> None:
    await get_redis().delete(_keys(username, "")[0])
