"""Goods items: the province keeps them, everyone reads them, their reference price caps listings."""

from decimal import Decimal

import pytest

from gpcloud.registries.goods.tables import GoodsItem, SupplierListing
from tests.integration.registries.goods.helpers import (
    CATEGORY_STATUS,
    CREATE_ITEM,
    ITEM_STATUS,
    UPDATE_ITEM,
    XN_SUPPLIER,
    audit_entries,
    fields,
    item_id,
    listing_id,
    mutate,
)
from tests.support import error_codes, gql, login

DESKTOP = {
    "categoryCode": "A02010104",
    "name": "台式计算机（示例型）",
    "brand": "示例品牌",
    "model": "SL-100",
    "unit": "台",
    "referencePrice": "4999.5",
    "specs": {"CPU": "8核", "内存": "16GB"},
}


async def create(client, token, **overrides):
    return await mutate(client, token, CREATE_ITEM, input={**DESKTOP, **overrides})


async def test_a_provincial_admin_registers_goods_with_a_generated_code(client, demo, catalogue):
    token = await login(client, "gd.admin")
    first = await create(client, token)
    assert first["errors"] == []
    item = first["goodsItem"]
    assert item["code"] == "GD-A02010104-000001"
    assert item["referencePrice"] == "4999.50"
    assert item["specs"] == {"CPU": "8核", "内存": "16GB"}
    assert item["category"] == {"code": "A02010104", "name": "台式计算机"}
    assert item["greenLabel"] == ""  # marked by the goods import only
    second = await create(client, token, specs=None, brand=None)
    assert second["goodsItem"]["code"] == "GD-A02010104-000002"
    assert second["goodsItem"]["specs"] == {} and second["goodsItem"]["brand"] == ""
    own = await create(client, token, code="gd-custom-01")
    assert own["goodsItem"]["code"] == "GD-CUSTOM-01"
    row = (
        await GoodsItem.select(GoodsItem.reference_price)
        .where(GoodsItem.code == "GD-CUSTOM-01")
        .first()
    )
    assert str(row["reference_price"]).startswith("4999.5")
    entries = await audit_entries()
    assert [(e["action"], e["object_type"], e["tenant_id"]) for e in entries] == [
        ("goods.create_item", "goods_item", "440000")
    ] * 3


@pytest.mark.parametrize(
    "overrides,expected",
    [
        ({"categoryCode": "A02019999"}, ("categoryCode", "UNKNOWN_CATEGORY")),
        ({"categoryCode": "not a code"}, ("categoryCode", "UNKNOWN_CATEGORY")),
        ({"categoryCode": "A"}, ("categoryCode", "CATEGORY_TOO_GENERAL")),
        ({"categoryCode": ""}, ("categoryCode", "REQUIRED")),
        ({"referencePrice": "0"}, ("referencePrice", "INVALID_PRICE")),
        ({"referencePrice": "-10"}, ("referencePrice", "INVALID_PRICE")),
        ({"referencePrice": "10.005"}, ("referencePrice", "INVALID_PRICE")),
        ({"referencePrice": "1e20"}, ("referencePrice", "INVALID_PRICE")),
        ({"referencePrice": "1E+999999"}, ("referencePrice", "INVALID_PRICE")),
        ({"referencePrice": "NaN"}, ("referencePrice", "INVALID_PRICE")),
        ({"referencePrice": "Infinity"}, ("referencePrice", "INVALID_PRICE")),
        ({"name": " "}, ("name", "INVALID_NAME")),
        ({"name": "机" * 100_000}, ("name", "INVALID_NAME")),
        ({"brand": "牌" * 65}, ("brand", "INVALID_BRAND")),
        ({"model": "M" * 65}, ("model", "INVALID_MODEL")),
        ({"unit": ""}, ("unit", "INVALID_UNIT")),
        ({"unit": "台台台台台台台台台"}, ("unit", "INVALID_UNIT")),
        ({"specs": ["CPU", "8核"]}, ("specs", "INVALID_SPECS")),
        ({"specs": {"CPU": {"核": 8}}}, ("specs", "INVALID_SPECS")),
        ({"specs": {"CPU": 8}}, ("specs", "INVALID_SPECS")),
        ({"specs": {"": "x"}}, ("specs", "INVALID_SPECS")),
        ({"specs": {f"k{i}": "v" for i in range(51)}}, ("specs", "INVALID_SPECS")),
        ({"specs": {"说明": "长" * 201}}, ("specs", "INVALID_SPECS")),
        ({"specs": {f"参数{i}": "值" * 100 for i in range(50)}}, ("specs", "INVALID_SPECS")),
        ({"code": "GD A02"}, ("code", "INVALID_CODE")),
        ({"code": "X" * 41}, ("code", "INVALID_CODE")),
    ],
)
async def test_bad_goods_are_refused(client, demo, catalogue, overrides, expected):
    token = await login(client, "gd.admin")
    payload = await create(client, token, **overrides)
    assert payload["goodsItem"] is None
    assert expected in fields(payload)
    assert await GoodsItem.count() == 0


