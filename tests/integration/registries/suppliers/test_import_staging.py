"""Supplier imports through PostgreSQL's staging table and set-based insert (SQLite: apply_batch
alone, with the same outcomes): duplicates within a file and against the table, two files at
once, a failed import, a crashed one resumed."""

import asyncio
import csv
import dataclasses
import json
import time

import pytest

from gpcloud.core.audit import service as audit
from gpcloud.core.audit.service import canonical
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import is_sqlite
from gpcloud.core.imports import runner, staging
from gpcloud.core.imports.runner import get_spec, run_import
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.core.validation import uscc_check_char
from gpcloud.piccolo_conf import DB
from gpcloud.registries.suppliers.tables import Supplier
from tests.integration.registries.suppliers.helpers import code

HEADER = [
    "uscc",
    "name",
    "region_code",
    "size_class",
    "address",
    "contact_phone",
    "ca_serial",
    "ca_issuer",
    "ca_valid_until",
]


def supplier(seq: int, name: str | None = None) -> list[str]:
    return [
        code(seq, "91441481MA8Y"),
        name or f"兴宁市测试{seq}号商贸有限公司",
        "441481",
        "小型",
        f"兴宁市测试路{seq}号",
        "0753-0000001",
        f"4A{seq:06d}",
        "广东省电子商务认证有限公司",
        "2099-12-31",
    ]


def write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return path


def batches_of(size: int):
    """The supplier spec with batches of `size` rows on both paths."""
    spec = get_spec("suppliers")
    return dataclasses.replace(
        spec, batch_size=size, bulk=dataclasses.replace(spec.bulk, batch_size=size)
    )


async def run(path, spec=None, **options):
    with use_scope((await tenant_tree()).scope_for("440000")):
        return await run_import(
            spec or get_spec("suppliers"),
            path,
            "440000",
            path.parent / f"out-{path.stem}",
            **options,
        )


def rejects(path) -> dict[int, str]:
    with (path.parent / f"out-{path.stem}" / "rejects.csv").open(encoding="utf-8-sig") as fh:
        return {int(r["row"]): r["reasons"] for r in csv.DictReader(fh)}


async def records(seqs) -> dict[str, dict]:
    """Organisation and supplier record of each code, failing on a code held twice."""
    codes = [code(s, "91441481MA8Y") for s in seqs]
    orgs = await Organisation.select().where(Organisation.uscc.is_in(codes))
    assert len(orgs) == len({o["uscc"] for o in orgs})
    found = await Supplier.select(
        Supplier.status, Supplier.organisation.uscc.as_alias("uscc")
    ).where(Supplier.organisation.uscc.is_in(codes))
    assert len(found) == len({s["uscc"] for s in found})
    by_code = {o["uscc"]: o for o in orgs}
    return {s["uscc"]: {**by_code[s["uscc"]], **s} for s in found}


async def leftover() -> list[str]:
    return [] if is_sqlite() else sorted(await staging.staging_tables())


@pytest.fixture
def staged(monkeypatch):
    """Row numbers the set-based statement wrote, batch by batch (PostgreSQL only)."""
    written: list[list[int]] = []
    original = staging.Stage.write

    async def write(self, rows):
        await original(self, rows)
        written.append([r.number for r in rows if r.outcome == "created"])

    monkeypatch.setattr(staging.Stage, "write", write)
    return written


