"""Live reference prices (gpcloud_reference_prices): a market feed plugin, approved for the
province through the real plugin registry and approval path, gives monitoring a reference
price beside the median and the history; a failing feed does not stop monitoring."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest

from gpcloud.core.errors import DomainError
from gpcloud.core.plugins import service as plugin_requests
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.service import orders, prices
from gpcloud.registries.goods.service import mall as goods
from tests.integration.emall.world import emall_world, listing
from tests.integration.procurement import actor
from tests.plugins.exercise import exercised
from tests.plugins.test_approvals import approved, file
from tests.support import login

FEED = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "market_feed", "description": "a market price feed for the tests"}
CALLS = []
PRICES = {}
FAIL = False


@hookimpl
def gpcloud_reference_prices(tenant, items):
    CALLS.append((tenant.region_code, sorted(i["code"] for i in items)))
    if FAIL:
        raise RuntimeError("feed unreachable")
    return {**PRICES, "NO-SUCH-ITEM": "1.00"}
"""


@pytest.fixture
async def world(demo):
    return await emall_world()


async def _approve_for_province(client) -> None:
    filed = await file(client, await login(client, "gd.admin"), "market_feed", tenant="440000")
    assert filed["errors"] == [], filed["errors"]
    second = replace(await actor("gd.admin"), id=-1, username="gd.admin2")
    with use_scope((await tenant_tree()).scope_for("440000")):
        await plugin_requests.approve(second, int(filed["request"]["id"]))


async def test_an_approved_feed_flags_a_listing_above_its_reference(client, world, install_plugin):
    w = world
    install_plugin("market_feed", FEED, version="1.0.0")
    feed = sys.modules["gpcloud_market_feed"]
    dear = await listing(w["xn"], "华岭", "100.00", 50)
    code = (await goods.offers([dear]))[dear]["item_code"]
    feed.PRICES.update({code: "80.00", "GD-BAD": "-3"})
    with all_tenants("test"):
        assert await prices.check([dear]) == []  # not approved: never asked
    # Approved for Xingning only: the province's monitoring does not run a county's plugin.
    await approved(client, "market_feed", tenant="441481")
    with all_tenants("test"):
        assert await prices.check([dear]) == []
    assert feed.CALLS == []

    await _approve_for_province(client)
    other = await listing(w["mz"], "嘉应", "100.00", 50)
    with exercised("gpcloud_reference_prices"), all_tenants("test"):
        raised = await prices.check([dear, other])
    assert feed.CALLS == [
        ("440000", sorted([code, (await goods.offers([other]))[other]["item_code"]]))
    ]
    assert [(a["listing"], a["basis"], a["basis_fen"]) for a in raised] == [
        (dear, "reference", 8_000)
    ]
    assert "实时参考价（来源：market_feed）" in raised[0]["reason"]
    with use_scope(w["scope"]), pytest.raises(DomainError) as exc:
        await orders.place(w["purchaser"], orders.OrderInput(dear, 1, w["plan"], w["indicator"]))
    assert exc.value.code == "PRICE_UNDER_REVIEW"
    with all_tenants("test"):
        assert await prices.check([dear]) == []  # raised once per price and basis


async def test_a_failing_feed_is_reported_and_monitoring_goes_on(client, world, install_plugin):
    w = world
    install_plugin("market_feed", FEED, version="1.0.0")
    await _approve_for_province(client)
    feed = sys.modules["gpcloud_market_feed"]
    feed.FAIL = True
    fair = await listing(w["mz"], "华岭", "100.00", 50)
    item = (await goods.offers([fair]))[fair]["goods_item"]
    dear = await listing(w["xn"], "华岭", "200.00", 50, item_id=item)
    failures: list = []
    with exercised("gpcloud_reference_prices"), all_tenants("test"):
        raised = await prices.check([fair, dear], failures)
    assert [(a["listing"], a["basis"]) for a in raised] == [(dear, "median")]
    assert [(f.plugin, f.hook) for f in failures] == [("market_feed", "gpcloud_reference_prices")]
    assert "feed unreachable" in failures[0].error
