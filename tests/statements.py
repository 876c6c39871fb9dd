"""Counting the SQL statements the app sends, for tests that pin what an operation costs."""

from __future__ import annotations

from contextlib import contextmanager

import aiosqlite
import asyncpg

from gpcloud.core.db import is_sqlite

# What the drivers send statements through (piccolo's queries, its BEGIN and COMMIT on
# PostgreSQL, the advisory locks, core.db.bulk_insert): none of them calls another.
POSTGRES = (asyncpg.Connection, ("execute", "executemany", "fetch", "fetchrow", "fetchval"))
SQLITE = (aiosqlite.Connection, ("execute", "executemany", "commit"))


class Statements:
    """The statements sent while `recording()` is open: `sql` in order, `n` their number.
    BEGIN and COMMIT count (SQLite: piccolo commits each query outside a transaction)."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    @property
    def n(self) -> int:
        return len(self.sql)

    def listed(self) -> str:
        return "\n".join(f"{i} {' '.join(s.split())[:160]}" for i, s in enumerate(self.sql, 1))


@contextmanager
def recording(monkeypatch):
    found = Statements()
    driver, names = SQLITE if is_sqlite() else POSTGRES
    with monkeypatch.context() as patch:
        for name in names:
            patch.setattr(driver, name, _counted(getattr(driver, name), name, found))
        yield found


def _counted(method, name: str, found: Statements):
    def counted(this, *args, **kwargs):  # what the method returns, awaited by its caller
        sql = str(args[0]) if args else name.upper()
        if not sql.startswith("PRAGMA"):  # piccolo's SQLite sets up each connection it opens
            found.sql.append(sql)
        return method(this, *args, **kwargs)

    return counted
