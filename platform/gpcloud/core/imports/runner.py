"""Run an import: read, validate every row, write valid rows in batches, report the rest.

Reading and validating the next batch overlaps the database writing the previous one (one
write in flight; the parser yields to it every few rows), so Python and PostgreSQL work at the
same time, and an import inside `serve`'s in-process worker never holds the event loop for long.

On PostgreSQL, a spec with a BulkPath streams each batch with COPY into the job's staging table
and writes its new records with one set-based statement (staging.py); the rows that match a
record go to apply_batch in the same transaction. SQLite runs apply_batch alone. The Python
work of that write is done as each row is parsed (its staging record, Stage.prepare, and its
text for the batch's audit entry), so the write in flight is database work only: on the bench
files the set-based statement (with its foreign-key checks) is most of an import's time.

Guarantees: a row is written whole or not at all (each batch is one transaction; a batch whose
set-based statement fails is retried through apply_batch, and one that fails there has its rows
retried one by one, so one bad row cannot take its batch down); re-running a file writes nothing
new (registries upsert by key and leave equal records alone), which is also how a job resumes
after a crash; every rejected row is in the reject report with its row number and reasons, in
row order; each batch that changed something has one audit entry.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from gpcloud import domains
from gpcloud.core.audit import service as audit
from gpcloud.core.audit.service import Canonical, canonical
from gpcloud.core.db import refresh_statistics, serialize_writes, transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.i18n import SOURCE, language, translate
from gpcloud.core.imports.columns import CellError
from gpcloud.core.imports.reader import ImportFileError, estimate_rows, read_rows
from gpcloud.core.imports.spec import Column, ImportRow, ImportSpec, Reason, reason
from gpcloud.core.imports.staging import Stage
from gpcloud.core.spreadsheet import write_csv, write_xlsx

log = logging.getLogger(__name__)
Progress = Callable[[int, int], Awaitable[None]]
REJECTS = ("rejects.xlsx", "rejects.csv")
# Batches after which table statistics are refreshed: a table that grows from empty during an
# import otherwise keeps a plan for an empty table (sequential scans, quadratic time).
ANALYZE_AFTER = (1, 4, 16)
YIELD_EVERY = 50


@cache
def import_specs() -> dict[str, ImportSpec]:
    """Every registry's specs, from the `imports` module of each domain (`SPEC` or `SPECS`)."""
    specs = {}
    for module in domains.load("imports"):
        for spec in getattr(module, "SPECS", None) or (module.SPEC,):
            specs[spec.registry] = spec
    return specs


def get_spec(registry: str) -> ImportSpec:
    specs = import_specs()
    spec = specs.get(registry)
    if spec is None:
        close = difflib.get_close_matches(registry, specs, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise DomainError(
            "UNKNOWN_REGISTRY",
            f"no import for {registry!r}: {hint}the imports are {', '.join(sorted(specs))}",
            "registry",
        )
    return spec


# The format pages in docs/import-formats/, for registries whose page is named otherwise.
FORMAT_PAGES = {
    "agency_rooms": "agencies",
    "supplier_qualifications": "suppliers",
    "goods_categories": "goods",
    "goods_listings": "goods",
}


def format_page(registry: str) -> str:
    """Where a registry's file format is written down (also the `importFormats` query)."""
    page = FORMAT_PAGES.get(registry, registry).replace("_", "-")
    return f"docs/import-formats/{page}.md"


@dataclass
class ImportSummary:
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)  # names of the reject report files

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1


def _columns(spec: ImportSpec, header: list[str]) -> list[Column | None]:
    columns, unknown, seen = [], [], set()
    for cell in header:
        column = spec.column(cell) if cell else None
        if cell and column is None:
            unknown.append(cell)
        if column is not None and column.name in seen:
            raise ImportFileError("BAD_HEADERS", f"column {cell} appears twice")
        if column is not None:
            seen.add(column.name)
        columns.append(column)
    missing = [c.name for c in spec.columns if c.required and c.name not in seen]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(f"missing required columns: {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown columns: {', '.join(unknown)}")
        raise ImportFileError(
            "BAD_HEADERS",
            "; ".join(parts)
            + f" (the {spec.registry} file format: {format_page(spec.registry)}, or the "
            "importFormats query)",
        )
    return columns


