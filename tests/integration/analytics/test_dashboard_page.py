"""The public summary page: figures in tables beside the charts, the chart library served by
the app, a policy that lets only the app's own scripts run."""

from gpcloud.piccolo_conf import DB
from tests.integration.analytics.world import MEIZHOU, PINGYUAN, XINGNING, generated, publish_all


async def test_the_public_summary_page(client):
    await generated(per_tenant=6)
    await publish_all()
    page = await client.get(f"/analytics?region={MEIZHOU}&year=2026")
    assert page.status_code == 200
    html = page.text
    assert "梅州市 2026年政府采购公开统计" in html
    assert "采购金额" in html and "中小企业份额" in html
    assert "风险提示数" not in html  # not a public indicator
    assert html.count("<canvas") == 6 and html.count("<table") == 7
    assert 'src="/analytics/static/vendor/chart-4.5.0.umd.min.js"' in html
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    library = await client.get("/analytics/static/vendor/chart-4.5.0.umd.min.js")
    assert library.status_code == 200 and len(library.content) > 100_000
    assert (await client.get("/analytics/static/dashboard.js")).status_code == 200
    # Bad input: an unknown region or an absurd year is a 404 page, not a 500.
    assert (await client.get("/analytics?region=999999")).status_code == 404
    assert (await client.get("/analytics?year=1800")).status_code == 404
    # Other pages keep the strict policy.
    home = await client.get("/")
    assert "script-src" not in home.headers["content-security-policy"]


class _Statements:
    """Counts the SQL statements the app sends (piccolo's one entry point for queries)."""

    def __init__(self, monkeypatch):
        self.n = 0
        engine = type(DB)
        original = engine.run_querystring

        async def counted(this, *args, **kwargs):
            self.n += 1
            return await original(this, *args, **kwargs)

        monkeypatch.setattr(engine, "run_querystring", counted)


async def test_the_anonymous_page_costs_the_same_whatever_the_data(client, monkeypatch):
    """The public page reads rollups only: its statements do not grow with the processes, the
    regions with figures or the indicators' breakdowns."""
    await generated(per_tenant=3, flawed=0)
    await publish_all()
    url = f"/analytics?region={MEIZHOU}&year=2026"
    assert (await client.get(url)).status_code == 200  # caches warm (tenant tree)
    counter = _Statements(monkeypatch)
    assert (await client.get(url)).status_code == 200
    small = counter.n
    await generated(tenants=(MEIZHOU, XINGNING, PINGYUAN), per_tenant=20, flawed=7, seed=9)
    await publish_all(seed=4)
    counter.n = 0
    assert (await client.get(url)).status_code == 200
    assert counter.n == small, (small, counter.n)
    assert small <= 30
