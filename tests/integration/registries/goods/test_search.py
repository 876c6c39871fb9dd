"""Searching goods and listings: category branches, text, price ranges, regions, pages."""

import pytest

from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.goods.service import conditions, search
from tests.integration.registries.goods.helpers import (
    ITEMS,
    LISTING_STATUS,
    LISTINGS,
    MZ_SUPPLIER,
    UPDATE_LISTING,
    XN_SUPPLIER,
    item_id,
    listing_id,
    mutate,
    org_id,
)
from tests.support import error_codes, gql, login


async def codes(client, token, flt, first=100):
    result = await gql(client, ITEMS, {"filter": flt, "first": first}, token)
    assert "errors" not in result, result
    return sorted(e["node"]["code"] for e in result["data"]["goodsItems"]["edges"])


async def test_a_category_matches_itself_and_everything_below(client, goods):
    token = await login(client, "xn.purchaser")
    computers = await codes(client, token, {"category": "A020101"})
    assert computers == sorted(
        [
            "GD-A02010103-000001",
            "GD-A02010104-000001",
            "GD-A02010104-000002",
            "GD-A02010105-000001",
            "GD-A02010105-000002",
        ]
    )
    assert await codes(client, token, {"category": "a02010104"}) == [
        "GD-A02010104-000001",
        "GD-A02010104-000002",
    ]
    printers = await codes(client, token, {"category": "A020106"})
    assert printers == ["GD-A0201060102-000001", "GD-A0201060102-000002"]
    assert len(await codes(client, token, {"category": "A"})) == 22
    assert await codes(client, token, {"category": "C"}) == []
    assert await codes(client, token, {"category": "A0201060101"}) == []  # inkjet: none registered
    for bad in ("A99", "Z", "x" * 1000, "A02%"):
        result = await gql(client, ITEMS, {"filter": {"category": bad}}, token)
        assert error_codes(result) == ["UNKNOWN_CATEGORY"], bad


async def test_text_price_status_and_code_filters(client, goods):
    token = await login(client, "mz.expert")
    assert await codes(client, token, {"search": "空调"}) == [
        "GD-A0206180201-000001",
        "GD-A0206180202-000001",
    ]
    assert await codes(client, token, {"search": "hl-n"}) == [
        "GD-A02010105-000001"
    ]  # model, any case
    assert await codes(client, token, {"search": "梅岭"}) == sorted(
        ["GD-A060201-000001", "GD-A060301-000001", "GD-A060302-000001", "GD-A060501-000001"]
    )  # brand
    assert await codes(client, token, {"search": "%"}) == []  # typed text, not a wildcard
    assert await codes(client, token, {"minPrice": "30000"}) == sorted(
        ["GD-A020201-000002", "GD-A02010103-000001"]
    )
    assert await codes(client, token, {"maxPrice": "420", "category": "A06"}) == [
        "GD-A060302-000001"
    ]
    assert await codes(client, token, {"minPrice": "1500", "maxPrice": "1500"}) == [
        "GD-A0201060102-000001"
    ]
    assert await codes(client, token, {"code": "gd-a080101-000001"}) == ["GD-A080101-000001"]
    assert await codes(client, token, {"status": "INACTIVE"}) == []
    for flt, code in (
        ({"minPrice": "-1"}, "INVALID_PRICE"),
        ({"maxPrice": "NaN"}, "INVALID_PRICE"),
        ({"search": "长" * 65}, "INVALID_SEARCH"),
    ):
        assert error_codes(await gql(client, ITEMS, {"filter": flt}, token)) == [code]
    assert error_codes(await gql(client, ITEMS, {"first": 101}, token)) == ["PAGE_SIZE_TOO_LARGE"]
    assert error_codes(await gql(client, ITEMS, {"after": "bogus"}, token)) == ["INVALID_CURSOR"]


