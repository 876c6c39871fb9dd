"""Full-text search, the one place that knows how each engine does it.

Text is segmented into words before it is stored (portal.text), so both engines only split on
spaces: SQLite keeps an FTS5 index kept in step by triggers; PostgreSQL a generated tsvector
column ('simple' configuration: no stemming, no stop words) with a GIN index.
"""

from __future__ import annotations

from gpcloud.core.db import is_sqlite
from gpcloud.piccolo_conf import DB


async def create_fulltext(table: str, column: str) -> None:
    """For a migration: index `table.column` (segmented text) for `match`."""
    if is_sqlite():
        fts = f"{table}_fts"
        for sql in (
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({column}, content='{table}', "
            "content_rowid='id')",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {column} ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); "
            f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END",
        ):
            await DB.run_ddl(sql)
        return
    await DB.run_ddl(
        f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS "{column}_tsv" tsvector '
        f"GENERATED ALWAYS AS (to_tsvector('simple', coalesce(\"{column}\", ''))) STORED"
    )
    await DB.run_ddl(
        f'CREATE INDEX IF NOT EXISTS "{table}_{column}_tsv_idx" ON "{table}" USING gin ("{column}_tsv")'
    )


async def index_fulltext_with(table: str, column: str, scope: str) -> None:
    """For a migration: on PostgreSQL, replace the full-text index of `table.column` by one on
    (`scope`, words), so a search within one `scope` value (a city) intersects inside the index
    instead of visiting every match of the province. Needs btree_gin (contrib, a trusted
    extension). GIN serves any subset of its columns, so unscoped searches use it too. FTS5 has
    no such index: SQLite filters the matches."""
    if is_sqlite():
        return
    await DB.run_ddl("CREATE EXTENSION IF NOT EXISTS btree_gin")
    await DB.run_ddl(
        f'CREATE INDEX IF NOT EXISTS "{table}_{scope}_{column}_tsv_idx" ON "{table}" '
        f'USING gin ("{scope}", "{column}_tsv")'
    )
    await DB.run_ddl(f'DROP INDEX IF EXISTS "{table}_{column}_tsv_idx"')


def match_columns(column: str) -> list[str]:
    """The columns `match` reads besides id, for a query that selects from a subquery."""
    return [] if is_sqlite() else [f"{column}_tsv"]


def match(table: str, column: str, terms: list[str]) -> tuple[str, str, str]:
    """(condition, rank expression, the parameter) for rows of `table` containing every term;
    rank: lower is better on both engines. Terms are words (no syntax characters)."""
    if is_sqlite():
        fts = f"{table}_fts"
        query = " ".join(f'"{t}"' for t in terms)
        condition = f'"{table}".id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH {{}})'
        rank = f'(SELECT bm25({fts}) FROM {fts} WHERE {fts}.rowid = "{table}".id)'
        return condition, rank, query
    condition = f'"{table}"."{column}_tsv" @@ plainto_tsquery(\'simple\', {{}})'
    rank = f'-ts_rank("{table}"."{column}_tsv", plainto_tsquery(\'simple\', {{}}))'
    return condition, rank, " ".join(terms)