async def test_duplicates_within_the_file_and_against_the_table(tmp_path, demo, staged):
    first = write(
        tmp_path / "first.csv", [supplier(1), supplier(2), supplier(1, "另一个名称"), supplier(3)]
    )
    summary = await run(first)
    assert summary.counts == {"created": 3, "rejected": 1}
    assert rejects(first) == {4: f"uscc {code(1, '91441481MA8Y')} is also in row 2"}
    assert staged == ([] if is_sqlite() else [[2, 3, 5]])

    staged.clear()
    second = write(
        tmp_path / "second.csv",
        [supplier(1), supplier(2, "兴宁市改名商贸有限公司"), supplier(4), supplier(4), supplier(3)],
    )
    summary = await run(second)
    assert summary.counts == {"unchanged": 2, "updated": 1, "created": 1, "rejected": 1}
    assert list(rejects(second)) == [5]
    # Only the new credit code is written set-based; the known ones go through apply_batch.
    assert staged == ([] if is_sqlite() else [[4]])
    found = await records(range(1, 5))
    assert len(found) == 4
    assert found[code(2, "91441481MA8Y")]["name"] == "兴宁市改名商贸有限公司"
    assert found[code(1, "91441481MA8Y")]["name"] == "兴宁市测试1号商贸有限公司"
    assert await leftover() == []


async def test_a_code_held_by_another_kind_of_organisation_is_rejected_in_order(tmp_path, demo):
    school = "12441481MB2C90004"  # a purchaser's organisation (gpcloud.demo)
    rows = [supplier(1), [school + uscc_check_char(school), *supplier(9)[1:]], supplier(2)]
    path = write(tmp_path / "mixed.csv", rows)
    summary = await run(path)
    assert summary.counts == {"created": 2, "rejected": 1}
    assert rejects(path) == {3: "uscc: registered to an organisation that is not a supplier"}
    # The records a batch creates keep the file's order.
    found = await records([1, 2])
    assert found[code(1, "91441481MA8Y")]["id"] < found[code(2, "91441481MA8Y")]["id"]


async def test_two_files_at_once_write_each_record_once(tmp_path, demo):
    one = write(tmp_path / "one.csv", [supplier(s) for s in range(10, 20)])
    two = write(tmp_path / "two.csv", [supplier(s) for s in range(15, 25)])
    spec = batches_of(3)
    a, b = await asyncio.gather(run(one, spec), run(two, spec))
    assert a.counts.get("rejected", 0) == b.counts.get("rejected", 0) == 0
    assert a.counts["created"] + b.counts["created"] == 15
    assert a.counts.get("unchanged", 0) + b.counts.get("unchanged", 0) == 5
    assert len(await records(range(10, 25))) == 15
    assert await leftover() == []


async def test_a_failed_import_keeps_whole_batches_and_no_staging_table(tmp_path, demo):
    path = write(tmp_path / "seven.csv", [supplier(s) for s in range(30, 37)])

    async def worker_dies(done, total):
        raise RuntimeError("the worker died")

    with pytest.raises(RuntimeError):
        await run(path, batches_of(3), progress=worker_dies)
    assert await leftover() == []
    assert sorted(await records(range(30, 37))) == sorted(
        code(s, "91441481MA8Y") for s in range(30, 33)
    )
    # Run again: the written batch is unchanged, the rest is created.
    summary = await run(path, batches_of(3))
    assert summary.counts == {"unchanged": 3, "created": 4}
    assert len(await records(range(30, 37))) == 7


@pytest.mark.skipif(is_sqlite(), reason="the staging table is PostgreSQL's")
async def test_a_crashed_job_resumes_and_its_staging_table_goes(tmp_path, demo, monkeypatch):
    path = write(tmp_path / "crash.csv", [supplier(s) for s in range(40, 48)])
    # A stale table of a job that crashed for good two days ago.
    stale = f"{staging.PREFIX}{'0' * 20}_{int(time.time()) - 2 * 86400}"
    await DB.run_ddl(f'CREATE UNLOGGED TABLE "{stale}" (n integer)')

    async def worker_dies(done, total):
        raise RuntimeError("killed")

    # A crash: the process is gone, its `finally` never runs, the staging table stays.
    close = staging.Stage.close
    monkeypatch.setattr(staging.Stage, "close", lambda self: asyncio.sleep(0))
    with pytest.raises(RuntimeError):
        await run(path, batches_of(3), progress=worker_dies, job_key="job-crash")
    left = await leftover()
    assert len(left) == 1 and left[0].startswith(staging.stage_prefix("job-crash"))
    assert len(await records(range(40, 48))) == 3

    monkeypatch.setattr(staging.Stage, "close", close)
    seen = []

    async def progress(done, total):
        seen.append((done, total))

    summary = await run(path, batches_of(3), progress=progress, job_key="job-crash")
    assert summary.counts == {"unchanged": 3, "created": 5}
    assert seen[-1] == (8, 8) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    found = await records(range(40, 48))
    assert len(found) == 8 and {r["status"] for r in found.values()} == {"active"}
    assert await leftover() == []  # the crashed attempt's and the stale one


