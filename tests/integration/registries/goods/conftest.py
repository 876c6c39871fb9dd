"""Fixtures of the goods registry tests: the shipped catalogue, and the whole goods demo."""

import pytest

from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree


@pytest.fixture
async def catalogue():
    from gpcloud.registries.goods.demo import load_catalogue

    with use_scope((await tenant_tree()).scope_for("440000")):
        await load_catalogue()


@pytest.fixture
async def goods(demo):
    """Core demo accounts, the catalogue, ~20 goods and the two demo suppliers' listings."""
    from gpcloud.registries.goods.demo import seed

    await seed()
