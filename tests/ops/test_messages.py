"""The message catalogue (core/i18n): messages reach people in Chinese, or in English when the
request asks for it; the code never changes; the catalogue holds every message of the source."""

from __future__ import annotations

import pytest

from gpcloud.core.i18n import SOURCE, negotiate, path_of, translate
from gpcloud.core.ops.message_catalogue import render, untranslated

# Messages of the source not yet translated; lower it as they are (new code adds none).
UNTRANSLATED_CAP = 0


def test_the_committed_catalogue_holds_every_message_of_the_source():
    assert path_of("zh_CN").read_text(encoding="utf-8") == render(), (
        "the catalogue is stale: run `uv run gpcloud export-messages` and translate what it adds"
    )


def test_every_message_is_translated():
    missing = untranslated()
    assert len(missing) <= UNTRANSLATED_CAP, missing[:20]


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("NOT_FOUND", "plan 7 not found", "未找到采购计划 7"),  # the noun translated too
        ("NOT_FOUND", "audit entry 160 not found", "未找到审计记录 160"),  # a noun of two words
        (
            "CONFLICT",
            "the plan changed while you were acting (it is filed now, it was draft): "
            "reload it and try again",
            "该采购计划在您操作期间已被修改（原为draft，现为filed）：请刷新后重试",  # reordered
        ),
        (
            "ITEM_IS_AUTOMATIC",
            "用户权限已配置 is decided from the data, not ticked",
            "用户权限已配置由数据自动判定，无需勾选",
        ),
        ("INVALID_TITLE", "a title of 2 to 200 characters", "标题 2 至 200 个字符"),
        (  # who the budget is for is part of the template, not an English value
            "QUERY_TOO_COSTLY",
            "the query costs 364206; a logged-in user's budget is 250000 (each list multiplies "
            "what it selects by its size: ask for smaller pages or fewer nested lists)",
            "查询成本为 364206；登录用户的预算为 250000（每个列表按其条数放大所选内容：请减小分页或"
            "减少嵌套列表）",
        ),
        (
            "INVALID_TITLE",
            "a message the catalogue does not know",
            "a message the catalogue does not know",
        ),
        ("NO_SUCH_CODE", "a title of 2 to 200 characters", "a title of 2 to 200 characters"),
    ],
)
def test_a_message_is_translated_by_its_code_and_template(code, message, expected):
    assert translate(code, message, "zh_CN") == expected
    assert translate(code, message, SOURCE) == message


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "zh_CN"),
        ("", "zh_CN"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("en;q=0.5, zh;q=0.9", "zh_CN"),
        ("fr-FR", "zh_CN"),
        ("en;q=0", "zh_CN"),
        ("en;q=x", "zh_CN"),
    ],
)
def test_the_language_follows_accept_language_and_defaults_to_chinese(header, language):
    assert negotiate(header) == language


async def test_the_api_answers_in_the_requests_language(client):
    query = '{ rolloutStatus(regionCode: "999999") { live } }'
    chinese = await client.post("/graphql", json={"query": query})
    english = await client.post(
        "/graphql", json={"query": query}, headers={"accept-language": "en-GB,en;q=0.9"}
    )
    (zh,), (en,) = chinese.json()["errors"], english.json()["errors"]
    assert zh["extensions"]["code"] == en["extensions"]["code"] == "NOT_FOUND"
    assert zh["message"] == "未找到地区 999999" and en["message"] == "region 999999 not found"
    big = await client.post(
        "/graphql", content=b"{" + b" " * 2_000_000 + b"}", headers={"accept-language": "en"}
    )
    assert big.status_code == 413 and "bytes" in big.json()["errors"][0]["message"]
