"""Migration of the old portal's published records (seed, 九(一)), one batch per year and kind.

Formats (docs/legacy-format.md): JSON Lines and CSV with the same fields, and OCDS release
packages. Each record becomes a notice whose source is "legacy:<legacy_id>", so a re-run skips
what is there (idempotent) and a run after a crash resumes at the last committed chunk
(`lines_done`) without doubles. Bad records go to the reject report with their line and reason;
they never stop the batch. A batch's notices are public once it completed.
"""

from __future__ import annotations

import asyncio
import csv
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import any_of, bulk_insert, transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.i18n import language, translate
from gpcloud.core.jobs.service import enqueue
from gpcloud.core.publishing import notices_changed
from gpcloud.core.spreadsheet import write_csv
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.portal import legacy_ocds
from gpcloud.portal.legacy_records import Record, Rejected, parse
from gpcloud.portal.tables import KINDS, STAGES, LegacyBatch, Notice, NoticeSupplier, OcdsRelease
from gpcloud.portal.text import index_terms
from gpcloud.portal.workflow import LEGACY_BATCH
from gpcloud.settings import get_settings

FORMATS = ("jsonl", "csv", "ocds")
CHUNK = 1000
MAX_UPLOAD = 512 * 1024 * 1024
SCOPE = "legacy migration: the old portal's records of every region"


def read(
    path: Path, source_format: str, region: str, regions: frozenset[str]
) -> Iterator[tuple[int, Record | None, Rejected | None]]:
    """(line or release number, record or None, why not) for every record of the file."""
    if source_format == "ocds":
        yield from legacy_ocds.read(path, region)
        return
    with path.open(encoding="utf-8-sig", newline="") as fh:
        if source_format == "csv":
            reader = csv.DictReader(fh)
            missing = [
                f
                for f in ("legacy_id", "kind", "region_code", "title", "published_on")
                if f not in (reader.fieldnames or [])
            ]
            if missing:
                yield 1, None, Rejected("MISSING_COLUMNS", f"missing columns: {', '.join(missing)}")
                return
            for row in reader:
                try:
                    yield reader.line_num, parse(row, regions), None
                except Rejected as exc:
                    yield reader.line_num, None, exc
            return
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except ValueError as exc:
                yield number, None, Rejected("INVALID_JSON", f"bad JSON: {exc}")
                continue
            try:
                if not isinstance(raw, dict):
                    raise Rejected("INVALID_JSON", "a JSON object per line")
                yield number, parse(raw, regions), None
            except Rejected as exc:
                yield number, None, exc


@requires(Perm.LEGACY_MIGRATE)
async def start(
    actor: CurrentUser | None,
    year: int,
    kind: str,
    source_format: str,
    filename: str,
    content: bytes,
    region: str = "440000",
) -> dict:
    """Store the file, record the batch, queue its job."""
    if kind not in KINDS:
        raise DomainError("UNKNOWN_KIND", f"one of {', '.join(KINDS)}", "kind")
    if source_format not in FORMATS:
        raise DomainError("UNKNOWN_FORMAT", "jsonl, csv or ocds", "format")
    if not 1990 <= year <= 2100:
        raise DomainError("INVALID_YEAR", "a year like 2020", "year")
    if not content:
        raise DomainError("EMPTY_FILE", "the file is empty", "file")
    if len(content) > MAX_UPLOAD:
        raise DomainError("FILE_TOO_LARGE", "at most 512 MB per file", "file")
    if (await tenant_tree()).get(region) is None:
        raise DomainError("UNKNOWN_REGION", f"no region {region}", "region")
    folder = get_settings().var / "legacy"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}-{Path(filename).name[-60:]}"
    path.write_bytes(content)
    async with transaction():
        batch = LegacyBatch(
            year=year, kind=kind, source_format=source_format, path=str(path), region=region
        )
        await batch.save()
        payload = {"batch": batch.id, "language": language.get()}  # the report's language
        return await enqueue("legacy_migration", payload, tenant="440000")


async def run(batch_id: int, out_dir: Path, progress=None, stop_after: int | None = None) -> dict:
    """Migrate (or resume) a batch; a run that breaks leaves it `failed` with the error, and
    the next run resumes it. `stop_after` (tests) simulates a crash after that many chunks."""
    with all_tenants(SCOPE):
        batch = await LegacyBatch.select().where(LegacyBatch.id == batch_id).first()
        if batch is None:
            raise DomainError("NOT_FOUND", f"no legacy batch {batch_id}")
        if batch["status"] == "completed":
            return batch
        async with transaction():
            batch = await LEGACY_BATCH.move(None, batch, "start", {LegacyBatch.error: ""})
        try:
            await _migrate(batch, out_dir, progress, stop_after)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
            async with transaction():
                await LEGACY_BATCH.move(None, batch, "fail", {LegacyBatch.error: error})
            raise
        return await LegacyBatch.select().where(LegacyBatch.id == batch_id).first()


async def _set(batch_id: int, **values) -> None:
    async with transaction():
        await LegacyBatch.update({**values, "updated_at": datetime.now(UTC)}).where(
            LegacyBatch.id == batch_id
        )


