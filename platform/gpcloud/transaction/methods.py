"""Procurement methods as configuration of the one project machine (ProZorro's approach):
what differs between an open tender and a request for quotation is a handful of flags, read
from config/rules/methods/, each with its source."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from gpcloud.core.errors import DomainError
from gpcloud.core.rules.sets import RULES_DIR
from gpcloud.supervision.tables import METHODS

METHODS_FILE = RULES_DIR / "methods" / "procurement-methods.toml"
# What follows a tender that failed for want of suppliers: fewer than the minimum bid at the
# deadline, or passed the qualification review (MOF Order 87 art. 43, unverified text: "投标截止
# 后投标人不足3家或者通过资格审查或符合性审查的投标人不足3家的"); a prequalification with fewer
# qualified is read as the same case (transaction/prequalification.py).
ARTICLE_43_OPTIONS = (
    "re-tender after fixing the documents (采购文件存在不合理条款或招标程序不符合规定的，改正后重新招标)",
    "apply to the finance department to switch method (需要采用其他采购方式的，报财政部门批准)",
)


@dataclass(frozen=True)
class MethodConfig:
    key: str
    title: str
    prequalification: bool  # required: no tender announcement before it is concluded
    prequalification_allowed: bool  # the agency may run one (Implementing Regulation art. 21)
    minimum_bidders: int  # fewer at the deadline: no opening (Law art. 36, Order 87 art. 43)
    response_rule: str  # the period rule from the documents to the deadline
    prices_read_at_opening: bool
    quote_rounds: int
    sealed_bids: bool  # responses come as sealed bids through submitBid
    invitation_draw: bool  # invitees drawn at random from the prequalified (Law art. 34)
    source: str
    unverified: bool


@cache
def method_configs() -> dict[str, MethodConfig]:
    with METHODS_FILE.open("rb") as fh:
        raw = tomllib.load(fh)["methods"]
    configs = {}
    for key, spec in raw.items():
        if key not in METHODS:
            raise ValueError(f"{METHODS_FILE.name}: unknown method {key}")
        if not spec.get("source"):
            raise ValueError(f"{METHODS_FILE.name}: {key} names no source")
        configs[key] = MethodConfig(
            key=key,
            title=spec["title"],
            prequalification=bool(spec["prequalification"]),
            prequalification_allowed=bool(
                spec.get("prequalification_allowed", spec["prequalification"])
            ),
            minimum_bidders=int(spec["minimum_bidders"]),
            response_rule=spec["response_rule"],
            prices_read_at_opening=bool(spec["prices_read_at_opening"]),
            quote_rounds=int(spec["quote_rounds"]),
            sealed_bids=bool(spec["sealed_bids"]),
            invitation_draw=bool(spec.get("invitation_draw", False)),
            source=spec["source"],
            unverified=bool(spec.get("unverified", False)),
        )
    missing = set(METHODS) - set(configs)
    if missing:
        raise ValueError(f"{METHODS_FILE.name}: no configuration for {sorted(missing)}")
    return configs


def method_config(method: str) -> MethodConfig:
    found = method_configs().get(method)
    if found is None:
        raise DomainError("INVALID_METHOD", f"no procurement method {method!r}", "method")
    return found
