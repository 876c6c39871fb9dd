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
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import any_of, bulk_insert, transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.imports.columns import fen
from gpcloud.core.jobs.service import enqueue
from gpcloud.core.spreadsheet import write_csv
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.portal.tables import KINDS, STAGES, LegacyBatch, Notice, NoticeSupplier
from gpcloud.portal.text import index_terms
from gpcloud.portal.workflow import LEGACY_BATCH
from gpcloud.settings import get_settings

FORMATS = ("jsonl", "csv", "ocds")
CHUNK = 1000
MAX_UPLOAD = 512 * 1024 * 1024
SCOPE = "legacy migration: the old portal's records of every region"
# OCDS tags -> notice kinds (the first tag of a release decides).
OCDS_KINDS = {
    "planning": "plan",
    "tender": "tender",
    "tenderUpdate": "correction",
    "tenderAmendment": "correction",
    "award": "result",
    "awardUpdate": "result",
    "contract": "contract",
    "contractUpdate": "contract",
    "implementation": "acceptance",
    "implementationUpdate": "acceptance",
}


@dataclass(frozen=True)
class Record:
    legacy_id: str
    kind: str
    region_code: str
    title: str
    body: str
    published_on: date
    ocid: str
    method: str = ""
    purchaser_name: str = ""
    agency_name: str = ""
    amount_fen: int | None = None
    suppliers: tuple[tuple[str, int | None], ...] = ()


class Rejected(ValueError):
    pass


