"""Qualification or scoring terms that restrict suppliers by region, ownership or size: unfair
or discriminatory treatment (Implementing Regulation art. 20: (4) a particular region's
performance or awards as a scoring or award condition, (7) a supplier's ownership, organisation
form or seat); size conditions (registered capital, assets, revenue, staff) are barred by MOF
Order 87 art. 17 and Caiku [2020] 46 art. 5 (neither read here: unverified), and fall under art.
20(2) (conditions unrelated to the contract). Text patterns in Chinese and English, over every
text the publication carries."""

from __future__ import annotations

import re
from typing import Any

from gpcloud.core.plugins.hooks import builtin
from gpcloud.supervision.warnings.common import HOOK, Rule, around, texts

RULE = Rule(
    "restrictive_terms",
    "Implementing Regulation art. 20; Government Procurement Law arts. 5, 22",
    "以不合理条件限制或者排斥潜在供应商（地域、所有制、规模）",
)

PLACE = (
    r"(?:本地|本市|本县|本区|本省|当地|省内|市内|县内|区内|[\u4e00-\u9fa5]{2,6}(?:省|市|县|区)内?)"
)
# (what it restricts, the article, the pattern); case-insensitive for the English ones.
PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (what, article, re.compile(pattern, re.IGNORECASE))
    for what, article, pattern in (
        (
            "所在地",
            "Implementing Regulation art. 20(7)",
            r"(?:本地|本市|本县|本区|本省|当地|省内|市内|县内|区内)(?:注册|登记)?的?"
            r"(?:企业|供应商|公司|厂商|法人|单位)"
            r"|注册地(?:址)?(?:须|必须|应|需)?(?:在|为|位于)"
            r"|(?:须|必须|应|需)在[\u4e00-\u9fa5]{1,8}(?:设有|设立|注册)"
            r"(?:分公司|分支机构|办事处|常设机构|服务机构|服务网点|营业场所)?",
        ),
        (
            "location",
            "Implementing Regulation art. 20(7)",
            r"\blocal(?:ly)?[- ]registered\b|\bregistered (?:in|within) (?:the |this )?"
            r"(?:city|province|county|region|district)\b|\blocal (?:suppliers?|compan(?:y|ies)|"
            r"enterprises?|firms?) only\b|\b(?:office|branch) (?:in|within) (?:the |this )?"
            r"(?:city|province|county)\b",
        ),
        (
            "特定行政区域的业绩、奖项",
            "Implementing Regulation art. 20(4)",
            PLACE + r"的?(?:业绩|项目经验|奖项|获奖)",
        ),
        (
            "所有制形式",
            "Implementing Regulation art. 20(7)",
            r"所有制|(?:仅限|限于|须为|必须为|只接受|优先(?:考虑)?)(?:国有|国营|中央|央企|国企|民营|"
            r"私营|集体|外资|内资)|(?:国有|国营|民营|私营|外资)(?:企业|控股)?(?:方可|优先|除外)",
        ),
        (
            "ownership",
            "Implementing Regulation art. 20(7)",
            r"\b(?:state|privately|foreign)[- ]owned\b|\bownership\b",
        ),
        (
            "规模条件",
            "Implementing Regulation art. 20(2); MOF Order 87 art. 17 (unverified)",
            r"(?:注册资本|注册资金|资产总额|净资产|营业收入|营业额|从业人员|员工人数|职工人数|年产值|"
            r"纳税额|利润)[^，。；,;]{0,8}(?:不低于|不少于|不得低于|达到|以上|≥|>=|超过|\d)"
            r"|规模以上|(?:大型|中型)(?:企业|公司)",
        ),
        (
            "size",
            "Implementing Regulation art. 20(2); MOF Order 87 art. 17 (unverified)",
            r"\bregistered capital\b|\bannual (?:revenue|turnover)\b|\btotal assets\b|"
            r"\bnumber of (?:employees|staff)\b|\bat least \d+ (?:employees|staff)\b|"
            r"\blarge[- ]sized? (?:enterprises?|compan(?:y|ies))\b",
        ),
    )
)


def scan(path: str, text: str) -> list[dict]:
    found = []
    for what, article, pattern in PATTERNS:
        match = pattern.search(text)
        if match:
            warning = RULE.warning(
                around(text, match.start(), match.end()),
                f"以{what}限制或者排斥潜在供应商：「{match.group(0)}」",
                path,
            )
            found.append({**warning, "article": article})
    return found


@builtin(HOOK, RULE.code)
async def gpcloud_check_publication(subject: dict, tenant: Any) -> list[dict] | None:
    return [warning for path, text in texts(subject) for warning in scan(path, text)]
