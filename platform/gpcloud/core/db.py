"""Database helpers: the one place where SQLite and PostgreSQL behave differently."""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from piccolo.engine.sqlite import SQLiteEngine, TransactionType

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
    `after_commit` run once the outermost transaction has committed.
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
        else:
            async with DB.transaction():
                yield
    finally:
        _after_commit.reset(token)
    for callback in pending:
        await callback()


def after_commit(callback: Callable[[], Awaitable[None]]) -> None:
    """Run `callback` once the current transaction has committed (e.g. enqueue a job)."""
    pending = _after_commit.get()
    if pending is None:
        raise RuntimeError("after_commit needs an open transaction()")
    pending.append(callback)


async def open_pool(min_size: int, max_size: int) -> bool:
    """Open the PostgreSQL pool unless one is open; True if this call opened it (and owns it)."""
    if is_sqlite() or DB.pool is not None:
        return False
    await DB.start_connection_pool(min_size=min_size, max_size=max_size)
    return True


async def close_pool() -> None:
    if not is_sqlite() and DB.pool is not None:
        await DB.close_connection_pool()


async def serialize_writes(name: str) -> None:
    """Make writers of `name` take turns until the current transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: transaction() already holds the
    database's single write lock from BEGIN IMMEDIATE.
    """
    if DB.current_transaction.get() is None:
        raise RuntimeError("serialize_writes needs an open transaction()")
    if not is_sqlite():
        await DB.run_ddl(f"SELECT pg_advisory_xact_lock(hashtext('{name}'))")


def contains_ci(column, pattern: str):
    """Case-insensitive LIKE: ILIKE on PostgreSQL; SQLite's LIKE already ignores ASCII case."""
    return column.like(pattern) if is_sqlite() else column.ilike(pattern)


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