async def test_goods_pages_follow_the_cursor(client, goods):
    token = await login(client, "xn.agency")
    seen, after, pages = [], None, 0
    while True:
        result = await gql(
            client, ITEMS, {"filter": {"category": "A02"}, "first": 4, "after": after}, token
        )
        page = result["data"]["goodsItems"]
        seen += [e["node"]["code"] for e in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 16 and pages == 4
    assert sorted(seen) == await codes(client, token, {"category": "A02"})


async def listed(client, token, flt, first=100):
    result = await gql(client, LISTINGS, {"filter": flt, "first": first}, token)
    assert "errors" not in result, result
    return sorted(
        (e["node"]["organisation"]["name"][:2], e["node"]["goodsItem"]["code"])
        for e in result["data"]["supplierListings"]["edges"]
    )


async def test_a_region_sees_listings_for_it_and_for_its_city_and_province(client, goods):
    token = await login(client, "xn.purchaser")
    admin = await login(client, "gd.admin")
    desk = await listing_id(MZ_SUPPLIER, "GD-A060201-000001")
    await mutate(client, admin, UPDATE_LISTING, id=desk, input={"regions": ["440000"]})
    xingning = await listed(client, token, {"region": "441481"})
    assert len(xingning) == 18  # Meizhou's city-wide listings reach its counties
    assert [k for k in xingning if k[0] == "兴宁"] == [
        ("兴宁", c)
        for c in sorted(
            [
                "GD-A02010104-000001",
                "GD-A02010104-000002",
                "GD-A02010105-000001",
                "GD-A02010202-000001",
                "GD-A0201060102-000001",
                "GD-A0206180201-000001",
                "GD-A0206180202-000001",
            ]
        )
    ]
    meizhou = await listed(client, token, {"region": "441400"})
    assert {k[0] for k in meizhou} == {"梅州"} and len(
        meizhou
    ) == 11  # Xingning's own do not serve the city
    wuhua = await listed(client, token, {"region": "441424"})
    assert {k[0] for k in wuhua} == {"梅州"} and len(wuhua) == 11
    guangzhou = await listed(client, token, {"region": "440100"})
    assert guangzhou == [("梅州", "GD-A060201-000001")]  # the province-wide one only
    assert error_codes(await gql(client, LISTINGS, {"filter": {"region": "999999"}}, token)) == [
        "UNKNOWN_REGION"
    ]


async def test_listings_by_item_supplier_price_and_status(client, goods):
    token = await login(client, "mz.purchaser")
    printer = await item_id("GD-A0201060102-000001")
    assert await listed(client, token, {"goodsItemId": printer}) == [
        ("兴宁", "GD-A0201060102-000001"),
        ("梅州", "GD-A0201060102-000001"),
    ]
    cheap = await listed(client, token, {"goodsItemId": printer, "maxPrice": "1450"})
    assert cheap == [("梅州", "GD-A0201060102-000001")]
    xn = await listed(client, token, {"organisationId": await org_id(XN_SUPPLIER)})
    assert len(xn) == 7 and {k[0] for k in xn} == {"兴宁"}
    assert len(await listed(client, token, {"minPrice": "10000"})) == 2
    supplier = await login(client, "xn.supplier")
    own = await listing_id(XN_SUPPLIER, "GD-A02010105-000001")
    await mutate(client, supplier, LISTING_STATUS, id=own, status="WITHDRAWN")
    assert await listed(client, token, {"status": "WITHDRAWN"}) == [("兴宁", "GD-A02010105-000001")]
    assert len(await listed(client, token, {"status": "ACTIVE"})) == 17
    for flt in ({"goodsItemId": "abc"}, {"organisationId": "-4"}):
        assert error_codes(await gql(client, LISTINGS, {"filter": flt}, token)) == ["NOT_FOUND"]
    assert error_codes(await gql(client, LISTINGS, {"filter": {"minPrice": "-0.01"}}, token)) == [
        "INVALID_PRICE"
    ]
    anonymous = await gql(client, LISTINGS, {})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


async def test_listing_pages_and_related_objects(client, goods):
    token = await login(client, "xn.expert")
    seen, after = [], None
    while True:
        page = (await gql(client, LISTINGS, {"first": 5, "after": after}, token))["data"][
            "supplierListings"
        ]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 18
    deep = await gql(
        client,
        "{ supplierListings(first: 100) { edges { node { organisation { name region { regionCode } } "
        "goodsItem { code category { code ancestors { code } } } regions { name } } } } }",
        token=token,
    )
    nodes = [e["node"] for e in deep["data"]["supplierListings"]["edges"]]
    assert {n["organisation"]["region"]["regionCode"] for n in nodes} == {"441400", "441481"}
    assert all(n["goodsItem"]["category"]["ancestors"][0]["code"] == "A" for n in nodes)


@pytest.mark.parametrize("region,expected", [("441481", 18), ("441400", 11), ("440000", 0)])
async def test_the_service_search_matches_the_api(goods, region, expected):
    with use_scope((await tenant_tree()).scope_for("441481")):
        page = await search.search_listings(search.ListingFilter(region=region), 100, None)
    assert len(page.rows) == expected


@pytest.mark.parametrize("dense", [0, 5000], ids=["probe-each-listing", "read-the-region-index"])
async def test_both_region_query_shapes_agree(client, goods, monkeypatch, dense):
    """Dense regions are probed per listing (EXISTS), sparse ones read from the index (IN)."""
    monkeypatch.setattr(conditions, "DENSE_REGION", dense)
    token = await login(client, "xn.purchaser")
    assert len(await listed(client, token, {"region": "441481"})) == 18
    assert len(await listed(client, token, {"region": "441424"})) == 11
    printer = await item_id("GD-A0201060102-000001")
    assert await listed(client, token, {"region": "441424", "goodsItemId": printer}) == [
        ("梅州", "GD-A0201060102-000001")
    ]
    xn = await org_id(XN_SUPPLIER)
    assert len(await listed(client, token, {"region": "441481", "organisationId": xn})) == 7
    assert await listed(client, token, {"region": "441400", "organisationId": xn}) == []
