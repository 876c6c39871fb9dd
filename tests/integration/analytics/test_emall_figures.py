"""The e-mall figures (flagged_listings, emall_price_index) count each price alert in its
supplier's region: a county its own suppliers', a city its subtree's, the province every one."""

from datetime import UTC, datetime
from decimal import Decimal

from gpcloud.analytics.service import indicators
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.tables import PriceAlert
from tests.integration.analytics.world import MEIZHOU, PINGYUAN, PROVINCE, XINGNING

WHEN = datetime(2026, 5, 1, 9, tzinfo=UTC)


async def _alert(name: str, region: str, price: int, basis: int, when=WHEN) -> None:
    org = Organisation(name=name, kind="supplier", region=region)
    await org.save()
    await PriceAlert(
        listing=org.id,
        goods_item=1,
        supplier_organisation=org.id,
        price_fen=price,
        basis="history",
        basis_fen=basis,
        tolerance_percent=20,
        reason="测试",
        created_at=when,
        raised_on=when.date(),
    ).save()


async def _figures(region: str, year: int = 2026) -> tuple:
    with use_scope((await tenant_tree()).scope_for(region)):
        dashboard = await indicators.dashboard(None, indicators.Filters(region, year))
    values = {v.indicator.id: v.value for v in dashboard}
    return values["flagged_listings"], values["emall_price_index"]


async def test_price_alerts_count_in_their_suppliers_region():
    await _alert("兴宁市测试电器有限公司", XINGNING, 12000, 10000)
    await _alert("平远县测试家具有限公司", PINGYUAN, 15000, 10000)
    await _alert("广州市测试科技有限公司", "440100", 13000, 10000)
    await _alert("兴宁市测试旧账有限公司", XINGNING, 99000, 10000, datetime(2025, 5, 1, tzinfo=UTC))
    assert await _figures(XINGNING) == (Decimal(1), Decimal("120.00"))
    assert await _figures(PINGYUAN) == (Decimal(1), Decimal("150.00"))
    assert await _figures(MEIZHOU) == (Decimal(2), Decimal("135.00"))
    assert await _figures(PROVINCE) == (Decimal(3), Decimal("133.33"))
    assert await _figures(MEIZHOU, 2024) == (Decimal(0), None)
