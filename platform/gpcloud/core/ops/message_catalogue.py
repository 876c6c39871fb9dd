"""The message catalogue's msgids, written from the source (`gpcloud export-messages`).

Every message next to a stable code (the same reading of the source as docs/errors.md) becomes
an entry of context <code>; every thing `NotFound` names an entry of context "noun". Writing
keeps the translations of the entries that are still in the source and drops the others, so a
changed message shows up untranslated (tests/ops/test_messages.py counts them).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from gpcloud.core.i18n import NOUN, path_of
from gpcloud.core.ops.error_catalogue import collect, nouns

CJK = re.compile(r"[\u4e00-\u9fff]")


def entries() -> list[tuple[str, str]]:
    """(context, msgid) of every message to translate: those written in Chinese already are not."""
    found = [
        (entry.code, template)
        for entry in collect().values()
        for template in entry.templates
        if not CJK.search(template)
    ]
    return sorted(set(found)) + [(NOUN, noun) for noun in nouns()]


def render(locale: str = "zh_CN") -> str:
    path = path_of(locale)
    old = {}
    if path.exists():
        with path.open("rb") as f:
            old = {(m.context, m.id): m.string for m in read_po(f, locale=locale) if m.id}
    catalogue = Catalog(
        locale=locale,
        project="gpcloud",
        header_comment="# gpcloud's messages. The msgids are written by `uv run gpcloud "
        "export-messages`;\n# translate the msgstrs. {0}, {1} are the values, in any order.",
        charset="utf-8",
    )
    for context, msgid in entries():
        catalogue.add(msgid, old.get((context, msgid), ""), context=context)
    out = io.BytesIO()
    write_po(out, catalogue, width=100, omit_header=False, sort_output=True)
    text = out.getvalue().decode("utf-8")
    # The header's dates change on every run: keep the file stable.
    return re.sub(r'"(POT-Creation-Date|PO-Revision-Date): [^"]*\\n"\n', "", text)


def write(locale: str = "zh_CN") -> Path:
    path = path_of(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(locale), encoding="utf-8")
    return path


def untranslated(locale: str = "zh_CN") -> list[tuple[str, str]]:
    with path_of(locale).open("rb") as f:
        return [(m.context, m.id) for m in read_po(f, locale=locale) if m.id and not m.string]