def _parser(
    spec: ImportSpec, columns: list[Column | None]
) -> Callable[[int, list[str]], ImportRow]:
    """The row parser for a file with this header: positions and parsers looked up once, not
    per cell (it runs for every row of a 500k-row file)."""
    positions = [(c.name, i) for i, c in enumerate(columns) if c]
    fields = [(c.name, c.parse, c.required) for c in spec.columns]
    check, invalid = spec.check_row, spec.invalid

    def parse(number: int, cells: list[str]) -> ImportRow:
        width = len(cells)
        raw = {name: (cells[i] if i < width else "") for name, i in positions}
        values: dict = {}
        row = ImportRow(number=number, raw=raw, values=values)
        for name, parser, required in fields:
            cell = raw.get(name, "")
            if not cell:
                values[name] = None
                if required:
                    row.reject(reason("REQUIRED", "required", name))
                continue
            try:
                values[name] = parser(cell)
            except CellError as exc:
                row.reject(reason(exc.code, str(exc), name))
            except ValueError as exc:
                row.reject(f"{name}: {exc}")
        if row.outcome is None and check is not None:
            check(row)
        if row.outcome is None and invalid is not None and invalid(row):
            row.outcome = "invalid"
            row.reasons.append(
                reason("MARKED_INVALID", "marked invalid in the old system; not migrated")
            )
        return row

    return parse


def _parse(
    spec: ImportSpec, columns: list[Column | None], number: int, cells: list[str]
) -> ImportRow:
    """One row (for a caller with a single row; the runner keeps its `_parser`)."""
    return _parser(spec, columns)(number, cells)


def _text(row: ImportRow) -> str:
    """The audit log's text of a written row (its part of the batch entry's `after`)."""
    return canonical((row.number, row.values))


def _after(rows: list[ImportRow], texts: dict[int, str], staged: set[int]) -> Canonical:
    """canonical([(number, values), ...]) of the changed rows: the text made as each row was
    parsed for those the set-based statement wrote (their values are as parsed), made now for
    those apply_batch wrote (it may add to a row's values)."""
    return Canonical(
        "[" + ",".join(texts[r.number] if r.number in staged else _text(r) for r in rows) + "]"
    )


async def _write(
    spec: ImportSpec,
    rows: list[ImportRow],
    tenant: str,
    stage: Stage | None = None,
    texts: dict[int, str] | None = None,
) -> None:
    async with transaction():
        await serialize_writes(f"import:{spec.registry}")
        staged: set[int] = set()
        if stage is not None:
            await stage.write(rows)  # new records, set-based; the others are left to apply_batch
            staged = {r.number for r in rows if r.outcome is not None and r.ok}
        rest = [r for r in rows if r.ok and r.outcome is None]
        if rest:
            await spec.apply_batch(rest, tenant)
        written = [r for r in rows if r.ok]
        for row in written:
            if row.outcome is None:
                raise RuntimeError(f"{spec.registry}: row {row.number} has no outcome")
        changed = [r for r in written if r.outcome in ("created", "updated")]
        if changed:
            await audit.record(
                f"{spec.registry}.import",
                "import_batch",
                f"{rows[0].number}-{rows[-1].number}",
                None,
                _after(changed, texts or {}, staged & (texts or {}).keys()),
                {"rows": len(rows), **_tally(rows)},
                tenant=tenant,
            )


def _tally(rows: list[ImportRow]) -> dict[str, int]:
    tally: dict[str, int] = {}
    for row in rows:
        tally[row.outcome or "rejected"] = tally.get(row.outcome or "rejected", 0) + 1
    return tally


async def _apply(
    spec: ImportSpec,
    rows: list[ImportRow],
    tenant: str,
    stage: Stage | None = None,
    texts: dict[int, str] | None = None,
) -> None:
    for attempt in (stage, None) if stage is not None else (None,):
        try:
            await _write(spec, rows, tenant, attempt, texts)
            return
        except DomainError:
            raise
        except Exception:
            log.warning(
                "%s import: batch at row %s failed%s",
                spec.registry,
                rows[0].number,
                "; retrying it without staging" if attempt else "; retrying its rows one by one",
                exc_info=attempt is None,
            )
        for row in rows:
            row.outcome = None if row.ok else row.outcome
    for row in rows:
        if not row.ok:
            continue
        try:
            await _write(spec, [row], tenant)
        except Exception as exc:
            row.outcome = None
            row.reject(reason("NOT_WRITTEN", f"could not be written: {type(exc).__name__}"))


