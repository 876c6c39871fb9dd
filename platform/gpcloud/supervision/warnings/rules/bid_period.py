"""Bid period shorter than the law: from the day the documents are issued (or the tender
announced) to the bid deadline, at least the method's response period of the rule sets
(bid_period 20 d for tenders, Government Procurement Law art. 35); a change to the documents or
an announced correction affecting bids at least correction_before_deadline (15 d) before it.
Periods are computed on the working-day calendar (core/rules `rule_deadline`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from gpcloud.core.plugins.hooks import builtin
from gpcloud.core.rules.service import effective_rules, rule_deadline
from gpcloud.core.tenancy.config import effective_config
from gpcloud.supervision.warnings.common import HOOK, Rule

RULE = Rule(
    "bid_period",
    "Government Procurement Law art. 35; MOF Order 87 art. 27 (unverified)",
    "投标（响应）期限短于法定期限",
)
# The rule sets' periods from the documents to the responses, one applies to each method.
RESPONSE_RULES = ("bid_period", "negotiation_response", "rfq_response", "consultation_response")
CORRECTION_RULE = "correction_before_deadline"
VERIFIED = ("Government Procurement Law", "Implementing Regulation")


def _article(source: str) -> str:
    return source if source.startswith(VERIFIED) else f"{source} (unverified)"


async def _response_rule(method: str, tenant: str, on: date) -> str | None:
    rules = effective_rules(await effective_config(tenant), on)
    for key in RESPONSE_RULES:
        if key in rules and method in rules[key].rule.applies_to:
            return key
    return None


async def _needed(subject: dict, tenant: str, on: date) -> tuple[str, date] | None:
    """(the rule whose period applies, the bid deadline it is checked against), or None."""
    kind, project = subject["kind"], subject["project"]
    deadline = subject.get("bid_deadline") or project.get("bid_deadline")
    if deadline is None:
        return None
    method = project["method"]
    if kind == "tender" or (
        kind == "documents"
        and project["status"] == "tendering"
        and subject["documents"]["version"] == 1
    ):
        key = await _response_rule(method, tenant, on)
    elif (kind == "correction" and subject.get("affects_bids")) or (
        kind == "documents" and project["status"] == "tendering"
    ):
        rules = effective_rules(await effective_config(tenant), on)
        applies = CORRECTION_RULE in rules and method in rules[CORRECTION_RULE].rule.applies_to
        key = CORRECTION_RULE if applies else None
    else:
        key = None
    return (key, date.fromisoformat(deadline)) if key else None


@builtin(HOOK, RULE.code)
async def gpcloud_check_publication(subject: dict, tenant: Any) -> list[dict] | None:
    code, on = tenant.region_code, date.fromisoformat(subject["on"])
    needed = await _needed(subject, code, on)
    if needed is None:
        return None
    key, deadline = needed
    period = await rule_deadline(key, on, code)
    if deadline >= period.due:
        return None
    source = effective_rules(await effective_config(code), on)[key].rule.source
    warning = RULE.warning(
        f"{on.isoformat()} → {deadline.isoformat()}",
        f"{on}发出，投标（响应）截止时间最早为{period.due}，不得为{deadline}"
        f"（{'；'.join(period.steps)}）",
        "bidDeadline",
    )
    return [{**warning, "article": _article(source)}]
