"""Every hookspec states its options, is documented in docs/plugins.md, and is exercised by a
test (the idea of datasette's test_docs.py and test_plugins.py, made harder to satisfy: the
documentation must agree with the spec, and a test must make the hook run)."""

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from gpcloud.core.plugins.calling import HOOKS, STYLES, declaration
from gpcloud.core.plugins.registry import get_registry
from tests.plugins.exercise import exercised

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugins.md"
HEADING = re.compile(r"^### (gpcloud_\w+)\((.*)\)$", re.M)


def spec(hook: str):
    return getattr(get_registry().pm.hook, hook).spec


def documented() -> dict[str, tuple[str, str]]:
    """hook -> (its heading's arguments, its section's text), from docs/plugins.md."""
    text = DOCS.read_text(encoding="utf-8")
    headings = list(HEADING.finditer(text))
    ends = [h.start() for h in headings[1:]] + [text.find("\n## ", headings[-1].end())]
    return {h[1]: (h[2], text[h.end() : end]) for h, end in zip(headings, ends, strict=True)}


@cache
def exercising_tests() -> dict[str, set[str]]:
    """hook -> the tests that open `with exercised(<hook>, ...)`, read from the test modules'
    syntax trees (a name in a comment, a string or a helper does not count; the block itself
    fails unless the hook runs)."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = any(
            isinstance(node, ast.ImportFrom)
            and node.module == "tests.plugins.exercise"
            and any(alias.name == "exercised" for alias in node.names)
            for node in tree.body
        )
        if not imported:
            continue
        for test in tree.body:
            if not isinstance(test, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if not test.name.startswith("test_"):
                continue
            for node in ast.walk(test):
                if not isinstance(node, ast.With | ast.AsyncWith):
                    continue
                for item in node.items:
                    call = item.context_expr
                    if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "exercised":
                        for arg in call.args:
                            if isinstance(arg, ast.Constant):
                                found.setdefault(arg.value, set()).add(f"{path.name}::{test.name}")
    return found


@pytest.mark.parametrize("hook", HOOKS)
def test_hookspec_declares_firstresult_and_call_style(hook):
    declared = declaration(hook)
    assert declared, f"{hook}: its docstring lacks 'Firstresult: yes|no. Call style: call|...'"
    assert declared[0] == spec(hook).opts["firstresult"], f"{hook}: firstresult disagrees"
    assert not spec(hook).opts["historic"], f"{hook}: no gpcloud hook is historic"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_with_its_arguments_and_options(hook):
    sections = documented()
    assert hook in sections, f"docs/plugins.md has no '### {hook}(...)' section"
    arguments, body = sections[hook]
    assert arguments == ", ".join(spec(hook).argnames)
    firstresult = "yes" if spec(hook).opts["firstresult"] else "no"
    assert f"Firstresult: {firstresult}. Call style: `{STYLES[hook]}`." in " ".join(body.split())
    assert "- Arguments:" in body and "- Returns:" in body


def test_no_section_documents_a_hook_that_does_not_exist():
    assert set(documented()) <= set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_exercised_by_a_test(hook):
    assert exercising_tests().get(hook), (
        f"no test runs {hook} inside `with exercised({hook!r})` (tests/plugins/exercise.py)"
    )


def test_an_exercised_block_fails_when_the_hook_does_not_run():
    hook = "gpcloud_push_payment"  # a variable: this test must not count as exercising it
    with pytest.raises(AssertionError, match="no plugin implementation of"), exercised(hook):
        pass
    with pytest.raises(AssertionError, match="no such hookspec"), exercised("gpcloud_typo"):
        pass
