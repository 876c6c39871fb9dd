"""docs/errors.md is the catalogue of every stable error code, as the code has them."""

import ast
import textwrap
from pathlib import Path

from gpcloud.core.ops.error_catalogue import ADVICE, collect, render

ROOT = Path(__file__).resolve().parents[2]


def test_docs_errors_is_current():
    committed = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/errors.md is stale: run `uv run gpcloud export-errors --output docs/errors.md`"
    )


def test_every_general_advice_names_a_code_the_platform_uses():
    used = collect()  # once: it parses the whole package
    assert [code for code in ADVICE if code not in used] == []


def test_codes_are_found_where_the_platform_raises_them(tmp_path):
    package = tmp_path / "gpcloud"
    (package / "shop").mkdir(parents=True)
    (package / "shop" / "service.py").write_text(
        textwrap.dedent(
            """
            import os
            def f(x):
                os.environ.get("GPCLOUD_SHOP", "x")
                if x:
                    raise DomainError("SHOP_CLOSED", f"closed until {x}", "day")
                problems = [Problem("NO_STOCK", "nothing left")]
                limits = (("TOO_MANY_ITEMS", "items", 3),)
                return {404: "NOT_HERE"}, text_problem(x, "name", "INVALID_NAME", 8), ("JSON", "JSONB")
            """
        ),
        encoding="utf-8",
    )
    ast.parse((package / "shop" / "service.py").read_text())
    entries = collect(package)
    assert sorted(entries) == [
        "INVALID_NAME",
        "NOT_HERE",
        "NO_STOCK",
        "SHOP_CLOSED",
        "TOO_MANY_ITEMS",
    ]
    assert entries["SHOP_CLOSED"].examples == ["closed until …"]
    assert entries["SHOP_CLOSED"].domains == {"shop"}
    assert "| `SHOP_CLOSED` | shop | “closed until …” |" in render(entries)
