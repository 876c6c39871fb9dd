"""PostgreSQL's staging table of an import job: rows go in with COPY, the registry's set-based
statement moves the new ones into the real tables (BulkPath in spec.py).

Each valid row's staging record is made, and written as a line of COPY's text format, while
the runner parses it (`prepare`), so that the batch's write only sends bytes: encoding 5000
records when the batch is written (asyncpg's copy_records_to_table) held the event loop, and so
the write in flight, for 15-25 ms a batch.

One UNLOGGED table per job (no WAL for scratch rows), named after the job and the time it
was made: a retry after a crash drops what the crashed attempt left before it starts, and any
import starting drops the tables older than STALE (jobs that crashed for good). The table holds
one batch at a time, emptied at the start of each batch's transaction, so a rolled-back batch
leaves nothing behind either.
"""

from __future__ import annotations

import hashlib
import time
from datetime import date
from decimal import Decimal

from gpcloud.core.db import is_sqlite
from gpcloud.core.imports.spec import ImportRow, ImportSpec
from gpcloud.piccolo_conf import DB

PREFIX = "import_stage_"
STALE = 24 * 3600  # seconds: longer than any import runs


# COPY's text format: a backslash starts an escape, tab separates columns, newline ends a row.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _element(value) -> str:
    """An element of an array literal: quoted, so that commas, braces and spaces stay in it."""
    if value is None:
        return "NULL"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def copy_field(value) -> str:
    """One value as a field of COPY's text format (the types staging columns hold). It runs
    for every cell of a 500k-row file: text with nothing to escape, most of them, is returned
    as it is (translate alone costs 0.5 us on Chinese text)."""
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_ESCAPES)
        return value
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal | date):
        return str(value)
    if isinstance(value, list | tuple):
        return ("{" + ",".join(map(_element, value)) + "}").translate(_ESCAPES)
    raise TypeError(f"no COPY text for {type(value).__name__}")


def copy_line(values: tuple) -> str:
    return "\t".join(map(copy_field, values)) + "\n"


def stage_prefix(job_key: str) -> str:
    return f"{PREFIX}{hashlib.sha256(job_key.encode()).hexdigest()[:20]}_"


async def staging_tables() -> dict[str, int]:
    """Every staging table on the server's current schema, with the time it was made."""
    rows = await DB.run_ddl("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    names = [r["tablename"] for r in rows if r["tablename"].startswith(PREFIX)]
    return {n: int(n.rsplit("_", 1)[1]) for n in names if n.rsplit("_", 1)[1].isdigit()}


class Stage:
    """The staging table of one job for one spec (use `open`)."""

    def __init__(self, spec: ImportSpec, name: str):
        assert spec.bulk is not None
        self.spec, self.bulk, self.name = spec, spec.bulk, name
        self.columns = ["n", *(c for c, _ in self.bulk.columns)]
        self.sql = self.bulk.insert.format(stage=f'"{name}"')
        self.records: dict[int, str | None] = {}  # COPY lines made by `prepare`, by row number

    @classmethod
    async def open(cls, spec: ImportSpec, job_key: str) -> Stage | None:
        """The job's staging table, made anew; None where there is no set path (SQLite, or
        a registry without one)."""
        if spec.bulk is None or is_sqlite():
            return None
        now, prefix = int(time.time()), stage_prefix(job_key)
        for name, made in (await staging_tables()).items():
            if name.startswith(prefix) or made < now - STALE:
                await DB.run_ddl(f'DROP TABLE IF EXISTS "{name}"')
        stage = cls(spec, f"{prefix}{now}")
        types = ", ".join(f'"{c}" {t}' for c, t in spec.bulk.columns)
        await DB.run_ddl(f'CREATE UNLOGGED TABLE "{stage.name}" (n integer NOT NULL, {types})')
        return stage

    async def close(self) -> None:
        await DB.run_ddl(f'DROP TABLE IF EXISTS "{self.name}"')

    def prepare(self, row: ImportRow) -> None:
        """Make a valid row's staging line now: the runner calls this as it parses the row,
        while the previous batch is being written, so that `write` only sends it."""
        try:
            self.records[row.number] = self._line(row)
        except Exception:  # noqa: BLE001 - `write` makes it again, where a failure is handled
            pass

    def _line(self, row: ImportRow) -> str | None:
        values = self.bulk.record(row)
        return None if values is None else copy_line((row.number, *values))

    def _record(self, row: ImportRow) -> str | None:
        if row.number in self.records:
            return self.records.pop(row.number)
        return self._line(row)

    async def write(self, rows: list[ImportRow]) -> None:
        """In the batch's transaction: stage the valid rows, insert the new ones set-based and
        mark them created. Rows left without an outcome are for apply_batch.

        A batch with a row that cannot be staged goes to apply_batch whole, so that the records
        a batch creates keep the file's order (ids ascending with row numbers)."""
        candidates = [r for r in rows if r.ok]
        made = [self._record(row) for row in candidates]
        for row in rows:  # a retry of the batch goes without staging: nothing is kept for it
            self.records.pop(row.number, None)
        if self.bulk.screen is not None and len(await self.bulk.screen(candidates)) < len(
            candidates
        ):
            return
        if any(line is None for line in made):
            return
        if not made:
            return
        connection = DB.current_transaction.get().connection
        # The batch's commit need not wait for its WAL to reach disk: `close` (dropping this
        # table) commits durably before the import returns, which flushes the WAL before it; a
        # server crash before that fails the job, and a retry of an idempotent import.
        await connection.execute(f'SET LOCAL synchronous_commit = off; TRUNCATE "{self.name}"')
        data = memoryview("".join(made).encode())  # a view: asyncpg takes bytes for a path
        await connection.copy_to_table(self.name, source=data, columns=self.columns, format="text")
        written = set(await connection.fetchval(self.sql) or ())
        for row in rows:
            if row.number in written:
                row.outcome = "created"
