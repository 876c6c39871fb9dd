"""Database helpers: the one place where SQLite and PostgreSQL behave differently."""

from __future__ import annotations

import asyncio
import contextvars
import json
import re
import string
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import lru_cache

from piccolo.columns.combination import Where
from piccolo.columns.operators.comparison import ComparisonOperator
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from gpcloud.core.request_limits import commit_begins
from gpcloud.core.tenancy.tables import TenantOwned, check_tenants
from gpcloud.piccolo_conf import DB

_after_commit: contextvars.ContextVar[list[Callable[[], Awaitable[None]]] | None] = (
    contextvars.ContextVar("after_commit", default=None)
)


def is_sqlite() -> bool:
    return isinstance(DB, SQLiteEngine)


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """One transaction; nested calls join the outer one.

    On SQLite it takes the write lock at BEGIN (IMMEDIATE), so concurrent writers queue on the
    busy timeout instead of failing when a read lock is upgraded. Callbacks registered with
    `after_commit` run once the outermost transaction has committed. As the commit begins, a
    request's time limit stops (core.request_limits.commit_begins): what committed is answered.
    """
    if DB.current_transaction.get() is not None:
        yield
        return
    pending: list[Callable[[], Awaitable[None]]] = []
    token = _after_commit.set(pending)
    try:
        if is_sqlite():
            async with DB.transaction(transaction_type=TransactionType.immediate):
                yield
                commit_begins()
        else:
            async with _Begun(DB.transaction()):
                yield
                commit_begins()
    finally:
        _after_commit.reset(token)
    for callback in pending:
        await callback()


class _Begun:
    """piccolo's PostgreSQL transaction, with its connection given back if the task is cancelled
    while it begins (a request's time limit): piccolo takes the connection and sends BEGIN in
    its __aenter__, and a cancel there skipped __aexit__, leaving the connection out of the
    pool, idle in transaction, for good. Releasing it rolls the transaction back (asyncpg)."""

    def __init__(self, inner):
        self.inner = inner

    async def __aenter__(self):
        try:
            return await self.inner.__aenter__()
        except BaseException:
            connection = getattr(self.inner, "connection", None)
            if connection is not None and DB.pool is not None:
                await asyncio.shield(DB.pool.release(connection))
            raise

    async def __aexit__(self, *exc_info):
        return await self.inner.__aexit__(*exc_info)


def in_transaction() -> bool:
    """Whether a `transaction()` is open in this task."""
    return _after_commit.get() is not None


def transaction_token() -> object | None:
    """What tells the open `transaction()` (the outermost) from any other, None outside one:
    for a cache that must not keep what a transaction read after writing it (it may roll back)."""
    return _after_commit.get()


def after_commit(callback: Callable[[], Awaitable[None]]) -> None:
    """Run `callback` once the current transaction has committed (e.g. enqueue a job)."""
    pending = _after_commit.get()
    if pending is None:
        raise RuntimeError("after_commit needs an open transaction()")
    pending.append(callback)


async def _keep_session(_connection) -> None:
    """Connections go back to the pool without asyncpg's reset query (advisory unlock, CLOSE
    ALL, UNLISTEN, RESET ALL): gpcloud leaves no session state (only SET LOCAL and
    transaction-scoped locks), and the query cost a round trip and server work on every
    release. asyncpg still rolls back a transaction left open."""


async def open_pool(min_size: int, max_size: int) -> bool:
    """Open the PostgreSQL pool unless one is open; True if this call opened it (and owns it)."""
    if is_sqlite() or DB.pool is not None:
        return False
    await DB.start_connection_pool(min_size=min_size, max_size=max_size, reset=_keep_session)
    return True


async def close_pool() -> None:
    if not is_sqlite() and DB.pool is not None:
        await DB.close_connection_pool()


async def read_rows(table, sql: str, *params: object) -> list[dict]:
    """`table.raw(sql, *params)` for the hot public reads (a portal page): on PostgreSQL outside
    a transaction, straight on a pooled connection; piccolo's query layers around asyncpg cost
    about as much CPU as asyncpg's own work for a page of 20 rows. `{}` are the placeholders,
    as in piccolo."""
    if is_sqlite() or DB.pool is None or DB.current_transaction.get() is not None:
        return await table.raw(sql, *params)
    async with DB.pool.acquire() as connection:
        return [dict(row) for row in await connection.fetch(_numbered(sql), *params)]


@lru_cache(maxsize=512)
def _numbered(sql: str) -> str:
    """piccolo's `{}` placeholders as PostgreSQL's $1, $2, ..."""
    parts, number = [], 0
    for literal, field, _, _ in string.Formatter().parse(sql):
        parts.append(literal)
        if field is not None:
            number += 1
            parts.append(f"${number}")
    return "".join(parts)


