"""Which notices a search ranks (the newest SEARCH_WINDOW matches), whichever way they are found:
reading the newest notices in date order, or through the full-text index when those hold too
few. And the city every notice carries, which the region lists filter on."""

from datetime import date, timedelta

import pytest

from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.portal import service
from gpcloud.portal.tables import Notice

START = date(2024, 3, 1)


async def publish(n: int, title: str, tenant: str = "441481", day: int = 0) -> int:
    async with transaction():
        return await service.publish(
            service.Publication(
                kind="notice",
                source=f"test:{n}",
                tenant=tenant,
                title=title,
                body="详见附件。",
                published_on=START + timedelta(days=day),
            )
        )


@pytest.fixture
def small_window(monkeypatch):
    monkeypatch.setattr(service, "SEARCH_SAMPLE", 4)
    monkeypatch.setattr(service, "SEARCH_SCAN", 10)
    monkeypatch.setattr(service, "SEARCH_WINDOW", 5)


async def search(text: str, region: str | None = None) -> list[int]:
    found = await service.find(service.NoticeFilter(search=text, region=region), 20, None)
    return [r["id"] for r in found.rows]


async def test_common_words_rank_the_newest_matches(small_window):
    ids = [await publish(n, f"兴宁市第{n}批办公家具采购", day=n) for n in range(30)]
    found = await search("办公家具")
    assert sorted(found) == sorted(ids[-5:])  # the window: the five newest of 30 matches


async def test_words_in_some_notices_rank_the_newest_of_them(small_window):
    ids = [
        await publish(n, f"兴宁市第{n}批{'消防车' if n % 3 == 0 else '办公家具'}采购", day=n)
        for n in range(30)
    ]
    assert sorted(await search("消防车")) == sorted(ids[::3][-5:])


async def test_words_missing_from_the_newest_notices_are_found_through_the_index(small_window):
    old = await publish(0, "兴宁市消防车采购", day=0)
    for n in range(1, 30):
        await publish(n, f"兴宁市第{n}批办公家具采购", day=n)
    assert await search("消防车") == [old]
    assert await search("消防车", region="441400") == [old]
    assert await search("消防车", region="440100") == []


async def test_every_notice_carries_its_city():
    tree = await tenant_tree()
    assert [tree.city_of(c) for c in ("440000", "441400", "441481")] == [
        "440000",
        "441400",
        "441400",
    ]
    county = await publish(1, "兴宁市办公家具采购", tenant="441481")
    city = await publish(2, "梅州市办公家具采购", tenant="441400")
    with all_tenants("test: read the notices"):
        rows = await Notice.select(Notice.id, Notice.city_code).order_by(Notice.id)
    assert [(r["id"], r["city_code"]) for r in rows] == [(county, "441400"), (city, "441400")]
    meizhou = await service.find(service.NoticeFilter(region="441400"), 20, None)
    xingning = await service.find(service.NoticeFilter(region="441481"), 20, None)
    assert {r["id"] for r in meizhou.rows} == {county, city}
    assert [r["id"] for r in xingning.rows] == [county]
