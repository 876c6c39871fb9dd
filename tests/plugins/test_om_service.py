"""The om_service plugin: the om_plan section, its rules from the guide's section 五, fee estimate."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib.metadata import entry_points

import jsonschema
import pluggy
import pytest
from gpcloud_om_service import plugin

from gpcloud.core.plugins import hookspecs

PM = pluggy.PluginManager("gpcloud")
PM.add_hookspecs(hookspecs)
PM.register(plugin)
SCHEMA = plugin.gpcloud_config_sections()["om_plan"]

FULL = {
    "resident": {
        "enabled": True,
        "place": "兴宁市财政局政府采购管理办公室",
        "hours": "工作日 08:30-17:30",
        "headcount": 2,
        "start_date": "2021-01-01",
        "end_date": "2021-06-30",
    },
    "remote": {"headcount": 3},
    "hotline": {"enabled": True, "number": "400-183-2999"},
    "im": {"enabled": True, "channel": "微信群"},
}


@dataclass
class Tenant:
    """The duck-typed TenantContext the hooks receive."""

    config: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    region_code: str = "441400"
    name: str = "梅州市"
    level: str = "city"

    def plugin_config(self, name: str) -> dict:
        return self.settings.get(name, {})


def resident(**changes) -> dict:
    value = copy.deepcopy(FULL)
    value["resident"].update(changes)
    return value


def call(hook: str, **kwargs):
    """Call a hook as the host does: through pluggy, with every argument of its spec."""
    (result,) = getattr(PM.hook, hook)(**kwargs)
    return result


def problems(value) -> list[dict]:
    tenant = Tenant({"om_plan": value})
    return call("gpcloud_validate_config_section", section="om_plan", value=value, tenant=tenant)


def paths(found: list[dict]) -> list[str]:
    return [p["path"] for p in found]


def summary(value, settings: dict | None = None) -> dict[str, str]:
    tenant = Tenant({"om_plan": value}, {"om_service": settings or {}})
    return {s["label"]: s["value"] for s in call("gpcloud_config_summary", tenant=tenant)}


def walk(schema: dict):
    yield schema
    for sub in schema.get("properties", {}).values():
        yield from walk(sub)


# Discovery and contract


def test_entry_point_names_the_plugin_module():
    (ep,) = [e for e in entry_points(group="gpcloud.plugins") if e.name == "om_service"]
    assert ep.load() is plugin


def test_plugin_declaration():
    assert plugin.GPCLOUD_PLUGIN["name"] == "om_service"
    assert plugin.GPCLOUD_PLUGIN["description"].strip()
    assert plugin.GPCLOUD_PLUGIN["config_schema"]["type"] == "object"


def test_hookimpls_match_the_hookspecs():
    PM.check_pending()
    assert PM.hook.gpcloud_config_sections() == [{"om_plan": SCHEMA}]


@pytest.mark.parametrize("schema", [plugin.GPCLOUD_PLUGIN["config_schema"], SCHEMA])
def test_schemas_are_draft_2020_12_closed_and_described(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    for sub in walk(schema):
        if sub.get("type") == "object":
            assert sub.get("additionalProperties") is False
        for name, prop in sub.get("properties", {}).items():
            assert prop.get("description"), name


def test_config_schema_defaults_make_empty_config_valid():
    schema = plugin.GPCLOUD_PLUGIN["config_schema"]
    jsonschema.Draft202012Validator(schema).validate({})
    props = schema["properties"]
    assert props["working_days_per_month"]["default"] == 21
    assert props["rates"]["default"] == {
        "resident_per_person_day": 1200,
        "remote_per_person_month": 3000,
        "hotline_per_month": 0,
        "im_per_month": 0,
    }
    assert {k: v["default"] for k, v in props["rates"]["properties"].items()} == props["rates"][
        "default"
    ]


def test_config_schema_takes_decimal_rates():
    schema = plugin.GPCLOUD_PLUGIN["config_schema"]
    settings = {
        "rates": {"resident_per_person_day": Decimal("1250.50")},
        "working_days_per_month": Decimal("21.75"),
    }
    jsonschema.Draft202012Validator(schema).validate(settings)
    assert not jsonschema.Draft202012Validator(schema).is_valid({"rates": {"per_visit": 10}})


# Section schema


@pytest.mark.parametrize(
    "value", [FULL, {}, {"remote": {"headcount": 0}}, {"resident": {"enabled": False}}]
)
def test_section_schema_accepts(value):
    jsonschema.Draft202012Validator(SCHEMA).validate(value)


@pytest.mark.parametrize(
    "value",
    [
        {"resident": {"enabled": "yes"}},
        {"resident": {"headcount": "2"}},
        {"resident": {"headcount": -1}},
        {"resident": {"start_date": "2021/01/01"}},
        {"resident": {"budget": 1000}},
        {"remote": {"headcount": -1}},
        {"hotline": {"enabled": True, "number": "call us"}},
        {"im": {"channel": 42}},
        {"email": {"enabled": True}},
    ],
)
def test_section_schema_refuses(value):
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(value)


# Validation rules


def test_complete_plan_has_no_problems():
    assert problems(FULL) == []


def test_empty_plan_has_no_problems():
    assert problems({}) == []


def test_disabled_resident_service_needs_no_details():
    assert problems({"resident": {"enabled": False}}) == []


@pytest.mark.parametrize(
    ("key", "word"), [("place", "驻场地点"), ("hours", "驻场时间"), ("headcount", "驻场人数")]
)
def test_resident_service_must_name_each_detail(key, word):
    value = resident()
    del value["resident"][key]
    (found,) = problems(value)
    assert found["path"] == f"om_plan.resident.{key}"
    assert word in found["message"]


def test_resident_service_names_every_missing_detail():
    assert paths(problems({"resident": {"enabled": True, "place": " "}})) == [
        "om_plan.resident.place",
        "om_plan.resident.hours",
        "om_plan.resident.headcount",
    ]


@pytest.mark.parametrize("headcount", [0, Decimal("0"), Decimal("1.5")])
def test_resident_headcount_must_be_at_least_one_person(headcount):
    assert paths(problems(resident(headcount=headcount))) == ["om_plan.resident.headcount"]


def test_resident_headcount_may_be_a_decimal():
    assert problems(resident(headcount=Decimal("2"))) == []


def test_end_date_before_start_date_is_a_problem():
    (found,) = problems(resident(start_date="2021-06-30", end_date="2021-01-01"))
    assert found == {"path": "om_plan.resident.end_date", "message": "驻场结束日期不能早于开始日期"}


def test_one_day_period_is_fine_and_dates_may_be_date_objects():
    assert problems(resident(start_date="2021-01-04", end_date="2021-01-04")) == []
    assert problems(resident(start_date=date(2021, 1, 4), end_date=date(2021, 6, 30))) == []


def test_impossible_date_is_a_problem():
    assert paths(problems(resident(end_date="2021-02-30"))) == ["om_plan.resident.end_date"]


@pytest.mark.parametrize("headcount", [-1, Decimal("0.5"), "3"])
def test_remote_headcount_must_be_a_non_negative_integer(headcount):
    assert paths(problems({"remote": {"headcount": headcount}})) == ["om_plan.remote.headcount"]


def test_remote_headcount_zero_is_fine():
    assert problems({"remote": {"headcount": 0}}) == []


def test_other_sections_are_ignored():
    value = {"resident": {"enabled": True}}
    assert (
        call("gpcloud_validate_config_section", section="training", value=value, tenant=Tenant())
        == []
    )


# Fee estimate


def test_fee_estimate_at_default_rates():
    assert summary(FULL) == {
        "运维费用估算（每月）": "59,400.00 元",
        "其中：驻场服务（每月）": "2 人 × 1,200.00 元/人·天 × 21 个工作日 = 50,400.00 元",
        "其中：远程支持（每月）": "3 人 × 3,000.00 元/人·月 = 9,000.00 元",
        "其中：热线电话（每月）": "0.00 元",
        "其中：在线通讯工具（每月）": "0.00 元",
        "热线号码": "400-183-2999",
        "在线通讯渠道": "微信群",
        "驻场服务期": "2021-01-01 至 2021-06-30",
    }


def test_fee_estimate_with_integer_rates():
    settings = {"rates": {"hotline_per_month": 1200}}
    assert summary(FULL, settings)["运维费用估算（每月）"] == "60,600.00 元"


def test_fee_estimate_with_decimal_rates_and_counts():
    settings = {
        "rates": {
            "resident_per_person_day": Decimal("1250.50"),
            "remote_per_person_month": Decimal("2999.99"),
            "hotline_per_month": 500,
            "im_per_month": Decimal("99.9"),
        },
        "working_days_per_month": Decimal("21.75"),
    }
    value = copy.deepcopy(FULL)
    value["remote"]["headcount"] = Decimal("1")
    fees = summary(value, settings)
    assert fees["运维费用估算（每月）"] == "57,996.64 元"
    assert (
        fees["其中：驻场服务（每月）"] == "2 人 × 1,250.50 元/人·天 × 21.75 个工作日 = 54,396.75 元"
    )
    assert fees["其中：远程支持（每月）"] == "1 人 × 2,999.99 元/人·月 = 2,999.99 元"
    assert fees["其中：在线通讯工具（每月）"] == "99.90 元"


def test_fee_estimate_rounds_half_up_to_the_fen():
    settings = {"rates": {"remote_per_person_month": Decimal("0.005")}}
    assert summary({"remote": {"headcount": 1}}, settings)["运维费用估算（每月）"] == "0.01 元"


def test_disabled_services_cost_nothing():
    settings = {"rates": {"hotline_per_month": 800, "im_per_month": 200}}
    value = {"resident": {"enabled": False, "headcount": 5}, "hotline": {"enabled": False}}
    fees = summary(value, settings)
    assert fees["运维费用估算（每月）"] == "0.00 元"
    assert fees["其中：驻场服务（每月）"] == "未启用"
    assert fees["其中：热线电话（每月）"] == "未启用"
    assert "热线号码" not in fees


def test_hotline_defaults_to_the_province_number():
    assert summary({"hotline": {"enabled": True}})["热线号码"] == "400-183-2999"


def test_no_summary_without_section():
    assert call("gpcloud_config_summary", tenant=Tenant()) == []


# Readiness


def items_by_key(value=None) -> dict[str, dict]:
    tenant = Tenant({} if value is None else {"om_plan": value})
    return {item["key"]: item for item in call("gpcloud_readiness_items", tenant=tenant)}


def test_readiness_without_section():
    items = items_by_key()
    assert items["om_plan"]["check"] is False
    assert items["om_plan"]["missing"] == ["尚未填写运维方案（om_plan 配置）"]
    assert items["om_fees_agreed"]["check"] is None


def test_readiness_with_valid_plan():
    items = items_by_key(FULL)
    assert (items["om_plan"]["check"], items["om_plan"]["missing"]) == (True, [])
    assert items["om_fees_agreed"]["title"] == "已与云平台承建商商定运维费用、驻场地点、时间及人数"
    assert items["om_fees_agreed"]["missing"] == []


def test_readiness_with_invalid_plan_lists_the_problems():
    value = resident(hours="", end_date="2020-12-31")
    item = items_by_key(value)["om_plan"]
    assert item["check"] is False
    assert item["missing"] == [p["message"] for p in problems(value)]
    assert len(item["missing"]) == 2


def test_fee_agreement_only_for_resident_or_set_remote_staff():
    hotline_only = {"hotline": {"enabled": True}, "remote": {"headcount": 0}}
    assert list(items_by_key(hotline_only)) == ["om_plan"]
    assert "om_fees_agreed" in items_by_key({"remote": {"headcount": 1}})
    assert "om_fees_agreed" in items_by_key({"resident": {**FULL["resident"], "headcount": 1}})