def _words(spec: ImportSpec, why: str, chinese: bool) -> str:
    """A reason in the report's language; a column named by its label unless in English."""
    if not isinstance(why, Reason):
        return why
    column = spec.column(why.column) if why.column else None
    return why.words(column.label if column is not None and chinese else "")


def _write_reports(spec: ImportSpec, rejected: list[ImportRow], out_dir: Path) -> list[str]:
    """The reject report in the job's language (Chinese unless the import was started in
    another): the row, the reasons, then the row's cells under the columns' labels (which the
    import accepts, so a corrected report can be uploaded again)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    chinese = language.get() != SOURCE
    names = [c.name for c in spec.columns]
    header = [
        translate("REPORT_ROW", "row"),
        translate("REPORT_REASONS", "reasons"),
        *((c.label if chinese else c.name) for c in spec.columns),
    ]
    separator = "；" if chinese else "; "
    lines = [
        [
            r.number,
            separator.join(_words(spec, why, chinese) for why in r.reasons),
            *(r.raw.get(n, "") for n in names),
        ]
        for r in sorted(rejected, key=lambda r: r.number)
    ]
    write_xlsx(out_dir / REJECTS[0], header, lines, "rejected")
    write_csv(out_dir / REJECTS[1], header, lines)
    return list(REJECTS)


def _data_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    rows = read_rows(path)
    first = next(rows, None)
    if first is None:
        raise ImportFileError("EMPTY_FILE", "the file has no header row")
    return first[1], rows


async def run_import(
    spec: ImportSpec,
    path: Path,
    tenant: str,
    out_dir: Path,
    progress: Progress | None = None,
    job_key: str | None = None,
) -> ImportSummary:
    """`job_key` names the job's staging table (default: the report folder), so that a retry
    of a crashed attempt drops what that attempt left."""
    header, rows = _data_rows(path)
    columns = _columns(spec, header)
    total = estimate_rows(path)
    stage = await Stage.open(spec, job_key or str(out_dir))
    try:
        return await _run(spec, rows, columns, total, tenant, out_dir, progress, stage)
    finally:
        if stage is not None:
            await stage.close()


async def _run(spec, rows, columns, total, tenant, out_dir, progress, stage) -> ImportSummary:
    batch_size = stage.bulk.batch_size if stage is not None else spec.batch_size
    parse = _parser(spec, columns)
    summary = ImportSummary()
    rejected: list[ImportRow] = []
    first_seen: dict[object, int] = {}
    batch: list[ImportRow] = []
    texts: dict[int, str] = {}  # the batch's audit text, made ahead for the set-based path

    batches = 0
    writing: asyncio.Task | None = None
    written: list[ImportRow] = []

    async def settle() -> None:
        """Wait for the batch being written and count what became of its rows."""
        nonlocal writing, batches
        if writing is None:
            return
        task, writing = writing, None
        await task
        batches += 1
        if batches in ANALYZE_AFTER or batches % ANALYZE_AFTER[-1] == 0:
            await refresh_statistics()
        for row in written:
            summary.add(row.outcome or "rejected")
            if not row.ok:
                rejected.append(row)
        if progress is not None:
            await progress(summary.rows, total)

    async def flush() -> None:
        nonlocal writing, written, texts
        await settle()
        if batch:
            written = list(batch)
            writing = asyncio.create_task(_apply(spec, written, tenant, stage, texts))
            batch.clear()
            texts = {}

    try:
        for number, cells in rows:
            summary.rows += 1
            if writing is not None and summary.rows % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # let the write in flight send its next statement
            row = parse(number, cells)
            key = row.values.get(spec.key)
            if row.ok and key is not None:
                if key in first_seen:
                    row.reject(
                        reason(
                            "DUPLICATE_ROW", f"{spec.key} {key} is also in row {first_seen[key]}"
                        )
                    )
                else:
                    first_seen[key] = number
            if row.ok:
                batch.append(row)
                if stage is not None:  # what the write would make, made while the last one runs
                    stage.prepare(row)
                    texts[number] = _text(row)
                if len(batch) >= batch_size:
                    await flush()
            else:
                summary.add(row.outcome or "rejected")
                rejected.append(row)
        await flush()
        await settle()
        if progress is not None:
            await progress(summary.rows, total)
    finally:
        if writing is not None:  # the file failed to read: let the batch in flight finish
            await asyncio.gather(writing, return_exceptions=True)
    if rejected:
        summary.report = await asyncio.to_thread(_write_reports, spec, rejected, out_dir)
    return summary