@pytest.mark.skipif(is_sqlite(), reason="the staging table is PostgreSQL's")
async def test_a_failing_set_statement_hands_its_batch_to_apply_batch(tmp_path, demo, caplog):
    path = write(tmp_path / "fallback.csv", [supplier(s) for s in range(50, 55)])
    spec = get_spec("suppliers")
    broken = dataclasses.replace(
        spec,
        bulk=dataclasses.replace(spec.bulk, insert="SELECT 1 / (count(*) - count(*)) FROM {stage}"),
    )
    summary = await run(path, broken)
    assert summary.counts == {"created": 5}
    assert "retrying it without staging" in caplog.text
    found = await records(range(50, 55))
    assert len(found) == 5 and {r["status"] for r in found.values()} == {"active"}
    assert await leftover() == []


async def test_the_set_based_insert_writes_what_apply_batch_writes(tmp_path, demo, caplog):
    """The same rows (credit codes aside) through the spec as it is and through apply_batch
    alone give the same records: on PostgreSQL the first goes through the staging table."""
    sparse = [code(0, "91441481MA8Y"), "兴宁市缺项商贸有限公司", "441481", "", "", "", "", "", ""]

    # What COPY's text format escapes: a backslash, a tab, a newline, quotes.
    odd = supplier(62, '兴宁市\\N"反斜杠"\t商贸\n有限公司')
    templates = [supplier(60), supplier(61, "兴宁市第二商贸有限公司"), sparse, odd]

    def rows(offset):
        return [[code(60 + i + offset, "91441481MA8Y"), *t[1:]] for i, t in enumerate(templates)]

    staged = await run(write(tmp_path / "staged.csv", rows(0)))
    alone = await run(
        write(tmp_path / "alone.csv", rows(10)),
        dataclasses.replace(get_spec("suppliers"), bulk=None),
    )
    assert staged.counts == alone.counts == {"created": 4}
    assert "retrying" not in caplog.text  # the staged batch was not handed to apply_batch
    detail = Supplier.all_columns(exclude=[Supplier.id, Supplier.organisation])

    async def written(seqs):
        codes = [code(s, "91441481MA8Y") for s in seqs]
        found = (
            await Supplier.select(
                *detail,
                Supplier.organisation.name,
                Supplier.organisation.region,
                Supplier.organisation.kind,
                Supplier.organisation.uscc.as_alias("uscc"),
            )
            .where(Supplier.organisation.uscc.is_in(codes))
            .order_by(Supplier.id)
        )
        assert [f.pop("uscc") for f in found] == codes
        for f in found:
            f.pop("created_at"), f.pop("updated_at")
        return found

    first, second = await written(range(60, 64)), await written(range(70, 74))
    assert first == second
    assert [f["status"] for f in first] == ["active", "active", "incomplete", "active"]
    assert first[3]["organisation.name"] == '兴宁市\\N"反斜杠"\t商贸\n有限公司'


@pytest.fixture
def audited(monkeypatch):
    """The `after` of every audit entry an import records (the entries are written as ever)."""
    seen: list[tuple[str, object]] = []
    original = audit.record

    async def record(action, object_type, object_id, before=None, after=None, *args, **kwargs):
        seen.append((str(object_id), after))
        return await original(action, object_type, object_id, before, after, *args, **kwargs)

    monkeypatch.setattr(audit, "record", record)
    return seen


