"""The audit log leaves its hash chain for a Merkle tree sequenced after commit (the next
migration drops the chain's columns and adds the entries' positions and leaf hashes).

The chain is checked one last time first: a log that does not verify stops the migration,
naming the entry, rather than being signed afresh as if intact. The entries then wait for the
sequencer, which numbers them in their old order. SQLite cannot drop a UNIQUE column, so there
`hash` loses its UNIQUE constraint first (the table is rebuilt as it was, without it).
"""

import hashlib
import json
import re
from datetime import UTC

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import is_sqlite
from gpcloud.piccolo_conf import DB

ID = "2026-12-06T11:22:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit: check the hash chain before it is dropped"

CHAINED = (
    "tenant_id",
    "actor_id",
    "actor",
    "action",
    "object_type",
    "object_id",
    "before_digest",
    "after_digest",
    "detail",
)


def _entry_hash(prev_hash: str, row: dict) -> str:
    body = {name: row[name] for name in CHAINED}
    body["created_at"] = row["created_at"].astimezone(UTC).isoformat(timespec="microseconds")
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + text).encode()).hexdigest()


async def check_chain() -> None:
    prev, last_id = "0" * 64, 0
    while True:
        rows = await DB.run_ddl(
            f"SELECT * FROM audit_entry WHERE id > {last_id} ORDER BY id LIMIT 1000"
        )
        for row in rows:
            if row["prev_hash"] != prev or _entry_hash(prev, row) != row["hash"]:
                raise RuntimeError(
                    f"the audit chain is broken at entry {row['id']}: investigate before "
                    "migrating (gpcloud audit verify on the previous version names the problem)"
                )
            prev = row["hash"]
        if not rows:
            return
        last_id = rows[-1]["id"]


async def loosen_hash_on_sqlite() -> None:
    if not is_sqlite():
        return
    table = await DB.run_ddl(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_entry'"
    )
    indexes = await DB.run_ddl(
        "SELECT sql FROM sqlite_master "
        "WHERE type = 'index' AND tbl_name = 'audit_entry' AND sql IS NOT NULL"
    )
    sql = table[0]["sql"].replace('"hash" VARCHAR(64) UNIQUE', '"hash" VARCHAR(64)')
    sql = re.sub(
        r'^CREATE TABLE (IF NOT EXISTS )?"audit_entry"', 'CREATE TABLE "audit_rebuilt"', sql
    )
    await DB.run_ddl(sql)
    await DB.run_ddl('INSERT INTO "audit_rebuilt" SELECT * FROM "audit_entry"')
    await DB.run_ddl('DROP TABLE "audit_entry"')
    await DB.run_ddl('ALTER TABLE "audit_rebuilt" RENAME TO "audit_entry"')
    for index in indexes:
        await DB.run_ddl(index["sql"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_raw(check_chain)
    manager.add_raw(loosen_hash_on_sqlite)
    return manager
