"""A price weight outside its bounds: the documents' price weight against the rule sets' bounds
for the method and what is bought (comprehensive scoring in tenders: goods >= 30%, services >=
10%, MOF Order 87 art. 55; competitive consultation: goods 30-60%, services 10-30%, Caiku
[2014] 214 art. 24; neither read here: unverified). The bounds are the tenant's effective rules
(config/rules), so a tenant that demands more is held to its own number."""

from __future__ import annotations

from datetime import date
from typing import Any

from gpcloud.core.plugins.hooks import builtin
from gpcloud.core.rules.service import effective_rules
from gpcloud.core.tenancy.config import effective_config
from gpcloud.supervision.warnings.common import HOOK, Rule

RULE = Rule(
    "price_weight",
    "MOF Order 87 art. 55 (unverified); Caiku [2014] 214 art. 24 (unverified)",
    "价格分值占比超出规定范围",
)
# (method's bound prefix, object type) -> the rules holding the lower and upper bound
BOUNDS = {
    ("open_tender", "goods"): ("price_weight_goods_min", None),
    ("invited_tender", "goods"): ("price_weight_goods_min", None),
    ("open_tender", "services"): ("price_weight_services_min", None),
    ("invited_tender", "services"): ("price_weight_services_min", None),
    ("competitive_consultation", "goods"): (
        "price_weight_consultation_goods_min",
        "price_weight_consultation_goods_max",
    ),
    ("competitive_consultation", "services"): (
        "price_weight_consultation_services_min",
        "price_weight_consultation_services_max",
    ),
}


@builtin(HOOK, RULE.code)
async def gpcloud_check_publication(subject: dict, tenant: Any) -> list[dict] | None:
    documents, project = subject.get("documents"), subject["project"]
    keys = BOUNDS.get((project["method"], project["object_type"]))
    if documents is None or keys is None:
        return None
    weight = documents["price_weight"]
    rules = effective_rules(
        await effective_config(tenant.region_code), date.fromisoformat(subject["on"])
    )
    low, high = (rules.get(k) if k else None for k in keys)
    if low is not None and weight < low.value:
        found = (low, "不低于")
    elif high is not None and weight > high.value:
        found = (high, "不高于")
    else:
        return None
    bound, word = found
    warning = RULE.warning(
        f"{weight}%",
        f"价格分值占总分值的比重应{word}{bound.value}%，采购文件为{weight}%（{bound.describe()}）",
        "priceWeight",
    )
    # The bounds come from MOF orders and circulars, none of them in the statute folder.
    return [{**warning, "article": f"{bound.rule.source} (unverified)"}]
