"""Issue 11, finding 8: the smaller ones."""

import csv
import io

import pytest

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import transaction
from gpcloud.core.imports.runner import get_spec, run_import
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.core.validation import uscc_check_char
from gpcloud.demo import seed_demo
from gpcloud.integrations.digital_finance.tables import BudgetIndicator
from gpcloud.registries.purchasers import demo as purchasers_demo
from gpcloud.registries.purchasers import service as purchasers
from gpcloud.supervision.tables import ProcurementPlan
from tests.integration.procurement import school_indicator
from tests.integration.registries.purchasers.test_purchaser_import import HEADER, write_csv
from tests.support import data, error_codes, gql, login

# Reject reports


async def test_reject_reports_do_not_name_other_regions_records(tmp_path, demo):
    province_code = "11440000MB2C90003" + uscc_check_char("11440000MB2C90003")  # 广东省财政厅
    rows = [
        ["441481900", "新单位甲", province_code, "", "", "", "", ""],
        ["441481901", "新单位乙", "", "", "", "mz.admin", "", ""],
    ]
    path = write_csv(tmp_path / "p.csv", HEADER, rows)
    with use_scope((await tenant_tree()).scope_for("441481")):
        summary = await run_import(get_spec("purchasers"), path, "441481", tmp_path / "out")
    assert summary.counts == {"rejected": 2}
    text = (tmp_path / "out" / "rejects.csv").read_text(encoding="utf-8-sig")
    reasons = [line[1] for line in csv.reader(io.StringIO(text))][1:]
    # In Chinese (the default), naming the columns by their labels.
    assert reasons == ["统一社会信用代码：已登记", "登录账号：mz.admin 已被占用"]
    assert "广东省财政厅" not in text and "another" not in text


# LIKE wildcards

# Every search box: the connection and its argument ($s), and the name of what it lists.
SEARCHES = {
    "users": ("users(first: 100, filter: {search: $s})", "name: username"),
    "organisations": ("organisations(first: 100, search: $s)", "name"),
    "purchasers": ("purchasers(first: 100, filter: {search: $s})", "name"),
    "agencies": ("agencies(first: 100, filter: {search: $s})", "name"),
    "experts": ("experts(first: 100, filter: {search: $s})", "name"),
    "suppliers": ("suppliers(first: 100, filter: {name: $s})", "name"),
    "goodsItems": ("goodsItems(first: 100, filter: {search: $s})", "name"),
}


async def search(client, token, name: str, typed: str | None) -> list[str]:
    if name == "goodsCategories":  # a plain list
        query = "query($s: String) { goodsCategories(search: $s) { name } }"
        return [c["name"] for c in data(await gql(client, query, {"s": typed}, token=token))[name]]
    field, node = SEARCHES[name]
    query = f"query($s: String) {{ {field} {{ edges {{ node {{ {node} }} }} }} }}"
    found = data(await gql(client, query, {"s": typed}, token=token))[name]
    return [e["node"]["name"] for e in found["edges"]]


async def test_search_boxes_match_wildcards_as_typed(client, demo):
    await seed_demo()
    token = await login(client, "gd.admin")
    made = await gql(
        client,
        'mutation { createOrganisation(input: {name: "百分之百_测试", kind: OTHER, '
        'region: "440000"}) { errors { code } } }',
        token=token,
    )
    assert made["data"]["createOrganisation"]["errors"] == []
    for name in (*SEARCHES, "goodsCategories"):
        everything = await search(client, token, name, None)
        assert everything, name
        assert everything[0] in await search(client, token, name, everything[0][:2]), name
        for typed in ("%", "_", "%%", "\\"):
            expected = ["百分之百_测试"] if name == "organisations" and typed == "_" else []
            assert await search(client, token, name, typed) == expected, (name, typed)


# completeProfile


PROFILE = """mutation($input: ProfileInput!) { completeProfile(input: $input) {
  me { firstLoginPending missingProfileFields user { organisation { uscc } } }
  errors { field code } } }"""
CHANGE = """mutation { changePassword(currentPassword: "Gpcloud#2021", newPassword: "Xn-clerk-2026")
  { token errors { code } } }"""


async def test_a_first_login_clerk_cannot_give_its_unit_a_credit_code(client, demo):
    token = await login(client, "xn.newclerk")
    token = (await gql(client, CHANGE, token=token))["data"]["changePassword"]["token"]
    code = "11441481MB2C9010X" + uscc_check_char("11441481MB2C9010X")
    claimed = await gql(client, PROFILE, {"input": {"organisationUscc": code}}, token=token)
    assert "organisationUscc" in claimed["errors"][0]["message"]  # not a profile field any more
    done = await gql(
        client,
        PROFILE,
        {
            "input": {
                "displayName": "宁新街道采购经办",
                "mobile": "13800000001",
                "email": "clerk@demo.example.com",
            }
        },
        token=token,
    )
    # The unit's missing code does not hold the clerk up: its registry keeper fills it.
    assert done["data"]["completeProfile"] == {
        "me": {
            "firstLoginPending": False,
            "missingProfileFields": [],
            "user": {"organisation": {"uscc": None}},
        },
        "errors": [],
    }
    with all_tenants("test: the unit's code"):
        org = (
            await Organisation.select(Organisation.uscc)
            .where(Organisation.name == "兴宁市宁新街道办事处")
            .first()
        )
    assert org == {"uscc": None}