async def serialize_writes(name: str) -> None:
    """Make writers of `name` take turns until the current transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: transaction() already holds the
    database's single write lock from BEGIN IMMEDIATE.
    """
    if DB.current_transaction.get() is None:
        raise RuntimeError("serialize_writes needs an open transaction()")
    if not is_sqlite():
        await DB.run_ddl(f"SELECT pg_advisory_xact_lock(hashtext('{name}'))")


def for_update(query):
    """`query` (a select) holding its rows until the transaction ends, for the few places that
    read several rows, decide, and write (signatures counting to "signed").

    PostgreSQL: SELECT ... FOR UPDATE, so a concurrent writer waits and then reads what this
    one wrote. SQLite: unchanged, transaction() already holds the database's write lock.
    """
    if DB.current_transaction.get() is None:
        raise RuntimeError("for_update needs an open transaction()")
    return query if is_sqlite() else query.lock_rows()


async def refresh_statistics() -> None:
    """Let PostgreSQL's planner see tables that changed a lot since their last ANALYZE (the
    autovacuum daemon gets there too, but not during a bulk import). SQLite needs nothing."""
    if is_sqlite():
        return
    rows = await DB.run_ddl(
        "SELECT relname FROM pg_stat_user_tables "
        "WHERE n_mod_since_analyze > 1000 AND n_mod_since_analyze > n_live_tup / 10"
    )
    for row in rows:
        await DB.run_ddl(f'ANALYZE "{row["relname"]}"')


class _LikeEscaped(ComparisonOperator):
    """SQLite's LIKE has no escape character unless one is named; PostgreSQL's is '\\'."""

    template = "{name} LIKE {value} ESCAPE '\\'"


def _like_ci(column, pattern: str) -> Where:
    """Case-insensitive LIKE: ILIKE on PostgreSQL; SQLite's LIKE already ignores ASCII case."""
    if is_sqlite():
        return Where(column=column, value=pattern, operator=_LikeEscaped)
    return column.ilike(pattern)


def sql_text(text: str) -> str:
    """`text` as a SQL string literal, for SQL the platform writes from its own constants (a
    caller's value goes in a parameter)."""
    return "'" + text.replace("'", "''") + "'"


