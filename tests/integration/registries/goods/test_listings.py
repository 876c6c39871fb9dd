"""Supplier listings: suppliers keep their own, provincial admins any; price, stock and regions."""

import asyncio
from decimal import Decimal

import pytest

from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.goods.graphql import SupplierListing as ListingType
from gpcloud.registries.goods.graphql import SupplierListingPayload
from gpcloud.registries.goods.service import listings
from gpcloud.registries.goods.tables import ListingRegion, SupplierListing
from tests.integration.registries.goods.helpers import (
    CREATE_LISTING,
    LISTING_STATUS,
    MZ_SUPPLIER,
    UPDATE_LISTING,
    XN_SUPPLIER,
    audit_entries,
    fields,
    item_id,
    listing_id,
    mutate,
    org_id,
)
from tests.support import error_codes, gql, login

LAPTOP = "GD-A02010105-000002"  # reference 7800, not listed by the demo suppliers


async def offer(client, token, code=LAPTOP, **overrides):
    values = {
        "goodsItemId": await item_id(code),
        "price": "7500",
        "stock": 10,
        "regions": ["441481"],
        **overrides,
    }
    return await mutate(client, token, CREATE_LISTING, input=values)


async def test_a_supplier_lists_for_their_own_organisation(client, goods):
    token = await login(client, "xn.supplier")
    made = await offer(client, token, regions=["441481", "441481", " 441424 "])
    assert made["errors"] == []
    listing = made["listing"]
    assert listing["organisation"] == {"name": XN_SUPPLIER}
    assert listing["goodsItem"] == {"code": LAPTOP}
    assert (listing["price"], listing["stock"], listing["status"]) == ("7500.00", 10, "ACTIVE")
    assert listing["regionCodes"] == ["441424", "441481"]
    assert listing["regions"] == [{"regionCode": "441424"}, {"regionCode": "441481"}]
    created = [e for e in await audit_entries() if e["action"] == "goods.create_listing"]
    assert (created[-1]["object_id"], created[-1]["tenant_id"]) == (listing["id"], "441481")


async def test_a_provincial_admin_lists_for_a_named_supplier(client, goods):
    token = await login(client, "gd.admin")
    needs_org = await offer(client, token)
    assert fields(needs_org) == [("organisationId", "REQUIRED")]
    made = await offer(client, token, organisationId=await org_id(MZ_SUPPLIER), regions=["441400"])
    assert made["listing"]["organisation"] == {"name": MZ_SUPPLIER}
    created = [e for e in await audit_entries() if e["action"] == "goods.create_listing"]
    assert created[-1]["tenant_id"] == "441400"


@pytest.mark.parametrize(
    "overrides,expected",
    [
        ({"price": "7800.01"}, ("price", "PRICE_ABOVE_REFERENCE")),
        ({"price": "0"}, ("price", "INVALID_PRICE")),
        ({"price": "-1"}, ("price", "INVALID_PRICE")),
        ({"price": "99.999"}, ("price", "INVALID_PRICE")),
        ({"price": "1e30"}, ("price", "INVALID_PRICE")),
        ({"stock": -1}, ("stock", "INVALID_STOCK")),
        ({"regions": []}, ("regions", "REGIONS_REQUIRED")),
        ({"regions": ["", " "]}, ("regions", "REGIONS_REQUIRED")),
        ({"regions": ["999999"]}, ("regions", "UNKNOWN_REGION")),
        ({"regions": ["441481", "44140"]}, ("regions", "UNKNOWN_REGION")),
        (
            {"regions": ["440300"]},
            ("regions", "REGION_NOT_ACTIVE"),
        ),  # Shenzhen is not on the platform
        ({"regions": [f"{n:06d}" for n in range(300)]}, ("regions", "TOO_MANY_REGIONS")),
        ({"regions": ["x" * 100_000]}, ("regions", "UNKNOWN_REGION")),
        ({"goodsItemId": "987654"}, ("goodsItemId", "NOT_FOUND")),
        ({"goodsItemId": "abc"}, ("goodsItemId", "NOT_FOUND")),
    ],
)
async def test_bad_listings_are_refused(client, goods, overrides, expected):
    token = await login(client, "xn.supplier")
    before = await SupplierListing.count()
    payload = await offer(client, token, **overrides)
    assert payload["listing"] is None
    assert expected in fields(payload)
    assert await SupplierListing.count() == before


