"""Fixtures of the supplier registry tests: demo suppliers, and registration counters that
start at zero in every test (the harness keeps Redis keys for the whole session)."""

import pytest

from gpcloud.core.redis import get_redis, key


@pytest.fixture(autouse=True)
async def fresh_registration_counters():
    redis = get_redis()
    keys = [k async for k in redis.scan_iter(key("supplier-register", "*"))]
    if keys:
        await redis.delete(*keys)
    yield


@pytest.fixture
async def suppliers(demo):
    """The demo accounts and the demo suppliers."""
    from gpcloud.registries.suppliers.demo import seed

    await seed()
    return demo
