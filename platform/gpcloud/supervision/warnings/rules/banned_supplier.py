"""An award to a supplier with an active ban: a supplier barred from government procurement
(Government Procurement Law art. 77: a 1-3 year ban; art. 22(1)(5): no major violation in the
last three years) or on a list the mandatory credit check consults (Caiku [2016] 125,
unverified) may not be named the winner. Asks the credit domain through gpcloud_credit_check
(purpose "award", for the publication day): supervision sits below credit and reaches it only
through the hook (core/plugins/credit_check.py); the check's snapshot is kept by credit."""

from __future__ import annotations

from datetime import date
from typing import Any

from gpcloud.core.plugins.credit_check import credit_answers, unclear
from gpcloud.core.plugins.hooks import builtin
from gpcloud.supervision.warnings.common import HOOK, Rule

RULE = Rule(
    "banned_supplier",
    "Government Procurement Law arts. 22, 77; Caiku [2016] 125 (unverified)",
    "成交供应商处于禁止参加政府采购活动期间或者列入失信名单",
)


def _barring(answer_value: dict) -> list[dict]:
    return [r for r in answer_value.get("records") or () if r.get("bars", True)]


@builtin(HOOK, RULE.code)
async def gpcloud_check_publication(subject: dict, tenant: Any) -> list[dict] | None:
    if subject["kind"] != "result":
        return None
    code, on = tenant.region_code, date.fromisoformat(subject["on"])
    found = []
    for index, award in enumerate(subject.get("awards") or ()):
        refusing = unclear(await credit_answers(code, award["organisation_id"], "award", on))
        if not refusing:
            continue
        records = [r for a in refusing for r in _barring(a.value)]
        described = "；".join(
            f"{r.get('kind', '')} {r.get('starts_on', '')}至{r.get('ends_on') or '长期'}"
            f"{'（' + r['reference'] + '）' if r.get('reference') else ''}"
            for r in records
        ) or "、".join(str(a.value.get("source") or a.plugin) for a in refusing)
        found.append(
            RULE.warning(
                f"{award['supplier_name']}：{described}",
                f"{award['supplier_name']}在{on}不能通过信用核查：{described}",
                f"awards[{index}]",
            )
        )
    return found
