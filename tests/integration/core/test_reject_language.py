"""Reject reports in the reader's language (issue 21, item 7): a registry import's report is in
Chinese by default, header, column labels and reasons from the message catalogue, with English
only where the file itself said it; in English when that is the language asked for."""

import csv
import io

from gpcloud.core import i18n
from gpcloud.core.imports.runner import get_spec, run_import
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from tests.integration.registries.purchasers.test_purchaser_import import HEADER, write_csv

ROWS = [
    ["441481901", "", "not-a-code", "", "12", "", "", ""],
    ["441481902", "兴宁市示例单位", "", "", "", "", "", ""],
    ["441481902", "兴宁市示例单位二", "", "", "", "", "", ""],
    ["441481903", "兴宁市示例单位三", "", "", "", "", "", "nonsense"],
]


async def report(tmp_path, language: str) -> list[dict]:
    path = write_csv(tmp_path / "in.csv", HEADER, ROWS)
    token = i18n.language.set(language)
    try:
        with use_scope((await tenant_tree()).scope_for("441481")):
            await run_import(get_spec("purchasers"), path, "441481", tmp_path / language)
    finally:
        i18n.language.reset(token)
    text = (tmp_path / language / "rejects.csv").read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


async def test_a_registry_report_is_in_chinese_by_default(tmp_path, demo):
    rows = await report(tmp_path, i18n.DEFAULT)
    assert list(rows[0])[:4] == ["行号", "拒绝原因", "预算单位编码", "单位名称"]
    first = rows[0]["拒绝原因"]
    assert "单位名称：必填" in first, first
    assert "统一社会信用代码" in first and "不是有效的统一社会信用代码" in first, first
    assert "联系电话：" in first and "phone" not in first, first
    assert rows[1]["拒绝原因"] == "budget_unit_code 441481902 也出现在第 3 行"
    assert rows[2]["拒绝原因"].startswith("状态：应为 active, 正常")
    assert "required" not in " ".join(r["拒绝原因"] for r in rows)


async def test_a_registry_report_in_english_when_asked(tmp_path, demo):
    rows = await report(tmp_path, i18n.SOURCE)
    assert list(rows[0])[:4] == ["row", "reasons", "budget_unit_code", "name"]
    assert "name: required" in rows[0]["reasons"]