def _refusal(record: Record, batch: dict, seen: set[str]) -> Rejected | None:
    """Why a well-formed record does not belong in this batch, if it does not."""
    ocds = batch["source_format"] == "ocds"
    if record.kind != batch["kind"] and not ocds:
        return Rejected("WRONG_KIND", f"kind {record.kind}: this batch migrates {batch['kind']}")
    by_year = batch["kind"] in STAGES and not ocds
    if by_year and record.published_on.year != batch["year"]:
        return Rejected(
            "WRONG_YEAR", f"published {record.published_on}: this batch is {batch['year']}"
        )
    if record.legacy_id in seen:
        return Rejected(
            "DUPLICATE_RECORD", f"legacy_id {record.legacy_id} appears twice in the file"
        )
    return None


async def _migrate(batch: dict, out_dir: Path, progress, stop_after: int | None) -> None:
    tree = await tenant_tree()
    regions = frozenset(tree.nodes)
    rejects: list[tuple[int, Rejected]] = []
    chunk: list[tuple[int, Record]] = []
    seen: set[str] = set()
    done, chunks = batch["lines_done"], 0

    async def flush(last_line: int) -> None:
        nonlocal chunks
        async with transaction():  # the chunk and the count of it commit together
            created = await _write(batch, chunk, tree.city_of)
            await _set(
                batch["id"],
                lines_done=last_line,
                created=LegacyBatch.created + created,
                skipped=LegacyBatch.skipped + len(chunk) - created,
            )
        chunk.clear()
        chunks += 1
        if progress is not None:
            await progress(last_line, None)
        if stop_after is not None and chunks >= stop_after:
            raise RuntimeError("simulated crash")

    number = 0
    path = Path(batch["path"])
    for number, record, reason in read(path, batch["source_format"], batch["region"], regions):
        if record is not None:
            reason = _refusal(record, batch, seen)
        if record is None or reason:
            rejects.append((number, reason))
            continue
        seen.add(record.legacy_id)
        if number <= done:  # committed before a crash: checked again, not written again
            continue
        chunk.append((number, record))
        if len(chunk) >= CHUNK:
            await flush(number)
    if chunk:
        await flush(number)
    async with transaction():
        await LEGACY_BATCH.move(
            None,
            batch,
            "complete",
            {LegacyBatch.rejected: len(rejects), LegacyBatch.lines_done: max(number, done)},
        )
        await notices_changed()  # its year opens on the portal
    if rejects:
        await asyncio.to_thread(_report, out_dir, rejects)


def _report(out_dir: Path, rejects: list[tuple[int, Rejected]]) -> None:
    """rejects.csv in the current language (the job's: Chinese unless it was asked in another):
    the line (or release number), the code for programs, the reason from the catalogue."""
    out_dir.mkdir(parents=True, exist_ok=True)
    header = [
        translate("REPORT_LINE", "line"),
        translate("REPORT_CODE", "code"),
        translate("REPORT_REASON", "reason"),
    ]
    write_csv(out_dir / "rejects.csv", header, [[n, r.code, r.words()] for n, r in rejects])


async def _write(batch: dict, chunk: list[tuple[int, Record]], city_of) -> int:
    """Insert the chunk's records that are not there yet, in bulk; return how many."""
    sources = [f"legacy:{r.legacy_id}" for _, r in chunk]
    async with transaction():
        present = {
            r["source"]
            for r in await Notice.select(Notice.source).where(any_of(Notice.source, sources))
        }
        new = [r for _, r in chunk if f"legacy:{r.legacy_id}" not in present]
        if not new:
            return 0

        def moment(r: Record) -> datetime:
            day = r.published_on
            return r.published_at or datetime(day.year, day.month, day.day, tzinfo=UTC)

        ids = await bulk_insert(
            Notice,
            [
                {
                    "tenant_id": r.region_code,
                    "city_code": city_of(r.region_code),
                    "kind": r.kind,
                    "source": f"legacy:{r.legacy_id}",
                    "title": r.title,
                    "body": r.body,
                    "published_on": r.published_on,
                    "published_at": moment(r),
                    "method": r.method,
                    "purchaser_name": r.purchaser_name,
                    "agency_name": r.agency_name,
                    "amount_fen": r.amount_fen,
                    "ocid": r.ocid,
                    "details": "{}",
                    "legacy_batch": batch["id"],
                    "search_text": index_terms(
                        r.title,
                        r.body,
                        r.purchaser_name,
                        r.agency_name,
                        *(n for n, _ in r.suppliers),
                    ),
                }
                for r in new
            ],
        )
        suppliers = [
            {
                "tenant_id": r.region_code,
                "notice": notice_id,
                "organisation_id": 0,
                "name": name,
                "amount_fen": amount,
            }
            for r, notice_id in zip(new, ids, strict=True)
            for name, amount in r.suppliers
            if name
        ]
        await bulk_insert(NoticeSupplier, suppliers, returning=False)
        releases = [
            {
                "tenant_id": r.region_code,
                "notice": notice_id,
                "ocid": r.ocid,
                "release_id": str(json.loads(r.release)["id"]),
                "body": r.release,
                "extensions": r.extensions,
            }
            for r, notice_id in zip(new, ids, strict=True)
            if r.release
        ]
        await bulk_insert(OcdsRelease, releases, returning=False)
        return len(new)


async def batches() -> list[dict]:
    with all_tenants(SCOPE):
        return await LegacyBatch.select().order_by(LegacyBatch.year).order_by(LegacyBatch.id)
