"""Projections: PostgreSQL writes the JSON of an object's fields, byte for byte what strawberry
would answer, for compiled reads answered directly (core/graphql/direct.py).

Why (issue 20): after the compiled plan and the direct path, a page of 20 notices spent about
a quarter of its CPU turning rows into Python values, objects and JSON again; PostGraphile and
the raw SQL endpoint have PostgreSQL write the JSON. A type declares, per field, the SQL of its
JSON value (`declare`); where a compiled selection set of the type asks for nothing but such
fields, the root resolver above it is asked (`wanted`) for the select list of that JSON and
answers with `Raw` objects carrying the text the database wrote, which the plan's JSON takes
as it is (`encode`). A resolver that does not know projections returns objects as before.

Exactness: each field's SQL is written to match its scalar's serialisation (tested by the
differential test, tests/graphql/test_compiled_differential.py, on PostgreSQL); a non-null
field whose SQL gives null makes the run fall back (strawberry answers with its error); every
GraphQL response is UTF-8 JSON (`encode_json`), which PostgreSQL's text is already.
"""

from __future__ import annotations

import contextvars
import inspect
import json
import secrets
from dataclasses import dataclass, field

from gpcloud.core.db import is_sqlite, sql_text

# The JSON of one field: its SQL expression, and whether GraphQL allows it null.
Column = tuple[str, bool]

_DECLARED: dict[str, dict[str, Column]] = {}
# In the placeholders Raw texts leave in a response's data: unknown outside the process, so no
# data can hold one.
_NONCE = secrets.token_hex(8)
_ASKED: contextvars.ContextVar[Asked | None] = contextvars.ContextVar(
    "projection_asked", default=None
)
MAX_ALIAS = 63  # PostgreSQL truncates longer names, the JSON keys would differ


def declare(type_name: str, columns: dict[str, Column]) -> None:
    """The GraphQL object type `type_name`'s fields the database can write: field -> column."""
    _DECLARED[type_name] = columns


@dataclass(frozen=True)
class Select:
    """The select list a resolver adds for a projected type: `json` (the object's JSON text)
    and `null` (true where a non-null field is null: the run falls back)."""

    json: str
    null: str


def select_for(type_name: str, fields: list[tuple[str, str]]) -> Select | None:
    """The select list for these (response key, field name) of `type_name`, or None when one
    of them is not declared (`__typename` is a constant)."""
    columns = _DECLARED.get(type_name)
    if columns is None:
        return None
    items, required = [], []
    for key, name in fields:
        if len(key) > MAX_ALIAS:
            return None
        if name == "__typename":
            items.append(f'{sql_text(type_name)} AS "{key}"')
            continue
        column = columns.get(name)
        if column is None:
            return None
        sql, nullable = column
        items.append(f'{sql} AS "{key}"')
        if not nullable:
            required.append(f"({sql}) IS NULL")
    return Select(
        json=f"(SELECT row_to_json(p)::text FROM (SELECT {', '.join(items)}) AS p)",
        null=" OR ".join(required) or "false",
    )


class Raw(str):
    """An object's JSON as the database wrote it (a resolver's answer where `wanted`)."""

    __slots__ = ()


@dataclass(frozen=True)
class Asked:
    """What a compiled plan tells the resolver it calls: the select lists it wants (only where
    the response is spliced), and the fields selected below the resolver, by type."""

    selects: dict[str, Select]
    fields: dict[str, frozenset[str]]


def wanted(type_name: str) -> Select | None:
    """The select list the running plan wants for objects of `type_name` (None: objects).
    PostgreSQL only: the SQL of the declarations is PostgreSQL's."""
    asked = _ASKED.get()
    return None if asked is None or is_sqlite() else asked.selects.get(type_name)


def selected(type_name: str, field_name: str) -> bool:
    """Whether the response can hold `type_name.field_name` from the running resolver: False
    only where a compiled plan knows it does not, so the resolver may skip computing it."""
    asked = _ASKED.get()
    return asked is None or field_name in asked.fields.get(type_name, ())


async def asking(asked: Asked, call):
    """`call()`'s result, awaited if it is awaitable, with `asked` told (a resolver's
    coroutine runs in the context of the task that awaits it: made and awaited here)."""
    token = _ASKED.set(asked)
    try:
        result = call()
        return await result if inspect.isawaitable(result) else result
    finally:
        _ASKED.reset(token)


class NullInProjection(Exception):  # noqa: N818 - the plan falls back; strawberry words it
    """A non-null field's SQL gave null."""


def raws(rows: list[dict]) -> list[Raw]:
    """A resolver's Raw objects of rows read with a Select (its `json` and `null` columns, as
    `projected_json` and `projected_null`)."""
    if any(row["projected_null"] for row in rows):
        raise NullInProjection
    return [Raw(row["projected_json"]) for row in rows]


@dataclass
class Splices:
    """The Raw texts of one response, each standing in the data as a unique placeholder."""

    texts: list[str] = field(default_factory=list)

    def hold(self, raw: Raw) -> str:
        self.texts.append(raw)
        return f"\x00{_NONCE}{len(self.texts) - 1}"

    def encode(self, response: dict) -> bytes:
        """`response` as every GraphQL response is encoded (`encode_json`), Raw texts spliced
        in place of their placeholders."""
        if not self.texts:
            return encode_json(response)
        text = _dumps(response)
        mark = f'"\\u0000{_NONCE}'
        pieces = text.split(mark)
        out = [pieces[0]]
        for piece in pieces[1:]:
            number, _, rest = piece.partition('"')
            out.append(self.texts[int(number)])
            out.append(rest)
        return _utf8("".join(out))


def encode_json(data: object) -> bytes:
    """A GraphQL response's bytes (strawberry's controller encodes with this too): compact JSON
    in UTF-8, as RFC 8259 asks and as PostgreSQL writes it; a page of Chinese text is about half
    the size of json's ASCII escapes."""
    return _utf8(_dumps(data))


def _dumps(data: object) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _utf8(text: str) -> bytes:
    """A lone surrogate (only from a client's own escape, echoed in a message) as its JSON
    escape: it has no UTF-8."""
    return text.encode("utf-8", "backslashreplace")
