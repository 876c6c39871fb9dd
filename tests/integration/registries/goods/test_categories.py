"""The procurement catalogue: codes, tree, who keeps it, and deactivation rules."""

import pytest

from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.goods.service import category_ancestors, unknown_categories
from gpcloud.registries.goods.tables import Category
from tests.integration.registries.goods.helpers import (
    CATEGORY_STATUS,
    CREATE_CATEGORY,
    CREATE_ITEM,
    RENAME_CATEGORY,
    audit_entries,
    fields,
    mutate,
)
from tests.support import error_codes, gql, login


def test_ancestors_follow_the_code_structure():
    assert category_ancestors("A02010104") == ["A", "A02", "A0201", "A020101"]
    assert category_ancestors("a0201060102") == ["A", "A02", "A0201", "A020106", "A02010601"]
    assert category_ancestors("C0204") == ["C", "C02"]
    assert category_ancestors("B") == []
    assert category_ancestors("") == []


async def test_the_shipped_catalogue_is_a_consistent_tree(catalogue):
    rows = await Category.select()
    by_code = {r["code"]: r for r in rows}
    assert len(rows) >= 150
    assert {r["code"] for r in rows if r["parent"] is None} == {"A", "B", "C"}
    for row in rows:
        assert row["parent"] == (category_ancestors(row["code"]) or [None])[-1]
        assert row["level"] == len(category_ancestors(row["code"])) + 1
        assert row["kind"] == {"A": "goods", "B": "works", "C": "services"}[row["code"][0]]
    for code, name in (
        ("A02010104", "台式计算机"),
        ("A020201", "复印机"),
        ("B07", "装修工程"),
        ("C1204", "物业管理服务"),
        ("C0601", "会议服务"),
        ("C1403", "培训服务"),
    ):
        assert by_code[code]["name"] == name


async def test_unknown_categories_are_missing_or_inactive_codes(catalogue):
    with use_scope((await tenant_tree()).scope_for("440000")):
        assert await unknown_categories([]) == []
        assert await unknown_categories(["A02010104", "C0204", "C0204"]) == []
        assert await unknown_categories(["Z9", "A02010104", "A9999"]) == ["A9999", "Z9"]
        await Category.update({Category.status: "inactive"}).where(Category.code == "A02010106")
        assert await unknown_categories(["A02010106", "A02010105"]) == ["A02010106"]


async def test_a_provincial_admin_adds_renames_and_audits(client, demo, catalogue):
    token = await login(client, "gd.admin")
    made = await mutate(client, token, CREATE_CATEGORY, code=" a02010108 ", name="一体式计算机")
    assert made["errors"] == []
    assert made["category"] == {
        "code": "A02010108",
        "name": "一体式计算机",
        "level": 5,
        "kind": "GOODS",
        "status": "ACTIVE",
        "parentCode": "A020101",
    }
    renamed = await mutate(client, token, RENAME_CATEGORY, code="A02010108", name="台式一体机")
    assert renamed["category"]["name"] == "台式一体机"
    entries = await audit_entries()
    assert [(e["action"], e["object_id"], e["tenant_id"]) for e in entries] == [
        ("goods.create_category", "A02010108", "440000"),
        ("goods.rename_category", "A02010108", "440000"),
    ]


@pytest.mark.parametrize(
    "code,name,expected",
    [
        ("A0", "x", ("code", "INVALID_CODE")),
        ("D01", "x", ("code", "INVALID_CODE")),
        ("A02-01", "x", ("code", "INVALID_CODE")),
        ("A" + "01" * 8, "x", ("code", "INVALID_CODE")),
        ("A" * 10_000, "x", ("code", "INVALID_CODE")),
        ("A02010199", "", ("name", "INVALID_NAME")),
        ("A02010198", "名" * 129, ("name", "INVALID_NAME")),
        ("A02010104", "台式计算机", ("code", "DUPLICATE_CODE")),
        ("A990101", "无上级", ("code", "UNKNOWN_CATEGORY")),
    ],
)
async def test_bad_categories_are_refused(client, demo, catalogue, code, name, expected):
    token = await login(client, "gd.admin")
    before = await Category.count()
    payload = await mutate(client, token, CREATE_CATEGORY, code=code, name=name)
    assert payload["category"] is None
    assert expected in fields(payload)
    assert await Category.count() == before


async def test_only_provincial_admins_keep_the_catalogue_but_everyone_reads_it(
    client, demo, catalogue
):
    for username in ("mz.admin", "xn.admin", "xn.supplier", "xn.purchaser"):
        token = await login(client, username)
        result = await gql(
            client, CREATE_CATEGORY, {"code": "A02010108", "name": "一体机"}, token=token
        )
        assert error_codes(result) == ["FORBIDDEN"], username
        result = await gql(client, '{ goodsCategory(code: "A02010104") { name } }', token=token)
        assert result["data"]["goodsCategory"] == {"name": "台式计算机"}
    anonymous = await gql(client, '{ goodsCategory(code: "A02010104") { name } }')
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert not await Category.exists().where(Category.code == "A02010108")