def _literal(text: str) -> str:
    """`text` for a LIKE pattern, its wildcards and escape character matching themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_ci(column, text: str) -> Where:
    """Rows whose `column` contains `text`, ignoring case: every search box's condition. What
    the user typed is matched as typed: '%' and '_' are not wildcards."""
    return _like_ci(column, f"%{_literal(text)}%")


def starts_with_ci(column, text: str) -> Where:
    return _like_ci(column, f"{_literal(text)}%")


def in_array(column: str, values) -> tuple[str, object]:
    """SQL `column IN values` with one parameter (an array; JSON on SQLite) instead of one per
    value, for a raw statement: the fragment (`{}` its placeholder) and the parameter."""
    values = list(values)
    if is_sqlite():
        return f"{column} IN (SELECT value FROM json_each({{}}))", json.dumps(values)
    return f"{column} = ANY({{}})", values


def any_of(column, values):
    """`column IN values` with one parameter (in_array) instead of one per value: for an import
    batch of 1000 keys piccolo's is_in costs more than the query. Columns of the queried table
    only (no joins)."""
    from piccolo.columns.combination import WhereRaw

    fragment, parameter = in_array("{}", values)
    return WhereRaw(fragment, column, parameter)


def is_unique_violation(exc: BaseException) -> bool:
    """True for a unique-constraint failure on either engine (a race lost to a concurrent insert)."""
    import sqlite3

    import asyncpg

    if isinstance(exc, asyncpg.UniqueViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)


async def create_index(table: str, columns: list[str], unique: bool = False) -> None:
    """A (composite) index in a migration; the same SQL works on SQLite and PostgreSQL."""
    name = f"{table}_{'_'.join(columns)}_{'uniq' if unique else 'idx'}"
    cols = ", ".join(f'"{c}"' for c in columns)
    await DB.run_ddl(
        f'CREATE {"UNIQUE " if unique else ""}INDEX IF NOT EXISTS "{name}" ON "{table}" ({cols})'
    )


MAX_PARAMETERS = 30000  # under both PostgreSQL's 32767 and SQLite's 32766 per statement


async def bulk_insert(table, rows: list[dict], returning: bool = True) -> list[int]:
    """Insert many rows with few statements; return their ids in order (when `returning`).

    For imports: piccolo builds an object and a query fragment per row, which costs more than
    the database's work. Columns a row leaves out take their defaults. Tenant-owned rows are checked
    against the scope exactly as piccolo inserts are (tenancy.tables.check_rows).
    """
    if not rows:
        return []
    transaction_ = DB.current_transaction.get()
    if transaction_ is None:
        raise RuntimeError("bulk_insert needs an open transaction()")
    if issubclass(table, TenantOwned):
        check_tenants(table, rows)
    given = set().union(*rows)
    columns = [c for c in table._meta.columns if not c._meta.primary_key or c._meta.name in given]
    # Every row takes the default of a column it leaves out, also where other rows give it.
    defaults = {c._meta.name: _default(c) for c in columns if not c._meta.primary_key}
    names = [c._meta.db_column_name for c in columns]
    keys = [c._meta.name for c in columns]
    json_keys = {c._meta.name for c in columns if c.__class__.__name__ in ("JSON", "JSONB")}
    if not is_sqlite():
        return await _bulk_insert_unnest(
            table, rows, columns, keys, names, defaults, json_keys, returning
        )
    per_statement = max(1, MAX_PARAMETERS // len(columns))
    ids: list[int] = []
    pk = table._meta.primary_key._meta.db_column_name
    quoted = ", ".join(f'"{n}"' for n in names)
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        params = [
            _json(value) if key in json_keys else value
            for row in chunk
            for key in keys
            for value in (row.get(key, defaults.get(key)),)
        ]
        groups = ", ".join("(" + ", ".join("?" * len(keys)) + ")" for _ in chunk)
        sql = f'INSERT INTO "{table._meta.tablename}" ({quoted}) VALUES {groups}'
        cursor = await transaction_.connection.execute(
            sql + (f' RETURNING "{pk}"' if returning else ""), params
        )
        if returning:
            ids.extend(row[pk] for row in await cursor.fetchall())
        await cursor.close()
    return ids


async def _bulk_insert_unnest(
    table, rows, columns, keys, names, defaults, json_keys, returning
) -> list[int]:
    """PostgreSQL: COPY when no ids are wanted; otherwise one statement per 10k rows with one
    array parameter per column (the SQL text is the same for every chunk, so asyncpg prepares it
    once). Rows are inserted, and their ids returned, in the order given."""
    types = [re.sub(r"\(.*\)", "", c.column_type).lower() for c in columns]
    pk = table._meta.primary_key._meta.db_column_name
    arrays = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(types))
    sql = (
        f'INSERT INTO "{table._meta.tablename}" ({", ".join(f"{chr(34)}{n}{chr(34)}" for n in names)}) '
        f"SELECT * FROM unnest({arrays})" + (f' RETURNING "{pk}"' if returning else "")
    )
    connection = DB.current_transaction.get().connection
    if not returning:
        # No ids wanted: COPY, the fastest way in.
        await connection.copy_records_to_table(
            table._meta.tablename,
            columns=names,
            records=[
                tuple(
                    _json(r.get(k, defaults.get(k)))
                    if k in json_keys
                    else r.get(k, defaults.get(k))
                    for k in keys
                )
                for r in rows
            ],
        )
        return []
    ids: list[int] = []
    for start in range(0, len(rows), 10_000):
        chunk = rows[start : start + 10_000]
        params = [
            [
                _json(r.get(k, defaults.get(k))) if k in json_keys else r.get(k, defaults.get(k))
                for r in chunk
            ]
            for k in keys
        ]
        if returning:
            ids.extend(row[pk] for row in await connection.fetch(sql, *params))
        else:
            await connection.execute(sql, *params)
    return ids


def _default(column):
    from piccolo.columns.defaults.base import Default

    value = column.get_default_value()
    return value.python() if isinstance(value, Default) else value


def _json(value):
    import json

    return (
        value if isinstance(value, str) or value is None else json.dumps(value, ensure_ascii=False)
    )


async def create_trigram_index(table: str, column: str) -> None:
    """An index for `contains_ci` (ILIKE '%term%') on PostgreSQL (pg_trgm GIN); SQLite has none.

    Without the right to create the extension the index is skipped with a warning: searches stay
    correct, only slower.
    """
    if is_sqlite():
        return
    if not await DB.run_ddl("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"):
        # In a savepoint: a refusal must not abort the migration's transaction.
        await DB.run_ddl("SAVEPOINT trgm")
        try:
            await DB.run_ddl("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as exc:  # insufficient privilege: leave it to the DBA
            await DB.run_ddl("ROLLBACK TO SAVEPOINT trgm")
            import logging

            logging.getLogger(__name__).warning(
                "pg_trgm not available, %s.%s not indexed: %s", table, column, exc
            )
            return
        await DB.run_ddl("RELEASE SAVEPOINT trgm")
    await DB.run_ddl(
        f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" USING gin ("{column}" gin_trgm_ops)'
    )
