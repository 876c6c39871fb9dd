"""O&M plan (运维方案) for a tenant after go-live, per the Meizhou work guide, section 五.

The city confirms, for itself and its counties, which technical O&M services it needs: resident
(on-site) service, remote support, hotline and online IM. Resident service or a set number of
remote staff must be agreed with the platform builder (fees, place, hours, headcount), so the
plugin checks those are named and shows a monthly fee estimate at the approved rates.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")

NAME = "om_service"
SECTION = "om_plan"
PROVINCE_HOTLINE = "400-183-2999"
RATES = {
    "resident_per_person_day": 1200,
    "remote_per_person_month": 3000,
    "hotline_per_month": 0,
    "im_per_month": 0,
}
WORKING_DAYS = 21

DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
COUNT = {"type": "integer", "minimum": 0}
TEXT = {"type": "string", "maxLength": 200}


def _object(description: str, properties: dict) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "description": description,
        "properties": properties,
    }


SECTION_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "运维方案",
    **_object(
        "系统上线运行后的技术运维服务要求（工作指引第五部分）",
        {
            "resident": _object(
                "现场驻点服务；启用时须与云平台承建商商定驻场地点、时间及人数",
                {
                    "enabled": {"type": "boolean", "description": "是否需要驻场服务"},
                    "place": {**TEXT, "description": "驻场地点"},
                    "hours": {**TEXT, "description": "驻场时间，如“工作日 08:30-17:30”"},
                    "headcount": {**COUNT, "description": "驻场人数"},
                    "start_date": {**DATE, "description": "驻场开始日期（YYYY-MM-DD）"},
                    "end_date": {**DATE, "description": "驻场结束日期（YYYY-MM-DD）"},
                },
            ),
            "remote": _object(
                "远程支持",
                {"headcount": {**COUNT, "description": "指定的远程支持人数，0 表示不指定"}},
            ),
            "hotline": _object(
                "热线电话",
                {
                    "enabled": {"type": "boolean", "description": "是否使用热线电话"},
                    "number": {
                        "type": "string",
                        "pattern": r"^[0-9]+(-[0-9]+)*$",
                        "maxLength": 20,
                        "default": PROVINCE_HOTLINE,
                        "description": f"热线号码，全省统一技术支持电话为 {PROVINCE_HOTLINE}",
                    },
                },
            ),
            "im": _object(
                "在线通讯工具",
                {
                    "enabled": {"type": "boolean", "description": "是否使用在线通讯工具"},
                    "channel": {**TEXT, "description": "通讯渠道，如 QQ 群、微信群"},
                },
            ),
        },
    ),
}


def _rate(description: str, default: int) -> dict:
    return {"type": "number", "minimum": 0, "default": default, "description": description}


GPCLOUD_PLUGIN = {
    "name": NAME,
    "description": "运维方案：驻场服务、远程支持、热线电话与在线通讯工具，并按约定单价估算运维费用",
    "config_schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "rates": {
                "type": "object",
                "additionalProperties": False,
                "default": dict(RATES),
                "description": "与云平台承建商商定的运维单价（元）",
                "properties": {
                    "resident_per_person_day": _rate("驻场服务单价（元/人·天）", 1200),
                    "remote_per_person_month": _rate("远程支持单价（元/人·月）", 3000),
                    "hotline_per_month": _rate("热线电话费用（元/月）", 0),
                    "im_per_month": _rate("在线通讯工具费用（元/月）", 0),
                },
            },
            "working_days_per_month": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": 31,
                "default": WORKING_DAYS,
                "description": "估算驻场费用时每月按多少个工作日计",
            },
        },
    },
}


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _count(value) -> int | None:
    """A headcount as an int; config numbers may be int or Decimal, never bool."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return None
    return int(value)


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _problems(value) -> list[dict]:
    if not isinstance(value, dict):
        return [{"path": SECTION, "message": "运维方案格式不正确"}]
    problems = []
    resident = _dict(value.get("resident"))
    base = f"{SECTION}.resident"
    if resident.get("enabled") is True:
        for key, label in (("place", "驻场地点"), ("hours", "驻场时间")):
            if not str(resident.get(key) or "").strip():
                problems.append(
                    {"path": f"{base}.{key}", "message": f"已启用驻场服务，须与承建商商定{label}"}
                )
        headcount = _count(resident.get("headcount"))
        if headcount is None or headcount < 1:
            problems.append(
                {"path": f"{base}.headcount", "message": "已启用驻场服务，驻场人数应不少于 1 人"}
            )
    dates = {}
    for key, label in (("start_date", "开始日期"), ("end_date", "结束日期")):
        if resident.get(key) is not None:
            dates[key] = _date(resident[key])
            if dates[key] is None:
                problems.append(
                    {"path": f"{base}.{key}", "message": f"驻场{label}应为 YYYY-MM-DD 格式的日期"}
                )
    if (
        dates.get("start_date")
        and dates.get("end_date")
        and dates["end_date"] < dates["start_date"]
    ):
        problems.append({"path": f"{base}.end_date", "message": "驻场结束日期不能早于开始日期"})
    remote = _dict(value.get("remote"))
    if "headcount" in remote:
        headcount = _count(remote["headcount"])
        if headcount is None or headcount < 0:
            problems.append(
                {
                    "path": f"{SECTION}.remote.headcount",
                    "message": "远程支持人数应为不小于 0 的整数",
                }
            )
    return problems


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f} 元"


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _decimal(value, default) -> Decimal:
    """A rate from the approved settings; anything not a number falls back to the default."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        value = default
    return Decimal(str(value))


@hookimpl
def gpcloud_config_sections() -> dict[str, dict]:
    return {SECTION: SECTION_SCHEMA}


@hookimpl
def gpcloud_validate_config_section(section: str, value) -> list[dict]:
    if section != SECTION:
        return []
    return _problems(value)


@hookimpl
def gpcloud_config_summary(tenant) -> list[dict]:
    """Monthly fee estimate: resident people × day rate × working days, plus the monthly rest."""
    value = tenant.config.get(SECTION)
    if not isinstance(value, dict):
        return []
    settings = tenant.plugin_config(NAME) or {}
    given = _dict(settings.get("rates"))
    rates = {key: _decimal(given.get(key), default) for key, default in RATES.items()}
    days = _decimal(settings.get("working_days_per_month"), WORKING_DAYS)
    resident, remote = _dict(value.get("resident")), _dict(value.get("remote"))
    hotline, im = _dict(value.get("hotline")), _dict(value.get("im"))

    lines = []
    if resident.get("enabled") is True:
        people = _count(resident.get("headcount")) or 0
        fee = people * rates["resident_per_person_day"] * days
        formula = (
            f"{people} 人 × {_money(rates['resident_per_person_day'])}/人·天"
            f" × {_number(days)} 个工作日 = {_money(fee)}"
        )
        lines.append(("驻场服务", fee, formula))
    else:
        lines.append(("驻场服务", Decimal(0), "未启用"))
    people = max(_count(remote.get("headcount")) or 0, 0)
    fee = people * rates["remote_per_person_month"]
    formula = f"{people} 人 × {_money(rates['remote_per_person_month'])}/人·月 = {_money(fee)}"
    lines.append(("远程支持", fee, formula))
    for label, part, key in (
        ("热线电话", hotline, "hotline_per_month"),
        ("在线通讯工具", im, "im_per_month"),
    ):
        enabled = part.get("enabled") is True
        lines.append(
            (label, rates[key], _money(rates[key])) if enabled else (label, Decimal(0), "未启用")
        )

    total = sum((fee for _, fee, _ in lines), Decimal(0))
    items = [{"label": "运维费用估算（每月）", "value": _money(total)}]
    items += [{"label": f"其中：{label}（每月）", "value": text} for label, _, text in lines]
    if hotline.get("enabled") is True:
        items.append({"label": "热线号码", "value": hotline.get("number") or PROVINCE_HOTLINE})
    if im.get("enabled") is True and im.get("channel"):
        items.append({"label": "在线通讯渠道", "value": str(im["channel"])})
    if resident.get("enabled") is True and resident.get("start_date") and resident.get("end_date"):
        items.append(
            {"label": "驻场服务期", "value": f"{resident['start_date']} 至 {resident['end_date']}"}
        )
    return items


def _needs_agreement(value) -> bool:
    """The guide asks for an agreement only for resident service or a set number of remote staff."""
    if not isinstance(value, dict):
        return True
    resident = _dict(value.get("resident")).get("enabled") is True
    return resident or (_count(_dict(value.get("remote")).get("headcount")) or 0) > 0


@hookimpl
def gpcloud_readiness_items(tenant) -> list[dict]:
    value = tenant.config.get(SECTION)
    if value is None:
        missing = ["尚未填写运维方案（om_plan 配置）"]
    else:
        missing = [p["message"] for p in _problems(value)]
    items = [
        {
            "key": "om_plan",
            "title": "运维方案",
            "description": "市财政局确认本级与各县（区）上线后的技术运维服务要求："
            "现场驻点服务、远程支持、热线电话和在线通讯工具",
            "check": not missing,
            "missing": missing,
        }
    ]
    if _needs_agreement(value):
        items.append(
            {
                "key": "om_fees_agreed",
                "title": "已与云平台承建商商定运维费用、驻场地点、时间及人数",
                "description": "需要驻场服务或指定远程支持人数的，须与云平台承建商商定运维费用、"
                "驻场地点、时间及人数要求；请上传商定材料后勾选",
                "check": None,
                "missing": [],
            }
        )
    return items