async def test_duplicate_codes_are_refused(client, demo, catalogue):
    token = await login(client, "gd.admin")
    assert (await create(client, token, code="GD-A02010104-000777"))["errors"] == []
    again = await create(client, token, code="gd-a02010104-000777", name="另一台")
    assert fields(again) == [("code", "DUPLICATE_CODE")]
    assert await GoodsItem.count() == 1


async def test_only_provincial_admins_write_goods_and_every_account_reads_them(client, goods):
    desktop = await item_id("GD-A02010104-000001")
    for username in ("mz.admin", "xn.supplier", "xn.purchaser", "mz.supervisor"):
        token = await login(client, username)
        assert error_codes(await gql(client, CREATE_ITEM, {"input": DESKTOP}, token)) == [
            "FORBIDDEN"
        ], username
        update = await gql(client, UPDATE_ITEM, {"id": desktop, "input": {"name": "改名"}}, token)
        assert error_codes(update) == ["FORBIDDEN"]
        read = await gql(
            client,
            "query($id: ID!) { goodsItem(id: $id) { code unit greenLabel } }",
            {"id": desktop},
            token,
        )
        assert read["data"]["goodsItem"] == {
            "code": "GD-A02010104-000001",
            "unit": "台",
            "greenLabel": "both",  # the demo's mark (goods demo GREEN)
        }
    missing = await gql(
        client, '{ goodsItem(id: "999999") { code } }', token=await login(client, "xn.expert")
    )
    assert missing["data"]["goodsItem"] is None
    assert (
        await GoodsItem.select(GoodsItem.name)
        .where(GoodsItem.code == "GD-A02010104-000001")
        .first()
    )["name"] == "台式计算机（信创办公型）"


async def test_updates_keep_what_is_left_out_and_the_code_never_changes(client, demo, catalogue):
    token = await login(client, "gd.admin")
    item = (await create(client, token))["goodsItem"]
    updated = await mutate(
        client,
        token,
        UPDATE_ITEM,
        id=item["id"],
        input={"model": "SL-200", "specs": {"内存": "32GB"}},
    )
    assert updated["errors"] == []
    assert (updated["goodsItem"]["model"], updated["goodsItem"]["brand"]) == ("SL-200", "示例品牌")
    assert updated["goodsItem"]["specs"] == {"内存": "32GB"}
    moved = await mutate(
        client, token, UPDATE_ITEM, id=item["id"], input={"categoryCode": "A02010105"}
    )
    assert moved["goodsItem"]["categoryCode"] == "A02010105"
    bad = await mutate(
        client,
        token,
        UPDATE_ITEM,
        id=item["id"],
        input={"categoryCode": "C", "referencePrice": "0"},
    )
    assert set(fields(bad)) == {("referencePrice", "INVALID_PRICE")}
    root = await mutate(client, token, UPDATE_ITEM, id=item["id"], input={"categoryCode": "C"})
    assert fields(root) == [("categoryCode", "CATEGORY_TOO_GENERAL")]
    missing = await mutate(client, token, UPDATE_ITEM, id="424242", input={"name": "x"})
    assert fields(missing) == [(None, "NOT_FOUND")]
    actions = [e["action"] for e in await audit_entries()]
    assert actions == ["goods.create_item", "goods.update_item", "goods.update_item"]


