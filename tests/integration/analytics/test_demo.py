"""The served demo shows Meizhou's and Xingning's dashboards populated, with red flags raised
by its deliberately flawed processes (issue 19, done when)."""

from gpcloud.analytics import demo as analytics_demo
from gpcloud.analytics.catalogue import BY_ID
from gpcloud.analytics.tables import Rollup
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.credit.tables import CreditRecord
from gpcloud.demo import seed_for_serve
from gpcloud.emall.tables import PriceAlert
from gpcloud.registries.goods.tables import SupplierListing
from tests.support import data, gql, login

INDICATORS = """
query($f: IndicatorFilter!) { indicators(filter: $f) { id value } }
"""
FLAGS = "{ redFlags(first: 50) { edges { node { code region explanation } } } }"


async def _counts() -> tuple[int, ...]:
    with all_tenants("test: the demo's rows"):
        return (
            await CreditRecord.count(),
            await PriceAlert.count(),
            await SupplierListing.count(),
            await Rollup.count(),
        )


async def test_the_demo_populates_both_dashboards_and_raises_flags(client):
    await seed_for_serve()
    made = await _counts()
    await seed_for_serve()  # once: a second call adds nothing
    await analytics_demo.seed()
    assert await _counts() == made
    from gpcloud.core.clock import today

    for user, region in (("mz.supervisor", "441400"), ("xn.supervisor", "441481")):
        token = await login(client, user)
        f = {"f": {"region": region, "year": today().year}}
        values = {
            i["id"]: i["value"]
            for i in data(await gql(client, INDICATORS, f, token=token))["indicators"]
        }
        assert set(values) == set(BY_ID)  # every indicator of the catalogue
        empty = [k for k, v in values.items() if v in (None, "0", "0.00")]
        assert empty == [], (region, empty)
        flags = data(await gql(client, FLAGS, token=token))["redFlags"]["edges"]
        own = {e["node"]["code"] for e in flags if e["node"]["region"] == region}
        assert len(own) >= 3, (region, own)
