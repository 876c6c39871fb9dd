"""Messages in the user's language: one message catalogue (gettext, read with Babel).

The platform's messages are written in English in the code, next to their stable code; the
catalogue (`platform/gpcloud/locale/<language>/LC_MESSAGES/messages.po`) holds each message as a
template (msgctxt: the code; msgid: the English with {0}, {1} for its values; msgstr: the
translation, which may reorder the values). `gpcloud export-messages` writes the msgids from the
source, keeping the translations. Messages reach people in Chinese unless the request asks for
English (Accept-Language); programs read the code, which never changes.

A value that names a thing (`NotFound("plan", 7)`: "plan") is translated too, from the
entries of context "noun". A message the catalogue does not know is shown as written.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DEFAULT = "zh_CN"
SOURCE = "en"  # the language the code is written in
LANGUAGES = {"zh": "zh_CN", "en": SOURCE}
NOUN = "noun"
HOLE = re.compile(r"\{(\d+)\}")

language: ContextVar[str] = ContextVar("gpcloud_language", default=DEFAULT)


def negotiate(header: str | None) -> str:
    """The language to answer in, from an Accept-Language header: the first supported one by
    preference, else Chinese."""
    ranked = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > 0:
            ranked.append((-q, i, LANGUAGES[primary]))
    return min(ranked)[2] if ranked else DEFAULT


@dataclass(frozen=True)
class Template:
    source: str
    pattern: re.Pattern
    order: tuple[int, ...]  # the hole numbers in the order the values appear in the source
    target: str
    # The same with greedy holes: "{0} {1} not found" splits "audit entry 7 not found" at the
    # last space, so that a noun of several words is one value.
    greedy: re.Pattern


def _pattern(source: str, hole: str = "(.*?)") -> tuple[re.Pattern, tuple[int, ...]]:
    parts, order, last = [], [], 0
    for match in HOLE.finditer(source):
        literal = source[last : match.start()].replace("{{", "{").replace("}}", "}")
        parts.append(re.escape(literal))
        parts.append(hole)
        order.append(int(match.group(1)))
        last = match.end()
    parts.append(re.escape(source[last:].replace("{{", "{").replace("}}", "}")))
    return re.compile("".join(parts), re.DOTALL), tuple(order)


@dataclass(frozen=True)
class Catalogue:
    exact: dict[tuple[str, str], str]  # (code, message without values): translation
    templates: dict[str, tuple[Template, ...]]  # code: its templates with values
    nouns: dict[str, str]

    def translate(self, code: str, message: str) -> str:
        found = self.exact.get((code, message))
        if found is not None:
            return found
        for template in self.templates.get(code, ()):
            match = template.pattern.fullmatch(message)
            if match is None:
                continue
            found = match.groups()
            if not any(v in self.nouns for v in found):
                greedy = template.greedy.fullmatch(message)
                if greedy is not None and any(v in self.nouns for v in greedy.groups()):
                    found = greedy.groups()
            values = [""] * (max(template.order) + 1)
            for number, value in zip(template.order, found, strict=True):
                values[number] = self.nouns.get(value, value)
            return template.target.format(*values)
        return message


def path_of(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


@cache
def catalogue(locale: str) -> Catalogue:
    exact: dict[tuple[str, str], str] = {}
    templates: dict[str, list[Template]] = {}
    nouns: dict[str, str] = {}
    path = path_of(locale)
    if path.exists():
        with path.open("rb") as f:
            po = read_po(f, locale=locale)
        for message in po:
            if not message.id or not message.string or message.fuzzy:
                continue
            if message.context == NOUN:
                nouns[message.id] = message.string
            elif HOLE.search(message.id):
                pattern, order = _pattern(message.id)
                greedy, _ = _pattern(message.id, "(.*)")
                templates.setdefault(message.context, []).append(
                    Template(message.id, pattern, order, message.string, greedy)
                )
            else:
                exact[(message.context, message.id.replace("{{", "{").replace("}}", "}"))] = (
                    message.string.replace("{{", "{").replace("}}", "}")
                )
    # The most literal text first: "a title of {0} characters" before "{0}".
    ordered = {
        code: tuple(sorted(found, key=lambda t: -len(HOLE.sub("", t.source))))
        for code, found in templates.items()
    }
    return Catalogue(exact, ordered, nouns)


def translate(code: str, message: str, locale: str | None = None) -> str:
    """`message` (raised with `code`) in the current request's language."""
    locale = locale or language.get()
    if locale == SOURCE:
        return message
    return catalogue(locale).translate(code, message)
