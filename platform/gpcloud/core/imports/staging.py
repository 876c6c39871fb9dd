"""PostgreSQL's staging table of an import job: rows go in with COPY, the registry's set-based
statement moves the new ones into the real tables (BulkPath in spec.py).

One UNLOGGED table per job (no WAL for scratch rows), named after the job and the time it
was made: a retry after a crash drops what the crashed attempt left before it starts, and any
import starting drops the tables older than STALE (jobs that crashed for good). The table holds
one batch at a time, emptied at the start of each batch's transaction, so a rolled-back batch
leaves nothing behind either.
"""

from __future__ import annotations

import hashlib
import time

from gpcloud.core.db import is_sqlite
from gpcloud.core.imports.spec import ImportRow, ImportSpec
from gpcloud.piccolo_conf import DB

PREFIX = "import_stage_"
STALE = 24 * 3600  # seconds: longer than any import runs


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
        self.records: dict[int, tuple | None] = {}  # made ahead by `prepare`, by row number

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
        """Make a valid row's staging record now: the runner calls this as it parses the row,
        while the previous batch is being written, so that `write` only sends it."""
        try:
            self.records[row.number] = self.bulk.record(row)
        except Exception:  # noqa: BLE001 - `write` makes it again, where a failure is handled
            pass

    def _record(self, row: ImportRow) -> tuple | None:
        if row.number in self.records:
            return self.records.pop(row.number)
        return self.bulk.record(row)

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
        if any(values is None for values in made):
            return
        records = [(row.number, *values) for row, values in zip(candidates, made, strict=True)]
        if not records:
            return
        connection = DB.current_transaction.get().connection
        # The batch's commit need not wait for its WAL to reach disk: `close` (dropping this
        # table) commits durably before the import returns, which flushes the WAL before it; a
        # server crash before that fails the job, and a retry of an idempotent import.
        await connection.execute(f'SET LOCAL synchronous_commit = off; TRUNCATE "{self.name}"')
        await connection.copy_records_to_table(self.name, records=records, columns=self.columns)
        written = set(await connection.fetchval(self.sql) or ())
        for row in rows:
            if row.number in written:
                row.outcome = "created"
