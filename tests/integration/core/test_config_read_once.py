"""read_once: within it each tenant's effective config is read from the database once, and an
edit made within is seen by every read after it."""

from __future__ import annotations

from gpcloud.core.db import transaction
from gpcloud.core.tenancy.config import effective_config, read_once
from gpcloud.core.tenancy.config_admin import edit_config
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from tests.integration.procurement import actor
from tests.statements import recording


def action(config) -> str:
    return config.values["emall"]["splitting_action"]


async def test_a_tenant_is_read_once(demo, monkeypatch):
    await tenant_tree()  # kept for its time (service.TREE_TTL_SECONDS)
    meizhou = await effective_config("441400")
    with recording(monkeypatch) as outside:
        await effective_config("441481")
        await effective_config("441481")
    with recording(monkeypatch) as within, read_once():
        with read_once():  # nested: joins
            await effective_config("441481")
        await effective_config("441481")
        above = await effective_config("441400")  # read with Xingning, its county
    assert within.n * 2 == outside.n
    assert (above.values, above.sources, above.own) == (
        meizhou.values,
        meizhou.sources,
        meizhou.own,
    )
    with recording(monkeypatch) as after:
        await effective_config("441481")
    assert after.n * 2 == outside.n  # forgotten once the outermost ends


async def test_an_edit_within_is_seen(demo):
    with use_scope((await tenant_tree()).scope_for("441481")), read_once():
        async with transaction():
            assert action(await effective_config("441481")) == "warn"
            await edit_config(
                await actor("xn.admin"), "441481", [("emall.splitting_action", "block")], "测试"
            )
            assert action(await effective_config("441481")) == "block"
