"""What every publication rule shares: its identity (code, legal basis, title), the warning it
returns, and the texts of a subject it reads (the subject's shape is gpcloud_check_publication's
in core/plugins/hookspecs.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

HOOK = "gpcloud_check_publication"
KINDS = ("documents", "tender", "correction", "result")
LEVELS = ("block", "warn", "off")
RULE_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")
MAX_MATCHED = 200  # characters of matched text kept with a warning


@dataclass(frozen=True)
class Rule:
    code: str  # stable: tenant config and overrides name it
    article: str  # its legal basis, cited from /domain/law or marked (unverified)
    title: str  # Chinese, for people

    def warning(self, matched: str, message: str, path: str = "") -> dict:
        """A warning as gpcloud_check_publication returns it."""
        return {
            "rule": self.code,
            "article": self.article,
            "matched": matched[:MAX_MATCHED],
            "message": message,
            "path": path,
        }


def texts(subject: dict, *prefixes: str) -> Iterator[tuple[str, str]]:
    """(path, text) of the subject's texts whose path starts with one of `prefixes` (all when
    none is given)."""
    for item in subject.get("texts", ()):
        if not prefixes or item["path"].startswith(prefixes):
            yield item["path"], item["text"]


def flatten(value: object, path: str) -> Iterator[tuple[str, str]]:
    """Every string inside a JSON value, with its path (documents' items are free-form dicts)."""
    if isinstance(value, str):
        if value.strip():
            yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from flatten(inner, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            yield from flatten(inner, f"{path}[{index}]")


def around(text: str, start: int, end: int, margin: int = 12) -> str:
    """The matched part of `text` with a little context, as a warning shows it."""
    left, right = max(0, start - margin), min(len(text), end + margin)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")
