"""pack_cursor_sql writes, in PostgreSQL, the cursor pack_cursor writes (core/pagination.py)."""

from __future__ import annotations

import pytest

from gpcloud.core.db import is_sqlite
from gpcloud.core.pagination import pack_cursor, pack_cursor_sql
from gpcloud.piccolo_conf import DB

VALUES = [
    ("t", "2026-03-01", "2026-03-01T10:00:00.000001+00:00", "7"),
    ("s", "12"),
    ("x", "中文 and 😀", "a|b", "'quote'", "\\backslash"),
    ("k", "y" * 200),  # longer than a line of encode()'s base64
    ("t", "", ""),
]


@pytest.mark.parametrize("values", VALUES)
async def test_the_database_writes_the_same_cursor(deployment, values):
    if is_sqlite():
        pytest.skip("PostgreSQL's SQL")
    kind, *parts = values
    literals = ["'" + p.replace("'", "''") + "'" for p in parts]
    rows = await DB.run_ddl(f"SELECT {pack_cursor_sql(kind, *literals)} AS cursor")
    assert rows[0]["cursor"] == pack_cursor(kind, *parts)
