from gpcloud.analytics.service import indicators
from gpcloud.analytics.service.indicators import Filters
from gpcloud.analytics.tables import RedFlag
from gpcloud.core.tenancy.scope import all_tenants
from tests.integration.analytics.world import MEIZHOU, generated, publish_all


async def test_smoke():
    truth = await generated()
    await publish_all()
    with all_tenants("smoke"):
        for v in await indicators.dashboard(None, Filters(MEIZHOU, 2026)):
            print(v.indicator.id, v.value, v.breakdown)
        print(await indicators.series(None, "spend", "region", Filters(MEIZHOU, 2026)))
        print(await indicators.series(None, "hhi", "category", Filters(MEIZHOU, 2026)))
        print([(r["code"], r["value"]) for r in await RedFlag.select()])
    print(truth)
    assert 0
