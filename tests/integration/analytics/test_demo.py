"""The served demo shows Meizhou's and Xingning's dashboards populated, with red flags raised
by its deliberately flawed processes (issue 19, done when)."""

from gpcloud.analytics import demo as analytics_demo
from gpcloud.demo import seed_for_serve
from tests.support import data, gql, login

INDICATORS = """
query($f: IndicatorFilter!) { indicators(filter: $f) { id value } }
"""
FLAGS = "{ redFlags(first: 50) { edges { node { code region explanation } } } }"
NOT_FROM_DEMO = {"credit_records", "flagged_listings", "emall_price_index"}


async def test_the_demo_populates_both_dashboards_and_raises_flags(client):
    await seed_for_serve()
    await analytics_demo.seed()  # once: a second call adds nothing
    from gpcloud.core.clock import today

    for user, region in (("mz.supervisor", "441400"), ("xn.supervisor", "441481")):
        token = await login(client, user)
        f = {"f": {"region": region, "year": today().year}}
        values = {
            i["id"]: i["value"]
            for i in data(await gql(client, INDICATORS, f, token=token))["indicators"]
        }
        empty = [
            k for k, v in values.items() if v in (None, "0", "0.00") and k not in NOT_FROM_DEMO
        ]
        if region == "441481":
            empty = [k for k in empty if k != "red_flags"]  # the flawed ones are Meizhou's
        assert empty == [], empty
    token = await login(client, "mz.supervisor")
    flags = data(await gql(client, FLAGS, token=token))["redFlags"]["edges"]
    assert len({e["node"]["code"] for e in flags}) >= 3
