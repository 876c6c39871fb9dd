"""PostgreSQL's staging table of an import job: rows go in with COPY, the registry's set-based
statement moves the new ones into the real tables (BulkPath in spec.py).

One UNLOGGED table per job (no WAL for scratch rows), named after the job so that a retry
after a crash drops what the crashed attempt left before it starts; `sweep` drops those of
jobs that will not run again. The table holds one batch at a time: it is emptied at the start
of each batch's transaction, so a rolled-back batch leaves nothing behind either.
"""

from __future__ import annotations

import hashlib
import logging

from gpcloud.core.db import is_sqlite
from gpcloud.core.imports.spec import ImportRow, ImportSpec
from gpcloud.piccolo_conf import DB

log = logging.getLogger(__name__)
PREFIX = "import_stage_"


def stage_name(job_key: str) -> str:
    return PREFIX + hashlib.sha256(job_key.encode()).hexdigest()[:20]


class Stage:
    """The staging table of one job for one spec (use `open`)."""

    def __init__(self, spec: ImportSpec, name: str):
        assert spec.bulk is not None
        self.spec, self.bulk, self.name = spec, spec.bulk, name
        self.columns = ["n", *(c for c, _ in self.bulk.columns)]
        self.sql = self.bulk.insert.format(stage=f'"{name}"')

    @classmethod
    async def open(cls, spec: ImportSpec, job_key: str) -> Stage | None:
        """The job's staging table, made anew; None where there is no set path (SQLite, or
        a registry without one)."""
        if spec.bulk is None or is_sqlite():
            return None
        stage = cls(spec, stage_name(job_key))
        types = ", ".join(f'"{c}" {t}' for c, t in spec.bulk.columns)
        await DB.run_ddl(f'DROP TABLE IF EXISTS "{stage.name}"')
        await DB.run_ddl(f'CREATE UNLOGGED TABLE "{stage.name}" (n integer NOT NULL, {types})')
        return stage

    async def close(self) -> None:
        await DB.run_ddl(f'DROP TABLE IF EXISTS "{self.name}"')

    async def write(self, rows: list[ImportRow]) -> None:
        """In the batch's transaction: stage the valid rows, insert the new ones set-based and
        mark them created. Rows left without an outcome are for apply_batch.

        A batch with a row that cannot be staged goes to apply_batch whole, so that the records
        a batch creates keep the file's order (ids ascending with row numbers)."""
        candidates = [r for r in rows if r.ok]
        if self.bulk.screen is not None and len(await self.bulk.screen(candidates)) < len(
            candidates
        ):
            return
        records = []
        for row in candidates:
            values = self.bulk.record(row)
            if values is None:
                return
            records.append((row.number, *values))
        if not records:
            return
        connection = DB.current_transaction.get().connection
        await connection.execute(f'TRUNCATE "{self.name}"')
        await connection.copy_records_to_table(self.name, records=records, columns=self.columns)
        written = set(await connection.fetchval(self.sql) or ())
        for row in rows:
            if row.number in written:
                row.outcome = "created"


async def sweep(running: set[str]) -> int:
    """Drop the staging tables of jobs not in `running` (keys as given to Stage.open):
    what attempts that crashed for good left behind. Returns how many were dropped."""
    if is_sqlite():
        return 0
    keep = {stage_name(key) for key in running}
    dropped = 0
    for row in await DB.run_ddl(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        f"AND tablename LIKE '{PREFIX}%'"
    ):
        if row["tablename"] not in keep:
            await DB.run_ddl(f'DROP TABLE IF EXISTS "{row["tablename"]}"')
            dropped += 1
    return dropped
