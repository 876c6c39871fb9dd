"""The staging lines an import writes in COPY's text format (core.imports.staging): what a
file may hold (tabs, newlines, backslashes, quotes, commas and braces in a list) reaches
PostgreSQL as it was."""

from datetime import date
from decimal import Decimal

import pytest

from gpcloud.core.db import is_sqlite, transaction
from gpcloud.core.imports.staging import copy_field, copy_line
from gpcloud.piccolo_conf import DB

ROWS = [
    (1, "兴宁市\t制表\\反斜杠\n换行\r回车\\N", date(2027, 6, 30), Decimal("4680.50"), ["441481"]),
    (2, None, None, None, None),
    (3, "", date(2026, 1, 1), Decimal("0.00"), []),
    (4, '"引号" \\. ,', date(2026, 1, 1), Decimal("1E+2"), ["a,b", "{c}", 'd"e', "f\\g", None]),
]


def test_fields_in_copy_text():
    assert copy_field(None) == "\\N"
    assert copy_field("a\tb\\") == "a\\tb\\\\"
    assert copy_field(True) == "t"
    assert copy_field(["441400", "441481"]) == '{"441400","441481"}'
    assert copy_line((7, None, date(2026, 1, 2))) == "7\t\\N\t2026-01-02\n"
    with pytest.raises(TypeError):
        copy_field(object())


@pytest.mark.skipif(is_sqlite(), reason="COPY is PostgreSQL's")
async def test_lines_reach_postgresql_as_they_were():
    async with transaction():
        connection = DB.current_transaction.get().connection
        await connection.execute(
            "CREATE TEMP TABLE copy_check (n integer, t text, d date, m numeric, a text[])"
            " ON COMMIT DROP"
        )
        data = memoryview("".join(copy_line(row) for row in ROWS).encode())
        await connection.copy_to_table("copy_check", source=data, format="text")
        found = await connection.fetch("SELECT n, t, d, m, a FROM copy_check ORDER BY n")
    assert [tuple(r) for r in found] == [
        (n, t, d, m, list(a) if a is not None else None) for n, t, d, m, a in ROWS
    ]