async def test_listing_an_inactive_item_or_twice_is_refused(client, goods):
    admin = await login(client, "gd.admin")
    supplier = await login(client, "xn.supplier")
    again = await offer(client, supplier, code="GD-A02010104-000001", price="5000")
    assert fields(again) == [("goodsItemId", "DUPLICATE_LISTING")]
    from tests.integration.registries.goods.helpers import ITEM_STATUS

    await mutate(
        client, admin, ITEM_STATUS, id=await item_id(LAPTOP), status="INACTIVE", reason="停产"
    )
    inactive = await offer(client, supplier)
    assert fields(inactive) == [("goodsItemId", "GOODS_INACTIVE")]


async def test_only_suppliers_may_be_listed(client, goods):
    admin = await login(client, "gd.admin")
    purchaser = await offer(client, admin, organisationId=await org_id("梅州市教育局"))
    assert fields(purchaser) == [("organisationId", "NOT_A_SUPPLIER")]
    missing = await offer(client, admin, organisationId="424242")
    assert fields(missing) == [("organisationId", "NOT_FOUND")]


async def test_a_supplier_cannot_list_for_or_touch_another_supplier(client, goods):
    xn = await login(client, "xn.supplier")
    other = await offer(client, xn, organisationId=await org_id(MZ_SUPPLIER))
    assert fields(other) == [("organisationId", "NOT_FOUND")]
    theirs = await listing_id(MZ_SUPPLIER, "GD-A0201060102-000001")
    update = await mutate(client, xn, UPDATE_LISTING, id=theirs, input={"price": "1.00"})
    assert fields(update) == [(None, "NOT_FOUND")]
    withdraw = await mutate(client, xn, LISTING_STATUS, id=theirs, status="WITHDRAWN")
    assert fields(withdraw) == [(None, "NOT_FOUND")]
    row = (
        await SupplierListing.select(SupplierListing.price, SupplierListing.status)
        .where(SupplierListing.id == int(theirs))
        .first()
    )
    assert (float(row["price"]), row["status"]) == (1420.0, "active")
    readable = await gql(
        client, "query($id: ID!) { supplierListing(id: $id) { price } }", {"id": theirs}, xn
    )
    assert readable["data"]["supplierListing"] == {"price": "1420.00"}
    mine = await mutate(
        client,
        await login(client, "mz.supplier"),
        UPDATE_LISTING,
        id=theirs,
        input={"price": "1.00"},
    )
    assert mine["listing"]["price"] == "1.00"


async def test_other_roles_cannot_write_listings(client, goods):
    theirs = await listing_id(MZ_SUPPLIER, "GD-A0201060102-000001")
    for username in ("mz.admin", "mz.purchaser", "mz.agency", "mz.supervisor"):
        token = await login(client, username)
        created = await gql(
            client,
            CREATE_LISTING,
            {"input": {"goodsItemId": await item_id(LAPTOP), "price": "1", "regions": ["441400"]}},
            token,
        )
        assert error_codes(created) == ["FORBIDDEN"], username
        updated = await gql(client, UPDATE_LISTING, {"id": theirs, "input": {"stock": 0}}, token)
        assert error_codes(updated) == ["FORBIDDEN"], username
    with use_scope((await tenant_tree()).scope_for("441400")):
        from gpcloud.core.auth.service import CurrentUser

        clerk = CurrentUser(
            1, "x", "441400", 1, frozenset({"purchaser"}), False, (), frozenset({"441400"})
        )
        try:
            await listings.create_listing(clerk, listings.ListingInput(goods_item_id=1))
        except Exception as exc:
            assert getattr(exc, "code", None) == "FORBIDDEN"
        else:
            raise AssertionError("the service let a purchaser list goods")


async def test_updates_withdrawal_and_reactivation(client, goods):
    token = await login(client, "xn.supplier")
    own = await listing_id(XN_SUPPLIER, "GD-A02010104-000001")  # 5050 of reference 5200
    above = await mutate(client, token, UPDATE_LISTING, id=own, input={"price": "5200.01"})
    assert fields(above) == [("price", "PRICE_ABOVE_REFERENCE")]
    bad = await mutate(
        client, token, UPDATE_LISTING, id=own, input={"stock": -5, "regions": ["440300"]}
    )
    assert set(fields(bad)) == {("stock", "INVALID_STOCK"), ("regions", "REGION_NOT_ACTIVE")}
    fine = await mutate(
        client, token, UPDATE_LISTING, id=own, input={"price": "4999", "regions": ["441400"]}
    )
    assert (fine["listing"]["price"], fine["listing"]["stock"], fine["listing"]["regionCodes"]) == (
        "4999.00",
        25,
        ["441400"],
    )
    assert await ListingRegion.count().where(ListingRegion.listing == int(own)) == 1
    withdrawn = await mutate(
        client, token, LISTING_STATUS, id=own, status="WITHDRAWN", reason="暂停供货"
    )
    assert withdrawn["listing"]["status"] == "WITHDRAWN"
    twice = await mutate(client, token, LISTING_STATUS, id=own, status="WITHDRAWN")
    assert fields(twice) == [("status", "WRONG_STATE")]
    huge = await mutate(client, token, LISTING_STATUS, id=own, status="ACTIVE", reason="理" * 501)
    assert fields(huge) == [("reason", "INVALID_REASON")]
    back = await mutate(client, token, LISTING_STATUS, id=own, status="ACTIVE")
    assert back["listing"]["status"] == "ACTIVE"
    actions = [
        e["action"]
        for e in await audit_entries()
        if (e["object_type"], e["object_id"]) == ("goods_listing", own)
    ]
    assert actions == [
        "goods.create_listing",
        "goods.update_listing",
        "goods.withdraw_listing",
        "goods.reactivate_listing",
    ]


