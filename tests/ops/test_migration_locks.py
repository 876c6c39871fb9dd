"""Migrations that do not stop a live province (docs/deployment.md, Upgrades): on PostgreSQL, no
new migration takes a long lock on a table an earlier migration created."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from gpcloud.core.ops.migration_locks import create_index_concurrently, long_locks
from gpcloud.piccolo_conf import DB
from gpcloud.settings import get_settings
from tests.conftest import _pg_admin

# Migrations older than the rule, written before the platform held data: their indexes were
# built on empty tables. Never add to this list: build new indexes concurrently.
BEFORE_THE_RULE = {
    "2026-11-26T08:40:00:000000",
    "2026-11-26T08:57:00:000000",
    "2026-11-26T09:24:00:000000",
    "2026-11-26T09:29:00:000000",
    "2026-11-26T09:29:10:000000",
    "2026-11-26T09:30:00:000000",
    "2026-11-26T10:30:00:000000",
    "2026-11-26T12:05:00:000000",
    "2026-11-26T12:15:00:000000",
    "2026-11-26T12:45:00:000000",
    "2026-11-26T12:49:34:286439",
    "2026-11-26T13:00:01:248338",
    "2026-11-26T15:00:01:000000",
    "2026-11-26T15:00:02:000000",
    "2026-12-06T11:19:00:000000",
    "2026-12-06T11:22:02:000000",
    "2026-12-06T12:51:42:702802",
    "2026-12-06T12:51:43:603340",
    # E-transaction I's project and announcement timers, written on a branch before this rule reached main (its
    # indexes on project.next_check and announcement.next_check should be rebuilt CONCURRENTLY before a deployment with data).
    "2026-12-06T14:25:14:388281",
    "2026-12-06T15:20:10:416531",  # and announcement.next_check, the same
}
RUN = """
import asyncio, json
from gpcloud.core.ops.migration_locks import long_locks, statements_by_migration

async def main():
    statements = await statements_by_migration()
    print(json.dumps({"statements": len(statements),
                      "locks": [lock.__dict__ for lock in long_locks(statements)]}))

asyncio.run(main())
"""


@pytest.mark.skipif(not get_settings().is_postgres, reason="the locks are PostgreSQL's")
def test_no_new_migration_takes_a_long_lock(tmp_path):
    database = f"gpcloud_locks_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{database}"')
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GPCLOUD_")}
        env["GPCLOUD_VAR"] = str(tmp_path)
        env["GPCLOUD_DB"] = urlunsplit(urlsplit(get_settings().db)._replace(path=f"/{database}"))
        done = subprocess.run(
            [sys.executable, "-c", RUN], env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr
        found = json.loads(done.stdout.splitlines()[-1])
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    assert found["statements"] > 100  # the recording saw the migrations run
    new = [lock for lock in found["locks"] if lock["migration"] not in BEFORE_THE_RULE]
    assert new == [], "long locks on existing tables (see core/ops/migration_locks.py)"
    still = {lock["migration"] for lock in found["locks"]}
    assert still == BEFORE_THE_RULE, "remove fixed migrations from BEFORE_THE_RULE"


def test_the_rules():
    statements = [
        ("m1", 'CREATE TABLE "plan" ("id" SERIAL PRIMARY KEY, "title" VARCHAR(200))'),
        ("m1", 'CREATE INDEX "plan_title" ON "plan" ("title")'),  # new table: fine
        ("m1", 'ALTER TABLE "plan" ALTER COLUMN "title" SET NOT NULL'),
        ("m2", 'CREATE INDEX "plan_t2" ON "plan" ("title")'),
        ("m2", 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "plan_t3" ON "plan" ("title")'),
        ("m2", 'ALTER TABLE "plan" ALTER COLUMN "title" TYPE TEXT'),
        ("m2", 'ALTER TABLE "plan" ALTER COLUMN "title" SET NOT NULL'),
        ("m2", 'ALTER TABLE "plan" ADD CONSTRAINT "t" CHECK ("title" IS NOT NULL) NOT VALID'),
        ("m2", 'ALTER TABLE "plan" VALIDATE CONSTRAINT "t"'),
        ("m2", 'ALTER TABLE "plan" ADD CONSTRAINT "fk" FOREIGN KEY ("x") REFERENCES "y" ("id")'),
        ("m2", 'ALTER TABLE "plan" ADD COLUMN "note" TEXT DEFAULT \'\''),
        ("m2", 'ALTER TABLE "plan" ADD COLUMN "u" UUID DEFAULT gen_random_uuid()'),
        ("m3", 'CREATE UNIQUE INDEX "plan_u" ON "plan" ("u")'),
        ("m3", "SELECT 1"),
    ]
    found = [(lock.migration, lock.table, lock.why.split()[0]) for lock in long_locks(statements)]
    assert found == [
        ("m2", "plan", "CREATE"),
        ("m2", "plan", "ALTER"),
        ("m2", "plan", "SET"),
        ("m2", "plan", "ADD"),
        ("m2", "plan", "a"),
        ("m3", "plan", "CREATE"),
    ]


async def test_an_index_built_concurrently_outside_a_transaction():
    await create_index_concurrently("lease", ["holder", "expires_at"])
    try:
        if get_settings().is_postgres:
            rows = await DB.run_ddl(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'lease_holder_expires_at_idx'"
            )
            assert rows and "(holder, expires_at)" in rows[0]["indexdef"]
        else:
            rows = await DB.run_ddl("PRAGMA index_list('lease')")
            assert "lease_holder_expires_at_idx" in {r["name"] for r in rows}
    finally:
        await DB.run_ddl('DROP INDEX IF EXISTS "lease_holder_expires_at_idx"')
