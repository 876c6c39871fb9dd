"""Shared fixtures of the experts registry's tests: catalogue categories (through the goods
registry's service), valid fictional ID numbers, and GraphQL calls."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from gpcloud.core.clock import today
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.core.validation import uscc_check_char
from gpcloud.registries.experts.service.identity import id_check_char
from gpcloud.registries.experts.service.rules import add_years
from gpcloud.registries.goods.service.categories import create_category, set_category_status
from tests.support import gql

CATEGORIES = (
    ("A", "货物"),
    ("A02", "通用设备"),
    ("A0201", "计算机设备及软件"),
    ("A020101", "计算机设备"),
    ("A02010104", "台式计算机"),
    ("A02010105", "便携式计算机"),
    ("A03", "专用设备"),
    ("A0320", "医疗设备"),
    ("C", "服务"),
    ("C02", "信息技术服务"),
    ("C0202", "信息系统集成实施服务"),
    ("C08", "商务服务"),
    ("C0802", "会计服务"),
    ("C0899", "其他商务服务"),
)


def id_number(birth: date, area: str = "441481", sequence: int = 123) -> str:
    """A fictional resident ID number with a valid GB 11643 check digit."""
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


SUPPLIER_USCC = uscc("91441481MA4W00006")  # xn.supplier's organisation (demo)
OTHER_USCC = uscc("91441400MA4W00099")


def born_years_ago(years: int, days: int = 0) -> date:
    return add_years(today(), -years) + timedelta(days=days)


async def province_scope():
    return (await tenant_tree(fresh=True)).scope_for("440000")


@pytest.fixture
async def catalogue():
    """The catalogue codes the tests use, registered through the goods registry; C0899 inactive."""
    with use_scope(await province_scope()):
        async with transaction():
            for code, name in CATEGORIES:
                await create_category(None, code, name)
            await set_category_status(None, "C0899", "inactive", "测试停用")
    return [code for code, _ in CATEGORIES]


REGISTER = """
mutation($input: ExpertInput!) {
  registerExpert(input: $input) {
    expert { id name idNumberMasked birthDate age gender titleLevel status hasAccount
             specialties { categoryCode primary } regions { regionCode } }
    errors { field code message }
  }
}
"""
APPLY = """
mutation($input: ExpertApplicationInput!) {
  applyAsExpert(input: $input) {
    expert { id name status employer employerUscc hasAccount }
    errors { field code message }
  }
}
"""
STATUS = """
mutation($id: ID!, $reason: String!) {
  %s(id: $id, reason: $reason) { expert { id status statusReason } errors { field code message } }
}
"""


def expert_input(**overrides) -> dict:
    values = {
        "name": "示例专家甲",
        "idNumber": id_number(date(1975, 6, 12)),
        "titleLevel": "SENIOR",
        "title": "教授级高级工程师",
        "yearsOfExperience": 20,
        "employer": "嘉应学院",
        "phone": "13800000001",
        "specialties": ["A020101"],
        "regions": ["441400"],
    }
    values.update(overrides)
    return values


async def register(client, token, **overrides) -> dict:
    result = await gql(client, REGISTER, {"input": expert_input(**overrides)}, token=token)
    assert "errors" not in result, result
    return result["data"]["registerExpert"]


async def registered(client, token, **overrides) -> str:
    payload = await register(client, token, **overrides)
    assert payload["errors"] == [], payload["errors"]
    return payload["expert"]["id"]


async def apply(client, token, **overrides) -> dict:
    values = expert_input(**overrides)
    values.pop("badRecordOn", None)
    result = await gql(client, APPLY, {"input": values}, token=token)
    assert "errors" not in result, result
    return result["data"]["applyAsExpert"]


async def change_status(client, token, action: str, expert_id: str, reason: str = "核实") -> dict:
    result = await gql(client, STATUS % action, {"id": expert_id, "reason": reason}, token=token)
    assert "errors" not in result, result
    return result["data"][action]