async def test_browsing_the_tree(client, demo, catalogue):
    token = await login(client, "xn.expert")
    roots = await gql(client, "{ goodsCategories { code name kind } }", token=token)
    assert roots["data"]["goodsCategories"] == [
        {"code": "A", "name": "货物", "kind": "GOODS"},
        {"code": "B", "name": "工程", "kind": "WORKS"},
        {"code": "C", "name": "服务", "kind": "SERVICES"},
    ]
    children = await gql(client, '{ goodsCategories(parentCode: "A020101") { code } }', token=token)
    assert [c["code"] for c in children["data"]["goodsCategories"]][:4] == [
        "A02010101",
        "A02010102",
        "A02010103",
        "A02010104",
    ]
    found = await gql(client, '{ goodsCategories(search: "空调") { code } }', token=token)
    assert {c["code"] for c in found["data"]["goodsCategories"]} >= {
        "A02061802",
        "A0206180201",
        "C0504",
    }
    within = await gql(
        client, '{ goodsCategories(search: "空调", parentCode: "C") { code } }', token=token
    )
    assert [c["code"] for c in within["data"]["goodsCategories"]] == ["C0504"]
    for odd in ("%", "A02%", "x" * 5000):
        none = await gql(
            client,
            'query($p: String) { goodsCategories(parentCode: $p, search: "计算机") { code } }',
            {"p": odd},
            token,
        )
        assert none["data"]["goodsCategories"] == [], odd
    works = await gql(
        client, '{ goodsCategories(search: "工程", kind: WORKS) { kind } }', token=token
    )
    assert {c["kind"] for c in works["data"]["goodsCategories"]} == {"WORKS"}
    one = await gql(
        client,
        '{ goodsCategory(code: "a02010104") { code parent { code } ancestors { code name } children { code } } }',
        token=token,
    )
    assert one["data"]["goodsCategory"] == {
        "code": "A02010104",
        "parent": {"code": "A020101"},
        "ancestors": [
            {"code": "A", "name": "货物"},
            {"code": "A02", "name": "通用设备"},
            {"code": "A0201", "name": "计算机设备及软件"},
            {"code": "A020101", "name": "计算机设备"},
        ],
        "children": [],
    }
    assert (await gql(client, '{ goodsCategory(code: "A99") { code } }', token=token))["data"] == {
        "goodsCategory": None
    }
    huge = await gql(
        client,
        "query($s: String) { goodsCategories(search: $s) { code } }",
        {"s": "x" * 5000},
        token,
    )
    assert error_codes(huge) == ["INVALID_SEARCH"]


async def test_deactivating_takes_the_branch_and_is_refused_while_goods_use_it(
    client, demo, catalogue
):
    token = await login(client, "gd.admin")
    item = await mutate(
        client,
        token,
        CREATE_ITEM,
        input={
            "categoryCode": "A0201060102",
            "name": "A4黑白激光打印机",
            "unit": "台",
            "referencePrice": "1500.00",
        },
    )
    assert item["errors"] == []
    in_use = await mutate(
        client, token, CATEGORY_STATUS, code="A020106", status="INACTIVE", reason="目录调整"
    )
    assert fields(in_use) == [("code", "CATEGORY_IN_USE")]
    assert await Category.count().where(Category.status == "inactive") == 0

    no_reason = await mutate(
        client, token, CATEGORY_STATUS, code="A020105", status="INACTIVE", reason="  "
    )
    assert fields(no_reason) == [("reason", "REASON_REQUIRED")]
    root = await mutate(client, token, CATEGORY_STATUS, code="B", status="INACTIVE", reason="不用")
    assert fields(root) == [("code", "ROOT_CATEGORY")]
    missing = await mutate(
        client, token, CATEGORY_STATUS, code="A77", status="INACTIVE", reason="不用"
    )
    assert fields(missing) == [(None, "NOT_FOUND")]

    done = await mutate(
        client, token, CATEGORY_STATUS, code="A020105", status="INACTIVE", reason="目录调整"
    )
    assert done["category"]["status"] == "INACTIVE"
    inactive = {
        r["code"] for r in await Category.select(Category.code).where(Category.status == "inactive")
    }
    assert inactive == {"A020105", "A02010501", "A02010502", "A02010503", "A02010599"}
    again = await mutate(
        client, token, CATEGORY_STATUS, code="A020105", status="INACTIVE", reason="再次"
    )
    assert fields(again) == [("status", "WRONG_STATE")]
    under_inactive = await mutate(
        client, token, CATEGORY_STATUS, code="A02010501", status="ACTIVE", reason="恢复"
    )
    assert fields(under_inactive) == [("code", "CATEGORY_INACTIVE")]
    new_child = await mutate(client, token, CREATE_CATEGORY, code="A02010504", name="光盘库")
    assert fields(new_child) == [("code", "CATEGORY_INACTIVE")]
    goods = await mutate(
        client,
        token,
        CREATE_ITEM,
        input={
            "categoryCode": "A02010501",
            "name": "磁盘阵列",
            "unit": "台",
            "referencePrice": "50000",
        },
    )
    assert fields(goods) == [("categoryCode", "CATEGORY_INACTIVE")]
    back = await mutate(
        client, token, CATEGORY_STATUS, code="A020105", status="ACTIVE", reason="恢复"
    )
    assert back["category"]["status"] == "ACTIVE"
    assert (
        await Category.count().where(Category.status == "inactive") == 4
    )  # children come back one by one

    actions = [
        (e["action"], e["object_id"])
        for e in await audit_entries("goods.")
        if "category" in e["action"]
    ]
    assert actions[:5] == [
        ("goods.deactivate_category", c)
        for c in ("A020105", "A02010501", "A02010502", "A02010503", "A02010599")
    ]
    assert actions[5:] == [("goods.reactivate_category", "A020105")]
