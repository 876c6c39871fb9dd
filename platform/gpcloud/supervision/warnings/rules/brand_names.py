"""Brand names or one supplier's specifications in the requirements: the requirements point at
a particular supplier or product, or limit or name a patent, trademark, brand or supplier
(Implementing Regulation art. 20(3) and (6)). Looks for the brands and models of the goods
registry (商品库) and for wording that names or locks a brand, in the documents' requirements
and compliance items and in an announcement's text."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from gpcloud.core.plugins.hooks import builtin
from gpcloud.registries.goods.service.items import brands_and_models
from gpcloud.supervision.warnings.common import HOOK, Rule, around, texts

RULE = Rule(
    "brand_names", "Implementing Regulation art. 20(3), (6)", "指定品牌或者特定供应商的技术规格"
)
WHERE = ("documents.requirements", "documents.compliance", "title", "body")
WORDING = re.compile(
    r"指定(?:品牌|厂家|厂商|型号|产品|供应商)|(?:品牌|厂家|厂商|型号)(?:须为|必须为|限定为|仅限|只能为)"
    r"|独家(?:代理|供应|生产)|\bbrand (?:must|shall|only)\b|\bsole[- ]source\b"
    r"|\bno (?:substitutes?|equivalents?)\b",
    re.IGNORECASE,
)
MIN_MODEL = 4  # shorter model names ("A1") are too common to point at one product


@lru_cache(maxsize=8)
def _names(names: frozenset[str], least: int) -> tuple[tuple[str, str], ...]:
    """(case-folded, as registered) for every name of at least `least` characters, longest
    first; prepared once per registry state."""
    usable = sorted((n for n in names if len(n) >= least), key=lambda n: (-len(n), n))
    return tuple((n.casefold(), n) for n in usable)


def _find(text: str, brands: frozenset[str], models: frozenset[str]) -> tuple[str, str] | None:
    """(what was matched, why) for the first thing in `text` that names a product."""
    if match := WORDING.search(text):
        return around(text, match.start(), match.end()), f"限定或者指定品牌、厂家：「{match[0]}」"
    folded = text.casefold()
    for names, least, what in ((models, MIN_MODEL, "型号"), (brands, 2, "品牌")):
        for key, name in _names(names, least):
            if key in folded:
                at = folded.index(key)
                matched = around(text, at, at + len(key))
                return matched, f"采购需求出现商品库中的{what}「{name}」，指向特定产品"
    return None


@builtin(HOOK, RULE.code)
async def gpcloud_check_publication(subject: dict, tenant: Any) -> list[dict] | None:
    pieces = list(texts(subject, *WHERE))
    if not pieces:
        return None
    brands, models = await brands_and_models()
    found = []
    for path, text in pieces:
        hit = _find(text, brands, models)
        if hit:
            found.append(RULE.warning(hit[0], hit[1], path))
    return found