async def test_lowering_the_reference_price_withdraws_the_listings_above_it(client, goods):
    token = await login(client, "gd.admin")
    printer = await item_id("GD-A0201060102-000001")  # listed at 1420 (Meizhou) and 1460 (Xingning)
    lowered = await mutate(client, token, UPDATE_ITEM, id=printer, input={"referencePrice": "1450"})
    assert lowered["goodsItem"]["referencePrice"] == "1450.00"
    rows = (
        await SupplierListing.select(SupplierListing.price, SupplierListing.status)
        .where(SupplierListing.goods_item == int(printer))
        .order_by(SupplierListing.price)
    )
    assert [(Decimal(str(r["price"])), r["status"]) for r in rows] == [
        (Decimal("1420"), "active"),
        (Decimal("1460"), "withdrawn"),
    ]
    withdrawn = [e for e in await audit_entries() if e["action"] == "goods.withdraw_listing"]
    assert [(e["object_id"], e["tenant_id"]) for e in withdrawn] == [
        (await listing_id(XN_SUPPLIER, "GD-A0201060102-000001"), "441481")
    ]
    assert "reference price lowered to 1450.00" in withdrawn[0]["detail"]


async def test_deactivating_an_item_withdraws_its_listings_and_frees_its_category(client, goods):
    token = await login(client, "gd.admin")
    chair = await item_id("GD-A060301-000001")
    blocked = await mutate(
        client, token, CATEGORY_STATUS, code="A060301", status="INACTIVE", reason="调整"
    )
    assert fields(blocked) == [("code", "CATEGORY_IN_USE")]
    no_reason = await mutate(client, token, ITEM_STATUS, id=chair, status="INACTIVE", reason="")
    assert fields(no_reason) == [("reason", "REASON_REQUIRED")]
    off = await mutate(client, token, ITEM_STATUS, id=chair, status="INACTIVE", reason="停产")
    assert off["goodsItem"]["status"] == "INACTIVE"
    statuses = await SupplierListing.select(SupplierListing.status).where(
        SupplierListing.goods_item == int(chair)
    )
    assert [r["status"] for r in statuses] == ["withdrawn"]
    twice = await mutate(client, token, ITEM_STATUS, id=chair, status="INACTIVE", reason="停产")
    assert fields(twice) == [("status", "WRONG_STATE")]
    freed = await mutate(
        client, token, CATEGORY_STATUS, code="A060301", status="INACTIVE", reason="调整"
    )
    assert freed["errors"] == []
    back = await mutate(client, token, ITEM_STATUS, id=chair, status="ACTIVE", reason="恢复供应")
    assert fields(back) == [("status", "CATEGORY_INACTIVE")]
    still_used = await mutate(
        client, token, CATEGORY_STATUS, code="A0603", status="INACTIVE", reason="调整"
    )
    assert fields(still_used) == [
        ("code", "CATEGORY_IN_USE")
    ]  # the conference chair is filed under A060302
    await mutate(client, token, CATEGORY_STATUS, code="A060301", status="ACTIVE", reason="恢复")
    back = await mutate(client, token, ITEM_STATUS, id=chair, status="ACTIVE", reason="恢复供应")
    assert back["goodsItem"]["status"] == "ACTIVE"
    statuses = await SupplierListing.select(SupplierListing.status).where(
        SupplierListing.goods_item == int(chair)
    )
    assert [r["status"] for r in statuses] == ["withdrawn"]  # the supplier offers it again, or not
    actions = [e["action"] for e in await audit_entries() if e["object_type"] == "goods_item"]
    assert actions[-2:] == ["goods.deactivate_item", "goods.reactivate_item"]