def _fen(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return fen(str(value))
    except ValueError as exc:
        raise Rejected(f"amount {value!r}: {exc}") from None


def _record(raw: dict, regions: frozenset[str]) -> Record:
    """A JSONL object or CSV row, checked."""
    legacy_id = str(raw.get("legacy_id") or "").strip()
    if not legacy_id or len(legacy_id) > 48:
        raise Rejected("legacy_id: 1 to 48 characters")
    kind = str(raw.get("kind") or "").strip()
    if kind not in KINDS:
        raise Rejected(f"kind: one of {', '.join(KINDS)}")
    region = str(raw.get("region_code") or "").strip()
    if region not in regions:
        raise Rejected(f"region_code: no region {region!r}")
    title = str(raw.get("title") or "").strip()
    if not 1 <= len(title) <= 200:
        raise Rejected("title: 1 to 200 characters")
    try:
        published = date.fromisoformat(str(raw.get("published_on") or "")[:10])
    except ValueError:
        raise Rejected("published_on: a date like 2020-06-30") from None
    suppliers = raw.get("suppliers") or []
    if isinstance(suppliers, str):  # CSV: "name:amount;name:amount"
        suppliers = [
            dict(zip(("name", "amount"), part.split(":", 1), strict=False))
            for part in suppliers.split(";")
            if part.strip()
        ]
    if not isinstance(suppliers, list) or not all(isinstance(s, dict) for s in suppliers):
        raise Rejected("suppliers: a list of {name, amount}")
    project = str(raw.get("project_code") or "").strip()
    return Record(
        legacy_id=legacy_id,
        kind=kind,
        region_code=region,
        title=title,
        body=str(raw.get("body") or "").strip(),
        published_on=published,
        ocid=f"{get_settings().ocid_prefix}-legacy-{project}" if project else "",
        method=str(raw.get("method") or "").strip()[:32],
        purchaser_name=str(raw.get("purchaser_name") or "").strip()[:128],
        agency_name=str(raw.get("agency_name") or "").strip()[:128],
        amount_fen=_fen(raw.get("amount")),
        suppliers=tuple(
            (str(s.get("name") or "").strip()[:128], _fen(s.get("amount"))) for s in suppliers
        ),
    )


def _ocds_record(release: dict, region: str) -> Record:
    tags = release.get("tag") or []
    kind = OCDS_KINDS.get(tags[0]) if tags else None
    if kind is None or not release.get("ocid") or not release.get("id"):
        raise Rejected("an OCDS release with ocid, id and a known tag")
    tender = release.get("tender") or {}
    award = (release.get("awards") or [{}])[0]
    contract = (release.get("contracts") or [{}])[0]
    part = {"result": award, "contract": contract}.get(kind, tender)
    value = part.get("value") or {}
    body = str(part.get("description") or tender.get("description") or "")
    amount = value.get("amount")
    if amount is not None and value.get("currency", "CNY") != "CNY":
        # Notices hold yuan: another currency is kept in the text, not as an amount.
        body, amount = f"{body}\n金额：{amount} {value['currency']}".strip(), None
    buyer = (release.get("buyer") or {}).get("name", "")
    return Record(
        legacy_id=f"{release['ocid']}/{release['id']}"[-48:],
        kind=kind,
        region_code=region,
        title=str(part.get("title") or tender.get("title") or release["id"])[:200],
        body=body,
        published_on=date.fromisoformat(str(release.get("date", ""))[:10]),
        ocid=str(release["ocid"])[:64],
        method=str(tender.get("procurementMethod") or "")[:32],
        purchaser_name=str(buyer)[:128],
        amount_fen=_fen(amount),
        suppliers=tuple((str(s.get("name", ""))[:128], None) for s in award.get("suppliers") or []),
    )


def read(
    path: Path, source_format: str, region: str, regions: frozenset[str]
) -> Iterator[tuple[int, Record | None, str]]:
    """(line or release number, record or None, reason) for every record of the file."""
    if source_format == "ocds":
        try:
            package = json.loads(path.read_text(encoding="utf-8"))
            releases = package["releases"]
        except (ValueError, KeyError, TypeError) as exc:
            yield 1, None, f"not an OCDS release package: {exc}"
            return
        for number, release in enumerate(releases, 1):
            try:
                yield number, _ocds_record(release, region), ""
            except (Rejected, ValueError, TypeError, AttributeError) as exc:
                yield number, None, str(exc)
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
                yield 1, None, f"missing columns: {', '.join(missing)}"
                return
            for row in reader:
                try:
                    yield reader.line_num, _record(row, regions), ""
                except Rejected as exc:
                    yield reader.line_num, None, str(exc)
            return
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                if not isinstance(raw, dict):
                    raise Rejected("a JSON object per line")
                yield number, _record(raw, regions), ""
            except (Rejected, ValueError) as exc:
                yield number, None, str(exc) if isinstance(exc, Rejected) else f"bad JSON: {exc}"


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
        return await enqueue("legacy_migration", {"batch": batch.id}, tenant="440000")


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


def _refusal(record: Record, batch: dict, seen: set[str]) -> str | None:
    """Why a well-formed record does not belong in this batch, if it does not."""
    ocds = batch["source_format"] == "ocds"
    if record.kind != batch["kind"] and not ocds:
        return f"kind {record.kind}: this batch migrates {batch['kind']}"
    by_year = batch["kind"] in STAGES and not ocds
    if by_year and record.published_on.year != batch["year"]:
        return f"published {record.published_on}: this batch is {batch['year']}"
    if record.legacy_id in seen:
        return f"legacy_id {record.legacy_id} appears twice in the file"
    return None


async def _migrate(batch: dict, out_dir: Path, progress, stop_after: int | None) -> None:
    tree = await tenant_tree()
    regions = frozenset(tree.nodes)
    rejects: list[list[str]] = []
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
            rejects.append([str(number), reason])
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
    if rejects:
        await asyncio.to_thread(_report, out_dir, rejects)


def _report(out_dir: Path, rejects: list[list[str]]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(out_dir / "rejects.csv", ["line", "reason"], rejects)


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
        moment = lambda r: datetime(  # noqa: E731
            r.published_on.year, r.published_on.month, r.published_on.day, tzinfo=UTC
        )
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
        return len(new)


async def batches() -> list[dict]:
    with all_tenants(SCOPE):
        return await LegacyBatch.select().order_by(LegacyBatch.year).order_by(LegacyBatch.id)
