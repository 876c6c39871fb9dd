"""The training_setup plugin: the training section, its rules from the guide's section 六, readiness."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.metadata import entry_points

import jsonschema
import pluggy
import pytest
from gpcloud_training_setup import plugin

from gpcloud.core.plugins import hookspecs

PM = pluggy.PluginManager("gpcloud")
PM.add_hookspecs(hookspecs)
PM.register(plugin)
SCHEMA = plugin.gpcloud_config_sections()["training"]

ON_SITE = {
    "venue": "兴宁市财政局三楼培训室",
    "trainees": 30,
    "computers": 30,
    "classroom": {
        "practice_computers": True,
        "projector": True,
        "no_ambient_noise": True,
        "audio": True,
        "desks": True,
    },
    "trainee_requirements": {"computer_skills": True, "procurement_process": True},
    "sample_project_data": True,
}
FULL = {
    "modes": ["online", "video_self_study", "on_site"],
    "sessions": [
        {"date": "2020-12-15", "audience": ["purchasers"], "trainees": 30},
        {"date": "2020-12-16", "audience": ["agencies", "suppliers"], "trainees": 25},
    ],
    "on_site": ON_SITE,
}


@dataclass
class Tenant:
    """The duck-typed TenantContext the hooks receive."""

    config: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    region_code: str = "441481"
    name: str = "兴宁市"
    level: str = "county"

    def plugin_config(self, name: str) -> dict:
        return self.settings.get(name, {})


def full(**changes) -> dict:
    value = copy.deepcopy(FULL)
    value["on_site"].update(changes)
    return value


def call(hook: str, **kwargs):
    """Call a hook as the host does: through pluggy, with every argument of its spec."""
    (result,) = getattr(PM.hook, hook)(**kwargs)
    return result


def problems(value, settings: dict | None = None) -> list[dict]:
    tenant = Tenant({"training": value}, {"training_setup": settings or {}})
    return call("gpcloud_validate_config_section", section="training", value=value, tenant=tenant)


def paths(found: list[dict]) -> list[str]:
    return [p["path"] for p in found]


def walk(schema: dict):
    yield schema
    for sub in schema.get("properties", {}).values():
        yield from walk(sub)
    if isinstance(schema.get("items"), dict):
        yield from walk(schema["items"])


# Discovery and contract


def test_entry_point_names_the_plugin_module():
    (ep,) = [e for e in entry_points(group="gpcloud.plugins") if e.name == "training_setup"]
    assert ep.load() is plugin


def test_plugin_declaration():
    assert plugin.GPCLOUD_PLUGIN["name"] == "training_setup"
    assert plugin.GPCLOUD_PLUGIN["description"].strip()
    assert plugin.GPCLOUD_PLUGIN["config_schema"]["type"] == "object"


def test_hookimpls_match_the_hookspecs():
    PM.check_pending()
    assert PM.hook.gpcloud_config_sections() == [{"training": SCHEMA}]


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
    defaults = {k: v["default"] for k, v in schema["properties"].items()}
    assert defaults == {"require_province_confirmation": True, "min_computers_per_trainee": 1}


# Section schema


@pytest.mark.parametrize(
    "value",
    [FULL, {"modes": ["online"]}, {"modes": ["video_self_study", "online"], "sessions": []}],
)
def test_section_schema_accepts(value):
    jsonschema.Draft202012Validator(SCHEMA).validate(value)


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"modes": []},
        {"modes": "online"},
        {"modes": ["classroom"]},
        {"modes": ["online", "online"]},
        {"modes": ["online"], "budget": 1000},
        {"modes": ["online"], "sessions": [{"date": "15/12/2020"}]},
        {"modes": ["online"], "sessions": [{"date": "2020-12-15", "audience": ["public"]}]},
        {"modes": ["online"], "sessions": [{"date": "2020-12-15", "trainees": "30"}]},
        {"modes": ["on_site"], "on_site": {**ON_SITE, "computers": -1}},
        {"modes": ["on_site"], "on_site": {**ON_SITE, "classroom": {"projector": "yes"}}},
        {"modes": ["on_site"], "on_site": {**ON_SITE, "classroom": {"whiteboard": True}}},
        {"modes": ["on_site"], "on_site": {**ON_SITE, "lunch": True}},
    ],
)
def test_section_schema_refuses(value):
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(value)


# Validation rules


def test_complete_plan_has_no_problems():
    assert problems(FULL) == []


def test_online_only_plan_needs_no_on_site_arrangements():
    assert problems({"modes": ["online", "video_self_study"]}) == []


def test_on_site_only_is_allowed():
    assert problems({"modes": ["on_site"], "on_site": ON_SITE}) == []


def test_no_mode_is_a_problem():
    assert paths(problems({"sessions": []})) == ["training.modes"]


def test_on_site_without_arrangements_is_a_problem():
    found = problems({"modes": ["online", "on_site"]})
    assert paths(found) == ["training.on_site"]
    assert "现场培训" in found[0]["message"]


CHECKLIST = [
    ("classroom", "practice_computers", "支持对客户机进行配置修改操作"),
    ("classroom", "projector", "配备投影设备"),
    ("classroom", "no_ambient_noise", "车辆、生产、食堂、风机"),
    ("classroom", "audio", "可固定又可手持的话筒"),
    ("classroom", "desks", "有课桌以便于听课人员记录"),
    ("trainee_requirements", "computer_skills", "WINDOWS"),
    ("trainee_requirements", "procurement_process", "熟悉本单位政府采购业务操作流程"),
]


@pytest.mark.parametrize("flag", [False, None])
@pytest.mark.parametrize(("group", "key", "quote"), CHECKLIST)
def test_each_unmet_checklist_item_is_one_problem(group, key, quote, flag):
    value = full()
    if flag is None:
        del value["on_site"][group][key]
    else:
        value["on_site"][group][key] = flag
    (found,) = problems(value)
    assert found["path"] == f"training.on_site.{group}.{key}"
    assert quote in found["message"]


def test_missing_checklist_group_names_every_item():
    value = full()
    del value["on_site"]["classroom"]
    assert paths(problems(value)) == [
        f"training.on_site.classroom.{k}" for _, k, _ in CHECKLIST[:5]
    ]


@pytest.mark.parametrize("flag", [False, None])
def test_sample_project_data_not_prepared_is_a_problem(flag):
    (found,) = problems(full(sample_project_data=flag))
    assert found["path"] == "training.on_site.sample_project_data"
    assert "上机试用的示例数据" in found["message"]


@pytest.mark.parametrize("key", ["venue", "trainees", "computers"])
def test_missing_venue_or_count_is_a_problem(key):
    value = full()
    del value["on_site"][key]
    assert paths(problems(value)) == [f"training.on_site.{key}"]


def test_blank_venue_is_a_problem():
    assert paths(problems(full(venue="  "))) == ["training.on_site.venue"]


def test_fewer_computers_than_trainees_is_a_problem():
    (found,) = problems(full(trainees=30, computers=29))
    assert found["path"] == "training.on_site.computers"
    assert "上机电脑 29 台少于学员 30 人所需的 30 台" in found["message"]


def test_counts_may_be_decimals():
    assert problems(full(trainees=Decimal("30"), computers=Decimal("30"))) == []
    assert paths(problems(full(trainees=Decimal("30"), computers=Decimal("20")))) == [
        "training.on_site.computers"
    ]


def test_computers_per_trainee_comes_from_the_plugin_config():
    settings = {"min_computers_per_trainee": Decimal("0.5")}
    assert problems(full(trainees=7, computers=4), settings) == []
    (found,) = problems(full(trainees=7, computers=3), settings)
    assert "所需的 4 台（每名学员 0.5 台）" in found["message"]


def test_on_site_arrangements_are_ignored_without_on_site_mode():
    assert problems({"modes": ["online"], "on_site": {"venue": ""}}) == []


def test_other_sections_are_ignored():
    tenant = Tenant({"training": FULL})
    assert (
        call(
            "gpcloud_validate_config_section", section="om_plan", value={"modes": []}, tenant=tenant
        )
        == []
    )


# Readiness and summary


def items_by_key(tenant: Tenant) -> dict[str, dict]:
    return {item["key"]: item for item in call("gpcloud_readiness_items", tenant=tenant)}


def test_readiness_without_training_section():
    items = items_by_key(Tenant())
    assert items["training_plan"]["check"] is False
    assert items["training_plan"]["missing"] == ["尚未填写培训方案（training 配置）"]
    assert items["training_plan_confirmed"]["check"] is None


def test_readiness_with_valid_plan():
    items = items_by_key(Tenant({"training": FULL}))
    assert items["training_plan"]["check"] is True
    assert items["training_plan"]["missing"] == []


def test_readiness_with_invalid_plan_lists_the_problems():
    value = full(computers=10, sample_project_data=False)
    item = items_by_key(Tenant({"training": value}))["training_plan"]
    assert item["check"] is False
    assert item["missing"] == [p["message"] for p in problems(value)]
    assert len(item["missing"]) == 2


def test_confirmation_item_only_when_required():
    settings = {"training_setup": {"require_province_confirmation": False}}
    assert list(items_by_key(Tenant({"training": FULL}, settings))) == ["training_plan"]
    item = items_by_key(Tenant({"training": FULL}))["training_plan_confirmed"]
    assert item["title"] == "培训方案已报省财政厅确定"
    assert item["missing"] == []


def test_summary_lists_modes_and_sessions():
    summary = call("gpcloud_config_summary", tenant=Tenant({"training": FULL}))
    assert summary == [
        {"label": "培训方式", "value": "线上培训、视频自学、现场培训"},
        {"label": "培训场次", "value": "2 场，共 55 人次"},
    ]


def test_summary_notes_on_site_only_plans():
    summary = call("gpcloud_config_summary", tenant=Tenant({"training": {"modes": ["on_site"]}}))
    assert [s["label"] for s in summary] == ["培训方式", "培训方式提示"]


def test_summary_without_section_is_empty():
    assert call("gpcloud_config_summary", tenant=Tenant()) == []
