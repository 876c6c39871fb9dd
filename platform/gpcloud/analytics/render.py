"""What the analytics pages share: their templates and the words people read for codes."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
METHOD_LABELS = {
    "open_tender": "公开招标",
    "invited_tender": "邀请招标",
    "competitive_negotiation": "竞争性谈判",
    "competitive_consultation": "竞争性磋商",
    "request_for_quotation": "询价",
    "single_source": "单一来源",
    "framework_agreement": "框架协议",
}
OBJECT_LABELS = {"goods": "货物", "works": "工程", "services": "服务"}


def label(by: str, point) -> str:
    return {"method": METHOD_LABELS, "object_type": OBJECT_LABELS}.get(by, {}).get(
        point.key, point.label
    )
