"""Each built-in publication rule on subjects as the hook receives them: what it warns about,
with which article, and what it leaves alone (the rules read the tenant's effective rules and
the calendar from the database)."""

from __future__ import annotations

import re

import pytest

from gpcloud.core.plugins.hooks import tenant_context
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.supervision.warnings.rules import (
    RULES,
    bid_period,
    brand_names,
    price_weight,
    restrictive_terms,
    splitting,
)


def subject(kind="documents", method="open_tender", object_type="goods", **extra) -> dict:
    base = {
        "kind": kind,
        "reference": f"project:1:{kind}",
        "on": "2026-09-21",
        "project": {
            "id": 1,
            "plan_id": 1,
            "title": "测试项目",
            "method": method,
            "object_type": object_type,
            "category_code": "A02010104",
            "budget": "100000.00",
            "purchaser_id": 1,
            "status": "tendering",
            "bid_deadline": "2026-10-12",
        },
        "texts": [],
    }
    return base | extra


def documents(price_weight=30, version=1, **texts) -> dict:
    return {
        "documents": {
            "version": version,
            "requirements": [],
            "qualification": [],
            "compliance": [],
            "criteria": [],
            "price_weight": price_weight,
        },
        "texts": [{"path": p, "text": t} for p, t in texts.items()],
    }


@pytest.fixture
async def xingning():
    scope = (await tenant_tree()).scope_for("441481")
    with use_scope(scope):
        yield await tenant_context("441481")


async def rules_of(module, subject: dict, tenant) -> list[dict]:
    return await module.gpcloud_check_publication(subject=subject, tenant=tenant) or []


def test_every_rule_cites_its_basis_and_has_a_stable_code():
    assert set(RULES) == {
        "bid_period",
        "restrictive_terms",
        "brand_names",
        "price_weight",
        "splitting",
        "banned_supplier",
    }
    for rule in RULES.values():
        assert rule.article and rule.title
        # Each source is a statute of /domain/law by article, or marked unverified.
        for source in rule.article.split(";"):
            assert re.search(r"(Law|Regulation) arts?\. \d+", source) or source.endswith(
                "(unverified)"
            ), source


@pytest.mark.parametrize(
    ("method", "object_type", "weight", "found"),
    [
        ("competitive_consultation", "goods", 70, "不高于60%"),
        ("competitive_consultation", "goods", 20, "不低于30%"),
        ("competitive_consultation", "services", 35, "不高于30%"),
        ("competitive_consultation", "goods", 45, None),
        ("open_tender", "goods", 25, "不低于30%"),
        ("open_tender", "services", 10, None),
        ("open_tender", "works", 0, None),
    ],
)
async def test_price_weight_bounds(xingning, method, object_type, weight, found):
    warnings = await rules_of(
        price_weight, subject("documents", method, object_type, **documents(weight)), xingning
    )
    if found is None:
        assert warnings == []
    else:
        [warning] = warnings
        assert found in warning["message"] and warning["matched"] == f"{weight}%"
        assert "(unverified)" in warning["article"]


@pytest.mark.parametrize(
    ("text", "article"),
    [
        ("投标人注册资本不低于5000万元", "art. 20(2)"),
        ("从业人员不少于200人", "art. 20(2)"),
        ("国有企业优先", "art. 20(7)"),
        ("须在兴宁市设有售后服务网点", "art. 20(7)"),
        ("具有广东省内的业绩", "art. 20(4)"),
        ("Bidders must be locally registered.", "art. 20(7)"),
        ("Only state-owned enterprises may bid.", "art. 20(7)"),
        ("A registered capital of at least CNY 50 million.", "art. 20(2)"),
    ],
)
async def test_restrictive_terms_in_chinese_and_english(xingning, text, article):
    found = await rules_of(
        restrictive_terms,
        subject(**documents(**{"documents.qualification[0].item": text})),
        xingning,
    )
    assert found and article in found[0]["article"]
    assert found[0]["path"] == "documents.qualification[0].item"


@pytest.mark.parametrize(
    "text",
    [
        "具有独立承担民事责任的能力",
        "近三年同类项目业绩",
        "ISO 9001 certified",
        "具有良好的商业信誉",
    ],
)
async def test_ordinary_qualification_terms_pass(xingning, text):
    found = await rules_of(
        restrictive_terms,
        subject(**documents(**{"documents.qualification[0].item": text})),
        xingning,
    )
    assert found == []


async def test_wording_that_locks_a_brand_warns_and_plain_requirements_pass(xingning):
    locked = subject(**documents(**{"documents.requirements[0].spec": "品牌须为某某，不接受替代"}))
    [warning] = await rules_of(brand_names, locked, xingning)
    assert "品牌须为" in warning["matched"] and "20(3)" in warning["article"]
    english = subject(**documents(**{"body": "Sole-source: no equivalents accepted."}))
    assert len(await rules_of(brand_names, english, xingning)) == 1
    plain = subject(**documents(**{"documents.requirements[0].spec": "CPU 8核，内存16GB"}))
    assert await rules_of(brand_names, plain, xingning) == []


async def test_bid_periods_by_method_and_correction(xingning):
    # A consultation's documents to responses: 10 d (Caiku [2014] 214 art. 10, unverified).
    short = subject("tender", "competitive_consultation", bid_deadline="2026-09-30")
    [warning] = await rules_of(bid_period, short, xingning)
    assert warning["article"] == "Caiku [2014] 214 art. 10 (unverified)"
    # 21 Sep + 10 d is 1 Oct, National Day: the period ends on the next working day.
    assert "最早为2026-10-08" in warning["message"]
    enough = subject("tender", "competitive_consultation", bid_deadline="2026-10-08")
    assert await rules_of(bid_period, enough, xingning) == []
    # A tender's: 20 d (Government Procurement Law art. 35, verified).
    [tender] = await rules_of(bid_period, subject("tender", bid_deadline="2026-10-09"), xingning)
    assert tender["article"] == "Government Procurement Law art. 35"
    # A correction affecting bids needs 15 d before the deadline; one that does not, nothing.
    late = subject("correction", bid_deadline="2026-10-01", affects_bids=True)
    assert len(await rules_of(bid_period, late, xingning)) == 1
    harmless = subject("correction", bid_deadline="2026-10-01", affects_bids=False)
    assert await rules_of(bid_period, harmless, xingning) == []
    # Documents of a project not yet announced have no deadline to check against.
    entrusted = subject(**documents())
    entrusted["project"] = entrusted["project"] | {"status": "entrusted", "bid_deadline": None}
    assert await rules_of(bid_period, entrusted, xingning) == []


def test_over_limit_is_the_one_sum_of_pieces():
    assert splitting.over_limit([100, 200], 300) is None
    assert splitting.over_limit([100, 201], 300) == 301
    assert splitting.over_limit([10**9], None) is None


async def test_splitting_looks_only_at_tenders_below_open_tender(xingning):
    assert await rules_of(splitting, subject("tender", "open_tender"), xingning) == []
    assert await rules_of(splitting, subject("documents", "request_for_quotation"), xingning) == []
