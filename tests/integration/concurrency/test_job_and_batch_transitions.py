"""The platform's own machines raced: a job record (JOB) and a legacy migration batch
(LEGACY_BATCH). Both let `start` leave `running` again (a retry, a resumed run after a crash),
so what keeps two workers off the same attempt is the revision the worker read, not the state:
N workers holding the same read of the record race each transition, in their own task,
transaction and connection. Exactly one wins; the others are told CONFLICT; what the transition
records (an attempt, a finish, the migrated year opening) happens once.

Were the compare-and-set a plain read-check-update, these tests fail on both databases:
- checked against the worker's read, then UPDATE ... WHERE id = :id: every worker passes the
  check and writes, N winners (`attempts` N, the revision bumped N times, the last writer's
  outcome);
- checked against a fresh read in the transaction: `start` still lets every worker through
  (running -> running is allowed), on both databases; `succeed`/`fail`/`complete` let through
  every worker that read before the winner committed, which on PostgreSQL is all of them, while
  on SQLite the transactions queue on the write lock (BEGIN IMMEDIATE) and that variant is
  caught by the `start` races only.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from piccolo.query import WhereRaw

from gpcloud.core.db import transaction
from gpcloud.core.jobs import service as jobs
from gpcloud.core.jobs.tables import Job
from gpcloud.core.jobs.workflow import JOB
from gpcloud.core.publishing import version
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.portal import legacy
from gpcloud.portal.service import VISIBLE
from gpcloud.portal.tables import LegacyBatch, Notice
from gpcloud.portal.workflow import LEGACY_BATCH
from tests.integration.concurrency.test_transitions import one_wins, race
from tests.integration.portal.test_legacy import line
from tests.integration.procurement import actor


async def job_row(job_id: int) -> dict:
    with all_tenants("test: read a job"):
        return await Job.select().where(Job.id == job_id).output(load_json=True).first()


# Each claim starts at its own pinned instant, so the row tells which worker won.
STARTS = (datetime(2026, 9, 1, 9, tzinfo=UTC) + timedelta(seconds=n) for n in itertools.count())


async def start_job(job: dict) -> dict:
    """run_job's claim of the record it read, with its arguments (run_job answers "taken" to
    the DomainError a loser gets)."""
    async with transaction():
        return await JOB.move(
            None,
            job,
            "start",
            {Job.started_at: next(STARTS), Job.attempts: Job.attempts + 1},
        )


async def test_workers_starting_one_queued_job(demo):
    """N deliveries of one queued job: one worker runs it, once. A read-check-update would let
    all N start it: `attempts` N and the revision N."""
    with use_scope((await tenant_tree()).scope_for("441481")):
        queued = await jobs.enqueue("users.export", {})
        started = one_wins(*await race(lambda: start_job(queued)))
        row = await job_row(queued["id"])
        assert (row["status"], row["attempts"], row["revision"]) == ("running", 1, 1)
        assert row["started_at"] == started["started_at"]  # the winner's; the losers wrote none
        assert row["finished_at"] is None


async def test_workers_finishing_one_running_job(demo):
    """N finishes of one running attempt, half succeeded and half failed (_finish, as the
    handler's end and its error paths call it): one outcome, the winner's. A read-check-update
    would take all N (on SQLite, only one checking the worker's read), leaving whichever wrote
    last and the revision bumped N times."""
    with use_scope((await tenant_tree()).scope_for("441481")):
        queued = await jobs.enqueue("users.export", {})
        running = {**queued, **(await start_job(queued))}  # as run_job keeps it
        statuses = itertools.cycle(("succeeded", "failed"))

        async def finish():
            status = next(statuses)
            extra = {"error_code": "INTERNAL", "error_message": "x"} if status == "failed" else {}
            await jobs._finish(running, status, counts={status: 1}, **extra)
            return {"status": status}  # race() counts a string as a loss's code

        outcome = one_wins(*await race(finish))["status"]
        row = await job_row(queued["id"])
    assert (row["status"], row["counts"], row["revision"]) == (outcome, {outcome: 1}, 2)
    assert row["error_code"] == ("INTERNAL" if outcome == "failed" else None)
    assert row["attempts"] == 1 and row["finished_at"] is not None


async def batch_row(batch_id: int) -> dict:
    with all_tenants("test: read a legacy batch"):
        return await LegacyBatch.select().where(LegacyBatch.id == batch_id).first()


async def start_batch(batch: dict) -> dict:
    """legacy.run's start of the batch it read, with its arguments."""
    with all_tenants(legacy.SCOPE):
        async with transaction():
            return await LEGACY_BATCH.move(None, batch, "start", {LegacyBatch.error: ""})


async def visible_notices() -> int:
    with all_tenants("test: the portal"):
        return await Notice.count().where(WhereRaw(VISIBLE))


async def test_runs_starting_and_completing_one_batch(demo, tmp_path):
    """A batch started by N runs at once (pending, then failed after a crash), then completed
    by N (legacy._migrate, the run's own step, with every line already done): each time one
    run wins, the revision moves once, and the migrated year opens once (the portal told once).
    A read-check-update would let every run start (two runs writing the same chunks), and
    every run complete (on SQLite, one checking the worker's read)."""
    content = "\n".join([line("R-1"), line("R-2", title="课桌椅采购结果公告"), "{bad"]).encode()
    with use_scope((await tenant_tree()).scope_for("440000")):
        job = await legacy.start(
            await actor("gd.admin"), 2020, "result", "jsonl", "r.jsonl", content
        )
    batch_id = job["payload"]["batch"]

    pending = await batch_row(batch_id)
    one_wins(*await race(lambda: start_batch(pending)))
    started = await batch_row(batch_id)
    assert (started["status"], started["revision"]) == ("running", 1)

    # A run that writes the records and crashes before completing: the batch is failed with
    # every line done, so a resumed run only completes it.
    with pytest.raises(RuntimeError, match="simulated crash"), all_tenants(legacy.SCOPE):
        await legacy.run(batch_id, tmp_path, stop_after=1)
    failed = await batch_row(batch_id)
    assert (failed["status"], failed["created"], failed["lines_done"]) == ("failed", 2, 3)
    assert await visible_notices() == 0

    running = one_wins(*await race(lambda: start_batch(failed)))
    after_start = await batch_row(batch_id)
    assert (after_start["status"], after_start["revision"]) == ("running", failed["revision"] + 1)
    assert after_start["error"] == ""

    async def complete():
        with all_tenants(legacy.SCOPE):
            await legacy._migrate(running, tmp_path, None, None)
        return {"status": "completed"}

    told = await version()
    one_wins(*await race(complete))
    done = await batch_row(batch_id)
    assert (done["status"], done["revision"], done["rejected"]) == (
        "completed",
        running["revision"] + 1,
        1,
    )
    assert await version() == told + 1  # the winner's commit told the portal; no loser did
    assert await visible_notices() == 2
