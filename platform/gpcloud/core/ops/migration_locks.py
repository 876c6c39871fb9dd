"""Migrations that do not stop a live province: no long lock on a table that may be big.

A release migrates while the previous release serves (docs/deployment.md, Upgrades), so a
PostgreSQL statement that takes an ACCESS EXCLUSIVE or SHARE lock for as long as it scans or
rewrites a table stops every request that touches it. `statements_by_migration` runs the
migrations on an empty PostgreSQL database and records every statement each one sends;
`long_locks` names those that would hold such a lock on a table an earlier migration created
(a table created in the same migration is empty, so anything goes there):

- CREATE INDEX without CONCURRENTLY (blocks writes while it builds);
- ALTER COLUMN ... TYPE (rewrites the table), SET NOT NULL (scans it under the lock: add a
  CHECK (c IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL in a later migration);
- ADD CONSTRAINT (foreign key, check, unique, primary key) without NOT VALID / USING INDEX;
- a column added with a volatile default (rewrites the table);
- VACUUM FULL, CLUSTER, LOCK TABLE.

An index on an existing table is built concurrently in a migration made with
`MigrationManager(..., wrap_in_transaction=False)` whose raw step calls `create_index_concurrently`.
"""

from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass

from gpcloud.core.db import is_sqlite
from gpcloud.core.migrations import migrate
from gpcloud.piccolo_conf import DB

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("migration", default=None)

CREATE_TABLE = re.compile(r'^\s*CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?', re.I)
TABLE_OF = (
    re.compile(
        r'^\s*CREATE (?:UNIQUE )?INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?"?\w*"? ON "?(\w+)"?',
        re.I,
    ),
    re.compile(r'^\s*ALTER TABLE (?:IF EXISTS )?(?:ONLY )?"?(\w+)"?', re.I),
    re.compile(r'^\s*(?:VACUUM FULL|CLUSTER|LOCK TABLE) "?(\w+)"?', re.I),
)
VOLATILE = re.compile(
    r"\b(random|gen_random_uuid|uuid_generate_v4|clock_timestamp|nextval)\s*\(", re.I
)


@dataclass(frozen=True)
class LongLock:
    migration: str
    table: str
    why: str
    statement: str


def _problem(sql: str) -> str | None:
    text = " ".join(sql.split())
    upper = text.upper()
    if re.match(r"CREATE (UNIQUE )?INDEX ", upper) and " CONCURRENTLY " not in upper:
        return "CREATE INDEX without CONCURRENTLY blocks writes while it builds"
    if upper.startswith(("VACUUM FULL", "CLUSTER", "LOCK TABLE")):
        return "takes an exclusive lock for its whole run"
    if not upper.startswith("ALTER TABLE"):
        return None
    if re.search(r"ALTER COLUMN \S+ (SET DATA )?TYPE ", upper):
        return "ALTER COLUMN ... TYPE rewrites the table"
    if re.search(r"ALTER COLUMN \S+ SET NOT NULL", upper):
        return "SET NOT NULL scans the table under its lock (validate a CHECK ... NOT VALID first)"
    if " ADD CONSTRAINT " in upper or re.search(
        r" ADD (PRIMARY KEY|UNIQUE|FOREIGN KEY|CHECK)", upper
    ):
        if " NOT VALID" not in upper and " USING INDEX " not in upper:
            return (
                "ADD CONSTRAINT without NOT VALID (or USING INDEX) checks every row under the lock"
            )
    if " ADD COLUMN " in upper and " DEFAULT " in upper and VOLATILE.search(text):
        return "a volatile default rewrites the table"
    return None


def long_locks(statements: list[tuple[str, str]]) -> list[LongLock]:
    """The statements (migration id, SQL), in the order they ran, that lock an existing table."""
    created_by: dict[str, str] = {}
    found = []
    for migration, sql in statements:
        if m := CREATE_TABLE.match(sql):
            created_by.setdefault(m[1].lower(), migration)
            continue
        why = _problem(sql)
        if why is None:
            continue
        table = next((m[1].lower() for p in TABLE_OF if (m := p.match(sql))), None)
        if table is None or created_by.get(table) == migration:
            continue  # a table created by this migration is empty
        found.append(LongLock(migration, table, why, " ".join(sql.split())[:300]))
    return found


async def create_index_concurrently(table: str, columns: list[str], unique: bool = False) -> None:
    """An index on a table that may be big, without blocking writes (PostgreSQL: CONCURRENTLY,
    which cannot run in a transaction: make the migration with wrap_in_transaction=False)."""
    name = f"{table}_{'_'.join(columns)}_{'uniq' if unique else 'idx'}"
    cols = ", ".join(f'"{c}"' for c in columns)
    how = "" if is_sqlite() else "CONCURRENTLY "
    kind = "UNIQUE " if unique else ""
    await DB.run_ddl(f'CREATE {kind}INDEX {how}IF NOT EXISTS "{name}" ON "{table}" ({cols})')


async def statements_by_migration() -> list[tuple[str, str]]:
    """Run every pending migration on this (empty, PostgreSQL) database and return each statement
    sent, with the id of the migration that sent it."""
    import asyncpg
    from piccolo.apps.migrations.auto.migration_manager import MigrationManager

    sent: list[tuple[str, str]] = []
    originals = {}

    def recording(name):
        original = originals[name] = getattr(asyncpg.Connection, name)

        async def method(self, query, *args, **kwargs):
            migration = _current.get()
            if migration is not None and isinstance(query, str):
                sent.append((migration, query))
            return await original(self, query, *args, **kwargs)

        return method

    original_run = MigrationManager.run

    async def run(self, backwards: bool = False):
        token = _current.set(self.migration_id)
        try:
            return await original_run(self, backwards)
        finally:
            _current.reset(token)

    names = ("execute", "fetch", "fetchrow", "fetchval")
    try:
        for name in names:
            setattr(asyncpg.Connection, name, recording(name))
        MigrationManager.run = run
        await migrate()
    finally:
        for name in names:
            setattr(asyncpg.Connection, name, originals[name])
        MigrationManager.run = original_run
    return sent