async def test_reactivation_is_checked_like_a_new_listing(client, goods):
    supplier, admin = await login(client, "xn.supplier"), await login(client, "gd.admin")
    own = await listing_id(XN_SUPPLIER, "GD-A02010104-000002")  # 4180 of reference 4300
    from tests.integration.registries.goods.helpers import ITEM_STATUS, UPDATE_ITEM

    item = await item_id("GD-A02010104-000002")
    await mutate(client, admin, ITEM_STATUS, id=item, status="INACTIVE", reason="停产")
    assert fields(await mutate(client, supplier, LISTING_STATUS, id=own, status="ACTIVE")) == [
        ("status", "GOODS_INACTIVE")
    ]
    await mutate(client, admin, ITEM_STATUS, id=item, status="ACTIVE", reason="恢复")
    await mutate(client, admin, UPDATE_ITEM, id=item, input={"referencePrice": "4000"})
    assert fields(await mutate(client, supplier, LISTING_STATUS, id=own, status="ACTIVE")) == [
        ("price", "PRICE_ABOVE_REFERENCE")
    ]
    await mutate(client, supplier, UPDATE_LISTING, id=own, input={"price": "3990"})
    assert (await mutate(client, supplier, LISTING_STATUS, id=own, status="ACTIVE"))["errors"] == []


async def test_concurrent_duplicates_make_one_listing(client, goods):
    """Two requests racing to list the same item: one listing, the other a clean user error."""
    token = await login(client, "xn.supplier")
    results = await asyncio.gather(*(offer(client, token) for _ in range(3)))
    assert sorted(len(r["errors"]) for r in results) == [0, 1, 1]
    assert {fields(r)[0] for r in results if r["errors"]} == {("goodsItemId", "DUPLICATE_LISTING")}
    assert (
        await SupplierListing.count().where(
            SupplierListing.goods_item == int(await item_id(LAPTOP))
        )
        == 1
    )


async def test_a_unique_violation_lost_to_a_racer_is_a_user_error(goods):
    """The existence check can pass for two writers; the unique index decides and is reported."""
    org, item = int(await org_id(XN_SUPPLIER)), int(await item_id("GD-A02010104-000001"))
    with use_scope((await tenant_tree()).scope_for("440000")):
        original = SupplierListing.exists

        class Blind:
            def where(self, *args):
                async def no():
                    return False

                return no()

        SupplierListing.exists = classmethod(lambda cls: Blind())
        try:

            async def work():
                row = await listings.create_listing(
                    None,
                    listings.ListingInput(
                        organisation_id=org,
                        goods_item_id=item,
                        price=Decimal("1"),
                        regions=["441481"],
                    ),
                )
                return SupplierListingPayload(listing=ListingType.of(row))

            payload = await run_mutation(SupplierListingPayload, work)
        finally:
            SupplierListing.exists = original
    assert [(e.field, e.code) for e in payload.errors] == [("goodsItemId", "DUPLICATE_LISTING")]


async def test_a_suspended_supplier_lists_nothing(client, demo):
    """The suppliers registry decides whether a supplier may trade."""
    from gpcloud.core.auth.tables import Organisation
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.registries.goods.service.listings import supplier_problem
    from gpcloud.registries.suppliers.tables import Supplier

    org = (
        await Organisation.select(Organisation.id)
        .where(Organisation.name == "兴宁市合水电子科技有限公司")
        .first()
    )
    assert await supplier_problem(org["id"]) is None
    with all_tenants("test: a suspended supplier record"):
        await Supplier(organisation=org["id"], status="suspended", size_class="small").save()
    problem = await supplier_problem(org["id"])
    assert problem is not None and problem.code == "SUPPLIER_NOT_USABLE"