async def expected_after(path, spec, numbers) -> str:
    """canonical([(number, values), ...]) of these rows, the values parsed afresh from the file."""
    header, rows = runner._data_rows(path)
    parse = runner._parser(spec, runner._columns(spec, header))
    parsed = {number: parse(number, cells).values for number, cells in rows}
    return canonical([(number, parsed[number]) for number in numbers])


async def test_a_batch_that_fails_set_based_in_the_middle_and_the_audit_of_each(
    tmp_path, demo, staged, audited, caplog
):
    """Batches are made ahead while the previous one is written: the middle batch's set
    statement fails (it holds row 6) and it goes to apply_batch; the batches around it stay
    set-based, every row is written once, and each batch's audit entry digests its rows as
    parsed, whichever path wrote them."""
    path = write(tmp_path / "middle.csv", [supplier(s) for s in range(80, 87)])
    spec = batches_of(3)
    guard = (
        "guard AS MATERIALIZED "
        "(SELECT 1 / (CASE WHEN bool_or(n = 6) THEN 0 ELSE 1 END) AS x FROM {stage})"
    )
    failing = dataclasses.replace(
        spec,
        bulk=dataclasses.replace(
            spec.bulk,
            insert=spec.bulk.insert.replace("WITH fresh AS (", f"WITH {guard}, fresh AS (").replace(
                "FROM {stage} s", "FROM {stage} s JOIN guard ON guard.x = 1"
            ),
        ),
    )
    assert failing.bulk.insert != spec.bulk.insert
    summary = await run(path, failing)
    assert summary.counts == {"created": 7}
    assert len(await records(range(80, 87))) == 7
    if not is_sqlite():
        assert staged == [[2, 3, 4], [8]]  # the middle batch's statement failed
        assert caplog.text.count("retrying it without staging") == 1
    assert [object_id for object_id, _ in audited] == ["2-4", "5-7", "8-8"]
    for (object_id, after), numbers in zip(audited, ([2, 3, 4], [5, 6, 7], [8]), strict=True):
        assert after == await expected_after(path, spec, numbers), object_id
    with all_tenants("test: the audit log"):
        entries = await AuditEntry.select(AuditEntry.object_id, AuditEntry.after_digest).where(
            AuditEntry.action == "suppliers.import"
        )
    digests = {e["object_id"]: e["after_digest"] for e in entries}
    for object_id, after in audited:
        assert digests[object_id] == audit.digest(json.loads(after))

    # Again with one record renamed and one new: the update through apply_batch, the new one
    # set-based, in one batch and one entry.
    audited.clear()
    again = write(
        tmp_path / "again.csv", [supplier(80, "兴宁市改名八十号商贸有限公司"), supplier(87)]
    )
    summary = await run(again, spec)
    assert summary.counts == {"updated": 1, "created": 1}
    assert audited == [("2-3", await expected_after(again, spec, [2, 3]))]


async def test_a_reimport_finds_the_records_of_every_batch(tmp_path, demo, staged, caplog):
    """The set statement looks each credit code up (by index, row by row): records held by the
    second batch of a re-run are found there too, so the statement writes only the new codes
    and never falls back to apply_batch on a duplicate key."""
    spec = batches_of(3)
    first = await run(write(tmp_path / "first.csv", [supplier(s) for s in range(90, 96)]), spec)
    assert first.counts == {"created": 6}
    staged.clear()
    mixed = [supplier(s) for s in (96, 97, 98, 93, 99, 95)]
    summary = await run(write(tmp_path / "mixed.csv", mixed), spec)
    assert summary.counts == {"created": 4, "unchanged": 2}
    assert staged == ([] if is_sqlite() else [[2, 3, 4], [6]])
    assert "retrying" not in caplog.text
    assert len(await records(range(90, 100))) == 10
