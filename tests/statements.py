"""Counting the SQL statements the app sends, for tests that pin what an operation costs."""

from __future__ import annotations

from contextlib import contextmanager

from gpcloud.piccolo_conf import DB


class Statements:
    """The statements sent through piccolo's two entry points (queries, and raw DDL such as the
    advisory locks) while `recording()` is open: `sql` in order, `n` their number."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    @property
    def n(self) -> int:
        return len(self.sql)


@contextmanager
def recording(monkeypatch):
    found = Statements()
    engine = type(DB)
    run_querystring, run_ddl = engine.run_querystring, engine.run_ddl

    async def counted(this, querystring, *args, **kwargs):
        found.sql.append(str(querystring))
        return await run_querystring(this, querystring, *args, **kwargs)

    async def counted_ddl(this, ddl, *args, **kwargs):
        found.sql.append(str(ddl))
        return await run_ddl(this, ddl, *args, **kwargs)

    monkeypatch.setattr(engine, "run_querystring", counted)
    monkeypatch.setattr(engine, "run_ddl", counted_ddl)
    try:
        yield found
    finally:
        monkeypatch.setattr(engine, "run_querystring", run_querystring)
        monkeypatch.setattr(engine, "run_ddl", run_ddl)