# carryOverProcurementPlan

CARRY = """mutation($unit: ID!, $lines: [PlanLineInput!]!) {
  carryOverProcurementPlan(purchaserId: $unit, legacyState: FAILED, legacyReference: "JH-X",
    input: {title: "旧系统计划", objectType: GOODS, method: OPEN_TENDER, lines: $lines})
  { plan { id } errors { field code } } }"""


async def test_carry_over_takes_only_the_units_own_indicators(client, demo):
    await purchasers_demo.seed()
    with use_scope((await tenant_tree()).scope_for("441481")):
        unit, own = await school_indicator()
        second_school = (await purchasers.by_budget_unit_codes("441481", ["441481312"]))[
            "441481312"
        ]
    with all_tenants("test: indicators of another unit and another region"):
        others = []
        async with transaction():
            for tenant, code in (("441481", "441481312"), ("441400", "441400301")):
                holder = (await purchasers.by_budget_unit_codes(tenant, [code]))[code]
                line = BudgetIndicator(
                    tenant_id=tenant,
                    code=f"ZB-{code}",
                    purchaser=holder["id"],
                    fiscal_year=2026,
                    name="他人指标",
                    amount_fen=100_000,
                )
                await line.save()
                others.append(line.id)
    assert second_school["id"] != unit
    token = await login(client, "xn.admin")
    for indicator in (*others, 987654):
        lines = [{"indicatorId": str(indicator), "amount": "100.00"}]
        result = await gql(client, CARRY, {"unit": str(unit), "lines": lines}, token=token)
        assert result["data"]["carryOverProcurementPlan"] == {
            "plan": None,
            "errors": [{"field": "lines[0]", "code": "UNKNOWN_INDICATOR"}],
        }, indicator
    for lines, code in (
        ([], "NO_BUDGET_LINE"),
        ([{"indicatorId": str(own), "amount": "0"}], "INVALID_AMOUNT"),
    ):
        result = await gql(client, CARRY, {"unit": str(unit), "lines": lines}, token=token)
        assert [e["code"] for e in result["data"]["carryOverProcurementPlan"]["errors"]] == [code]
    with all_tenants("test: nothing was carried over"):
        assert await ProcurementPlan.count() == 0
    lines = [{"indicatorId": str(own), "amount": "100.00"}]
    ok = await gql(client, CARRY, {"unit": str(unit), "lines": lines}, token=token)
    assert ok["data"]["carryOverProcurementPlan"]["errors"] == []


# 404 bodies


@pytest.mark.parametrize(
    "path", ["/regions/<img src=x onerror=alert(1)>", "/notices?region=<script>alert(1)</script>"]
)
async def test_not_found_bodies_do_not_carry_markup(client, path):
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert "<" not in response.text and ">" not in response.text
    if path.startswith("/regions/"):  # issue 21: a page's 404 does not repeat the address
        assert "alert" not in response.text
    else:
        assert "\\u003c" in response.text  # a search's refusal names the value, escaped


# A refused field next to changePassword


async def test_a_refused_field_refuses_the_whole_mutation_document(client, demo):
    token = await login(client, "xn.newclerk")  # first login pending: only changePassword etc.
    document = """mutation {
      changePassword(currentPassword: "Gpcloud#2021", newPassword: "Xn-clerk-2026")
        { token errors { code } }
      ...more
    }
    fragment more on Mutation { exportUsers { errors { code } } }"""
    result = await gql(client, document, token=token)
    assert result["data"] is None and error_codes(result) == ["FIRST_LOGIN_REQUIRED"]
    assert result["errors"][0]["path"] == ["exportUsers"]
    # Nothing ran: the old token and password still work.
    assert (await gql(client, "{ me { mustChangePassword } }", token=token))["data"] == {
        "me": {"mustChangePassword": True}
    }
    alone = (await gql(client, CHANGE, token=token))["data"]["changePassword"]
    assert alone["errors"] == [] and alone["token"]


async def test_allowed_mutations_in_one_document_all_run(client, demo):
    token = await login(client, "xn.admin")
    result = await gql(
        client,
        "mutation { a: exportUsers { errors { code } } b: exportUsers { errors { code } } }",
        token=token,
    )
    assert data(result) == {"a": {"errors": []}, "b": {"errors": []}}
