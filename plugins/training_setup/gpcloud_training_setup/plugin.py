"""Training plan (培训) for a tenant's rollout, per the Meizhou work guide, section 六.

Training is online plus video self-study in principle; on-site training is for when it is really
needed and then the classroom, the trainees and the practice data must meet the guide's list.
The city drafts the plan and reports it to the province for confirmation.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")

NAME = "training_setup"
SECTION = "training"
DEFAULTS = {"require_province_confirmation": True, "min_computers_per_trainee": 1}

MODES = {"online": "线上培训", "video_self_study": "视频自学", "on_site": "现场培训"}
AUDIENCES = {
    "purchasers": "采购人",
    "agencies": "代理机构",
    "suppliers": "供应商",
    "experts": "评审专家",
    "supervision": "财政监管人员",
}

GROUPS = {
    "classroom": "培训环境要求",
    "trainee_requirements": "学员能力要求",
    "sample_project_data": "培训资料要求",
}
# (group, key, what the guide requires) in the guide's order; key None: the group is a boolean.
CHECKLIST = (
    (
        "classroom",
        "practice_computers",
        "培训教室要具备较好的电脑设备，有供听课人员上机练习使用，并支持对客户机进行配置修改操作",
    ),
    ("classroom", "projector", "配备投影设备；保证听课人员可以清晰观看培训材料或系统演示界面信息"),
    ("classroom", "no_ambient_noise", "无环境噪音干扰（车辆、生产、食堂、风机等）"),
    ("classroom", "audio", "配备可固定又可手持的话筒，足够电线长度的接线板，无噪音的扬声器"),
    ("classroom", "desks", "有课桌以便于听课人员记录"),
    (
        "trainee_requirements",
        "computer_skills",
        "计算机基础操作能力：熟练应用 WINDOWS 操作系统，掌握基本的办公软件操作（如 OFFICE），"
        "以及 360 浏览器、谷歌浏览器的熟练应用",
    ),
    ("trainee_requirements", "procurement_process", "熟悉本单位政府采购业务操作流程"),
    (
        "sample_project_data",
        None,
        "本单位拟近期招标的项目信息、需求信息等，或近期完成招标的项目信息、需求信息等，"
        "作为上机试用的示例数据来源",
    ),
)


def _flags(group: str) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "description": GROUPS[group] + "（工作指引第六部分），逐项确认",
        "properties": {
            key: {"type": "boolean", "description": text}
            for g, key, text in CHECKLIST
            if g == group
        },
    }


COUNT = {"type": "integer", "minimum": 0}

SECTION_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "培训方案",
    "type": "object",
    "additionalProperties": False,
    "required": ["modes"],
    "properties": {
        "modes": {
            "type": "array",
            "description": "培训方式：原则上采用线上培训和视频自学相结合，确需时采用现场培训",
            "items": {"enum": list(MODES)},
            "minItems": 1,
            "uniqueItems": True,
        },
        "sessions": {
            "type": "array",
            "description": "培训场次安排",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["date"],
                "properties": {
                    "date": {
                        "type": "string",
                        "format": "date",
                        "pattern": r"^\d{4}-\d{2}-\d{2}$",
                        "description": "培训日期（YYYY-MM-DD）",
                    },
                    "audience": {
                        "type": "array",
                        "description": "培训对象："
                        + "、".join(f"{k} {v}" for k, v in AUDIENCES.items()),
                        "items": {"enum": list(AUDIENCES)},
                        "minItems": 1,
                        "uniqueItems": True,
                    },
                    "trainees": {**COUNT, "minimum": 1, "description": "参训人数"},
                },
            },
        },
        "on_site": {
            "type": "object",
            "additionalProperties": False,
            "description": "现场培训安排，选择现场培训时必填",
            "properties": {
                "venue": {"type": "string", "description": "培训地点"},
                "trainees": {**COUNT, "minimum": 1, "description": "现场培训学员人数"},
                "computers": {**COUNT, "description": "可供学员上机练习的电脑数量（台）"},
                "classroom": _flags("classroom"),
                "trainee_requirements": _flags("trainee_requirements"),
                "sample_project_data": {
                    "type": "boolean",
                    "description": "已准备上机试用的示例数据：" + CHECKLIST[-1][2],
                },
            },
        },
    },
}

GPCLOUD_PLUGIN = {
    "name": NAME,
    "description": "培训方案：线上培训、视频自学与现场培训，现场培训按工作指引检查教室、学员与示例数据",
    "config_schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "require_province_confirmation": {
                "type": "boolean",
                "default": True,
                "description": "培训方案须报省财政厅确定后方可上线（工作指引第六部分）",
            },
            "min_computers_per_trainee": {
                "type": "number",
                "minimum": 0,
                "default": 1,
                "description": "现场培训每名学员所需的上机电脑台数",
            },
        },
    },
}


def _settings(tenant) -> dict:
    return {**DEFAULTS, **(tenant.plugin_config(NAME) or {})}


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _ratio(value) -> Decimal:
    """Computers per trainee from the approved settings; anything not a number means 1."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        return Decimal(1)
    return Decimal(str(value))


def _count(value) -> int | None:
    """A head or machine count as an int; config numbers may be int or Decimal, never bool."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return None
    return int(value)


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _on_site_problems(on_site: dict, min_ratio) -> list[dict]:
    base = f"{SECTION}.on_site"
    problems = []
    for group, key, text in CHECKLIST:
        flag = on_site.get(group) if key is None else _dict(on_site.get(group)).get(key)
        if flag is not True:
            path = f"{base}.{group}" if key is None else f"{base}.{group}.{key}"
            problems.append({"path": path, "message": f"现场培训未满足{GROUPS[group]}：{text}"})
    if not str(on_site.get("venue") or "").strip():
        problems.append({"path": f"{base}.venue", "message": "现场培训未填写培训地点"})
    trainees, computers = _count(on_site.get("trainees")), _count(on_site.get("computers"))
    if trainees is None:
        problems.append({"path": f"{base}.trainees", "message": "现场培训未填写学员人数"})
    if computers is None:
        problems.append({"path": f"{base}.computers", "message": "现场培训未填写上机电脑数量"})
    if trainees is not None and computers is not None:
        ratio = _ratio(min_ratio)
        needed = int((trainees * ratio).to_integral_value(rounding=ROUND_CEILING))
        if computers < needed:
            problems.append(
                {
                    "path": f"{base}.computers",
                    "message": f"上机电脑 {computers} 台少于学员 {trainees} 人所需的 {needed} 台"
                    f"（每名学员 {_number(ratio)} 台），无法保证学员上机练习",
                }
            )
    return problems


def _problems(value, settings: dict) -> list[dict]:
    if not isinstance(value, dict):
        return [{"path": SECTION, "message": "培训方案格式不正确"}]
    modes = value.get("modes")
    if not isinstance(modes, list) or not modes:
        return [{"path": f"{SECTION}.modes", "message": "未选择培训方式"}]
    if "on_site" not in modes:
        return []
    on_site = value.get("on_site")
    if not isinstance(on_site, dict):
        return [
            {
                "path": f"{SECTION}.on_site",
                "message": "已选择现场培训，但未填写现场培训安排（培训地点、人数、教室条件、学员要求、示例数据）",
            }
        ]
    return _on_site_problems(on_site, settings.get("min_computers_per_trainee"))


@hookimpl
def gpcloud_config_sections() -> dict[str, dict]:
    return {SECTION: SECTION_SCHEMA}


@hookimpl
def gpcloud_validate_config_section(section: str, value, tenant) -> list[dict]:
    if section != SECTION:
        return []
    return _problems(value, _settings(tenant))


@hookimpl
def gpcloud_config_summary(tenant) -> list[dict]:
    """Show the chosen modes, and say so when on-site is chosen without online or video."""
    value = tenant.config.get(SECTION)
    if not isinstance(value, dict):
        return []
    modes = [m for m in value.get("modes") or [] if isinstance(m, str) and m in MODES]
    items = [{"label": "培训方式", "value": "、".join(MODES[m] for m in modes) or "未选择"}]
    sessions = [s for s in value.get("sessions") or [] if isinstance(s, dict)]
    if sessions:
        people = sum(_count(s.get("trainees")) or 0 for s in sessions)
        items.append({"label": "培训场次", "value": f"{len(sessions)} 场，共 {people} 人次"})
    if "on_site" in modes and not {"online", "video_self_study"} & set(modes):
        items.append(
            {
                "label": "培训方式提示",
                "value": "仅安排现场培训；工作指引要求原则上采用线上培训和视频自学相结合的方式",
            }
        )
    return items


@hookimpl
def gpcloud_readiness_items(tenant) -> list[dict]:
    settings = _settings(tenant)
    value = tenant.config.get(SECTION)
    if value is None:
        missing = ["尚未填写培训方案（training 配置）"]
    else:
        missing = [p["message"] for p in _problems(value, settings)]
    items = [
        {
            "key": "training_plan",
            "title": "培训方案",
            "description": "培训原则上采用线上培训和视频自学相结合；确需现场培训的，"
            "学员能力、培训环境和示例数据须满足工作指引第六部分的要求",
            "check": not missing,
            "missing": missing,
        }
    ]
    if settings.get("require_province_confirmation", True):
        items.append(
            {
                "key": "training_plan_confirmed",
                "title": "培训方案已报省财政厅确定",
                "description": "由地市牵头制定具体培训方案，报省财政厅予以确定；"
                "请上传省财政厅的确认文件后勾选",
                "check": None,
                "missing": [],
            }
        )
    return items
