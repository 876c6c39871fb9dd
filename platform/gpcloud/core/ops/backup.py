"""`gpcloud backup` / `gpcloud restore`: one archive holds a consistent copy of a deployment.

The archive (tar.gz) has the database, the files under var/ (job results, mail, and the keys
where they are kept there), and a manifest with a SHA-256 of every member. The database is
copied first and the files after it: a file is written before the row that names it commits,
so every file the copied rows name is in the archive. SQLite is copied with its online backup
API (a consistent snapshot while the platform runs); PostgreSQL with `pg_dump --format=custom`
(one snapshot). The queue (Redis) is not kept: unfinished jobs are queued again from their
records when a worker starts.

Restore checks every digest before it writes anything, refuses a database that has tables
unless told to replace it, and then verifies the audit log (`gpcloud audit verify`).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gpcloud.settings import Settings

FORMAT = 1
SQLITE_MEMBER = "database/gpcloud.sqlite3"
PG_MEMBER = "database/gpcloud.pgdump"
# Under var/: what is not state of the deployment (the database is copied through its API, the
# queue is rebuilt from the job records, sockets and logs are the running process's).
SKIP = {"redis.sock", "redis.rdb", "redis.log"}


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class Manifest:
    database: str
    created_at: str
    files: dict[str, str]  # member -> sha256


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _var_files(settings: Settings) -> list[Path]:
    db_files = set()
    if not settings.is_postgres:
        base = settings.sqlite_path.name
        db_files = {base, f"{base}-wal", f"{base}-shm", f"{base}-journal"}
    found = []
    for path in sorted(settings.var.rglob("*")):
        rel = path.relative_to(settings.var)
        if path.is_file() and not path.is_symlink() and rel.name not in SKIP | db_files:
            if not rel.name.startswith("."):  # half-written temporary files
                found.append(path)
    return found


def _dump_database(settings: Settings, folder: Path) -> tuple[str, Path]:
    if settings.is_postgres:
        target = folder / "gpcloud.pgdump"
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--dbname={settings.db}",
                f"--file={target}",
            ]
        )
        return PG_MEMBER, target
    source = settings.sqlite_path
    if not source.exists():
        raise BackupError(f"no database at {source}")
    target = folder / "gpcloud.sqlite3"
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)  # pages copied under SQLite's own locking: one snapshot
    finally:
        src.close()
        dst.close()
    return SQLITE_MEMBER, target


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools)") from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")


def backup(settings: Settings, archive: Path) -> Manifest:
    """Write the archive; return its manifest."""
    with tempfile.TemporaryDirectory(prefix="gpcloud-backup-") as tmp:
        member, dump = _dump_database(settings, Path(tmp))
        files = {member: dump}
        for path in _var_files(settings):  # after the database: see the module doc
            files[f"var/{path.relative_to(settings.var).as_posix()}"] = path
        digests = {name: _sha256(path) for name, path in files.items()}
        manifest = Manifest(
            "postgresql" if settings.is_postgres else "sqlite",
            datetime.now(UTC).isoformat(),
            digests,
        )
        partial = archive.with_name(f".{archive.name}.partial")
        with tarfile.open(partial, "w:gz") as tar:
            body = json.dumps(manifest.__dict__, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
            for name, path in files.items():
                tar.add(path, arcname=name, recursive=False)
        partial.replace(archive)  # a crash never leaves a half archive under the name
    return manifest


def _read(archive: Path, into: Path) -> Manifest:
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(into, filter="data")  # no absolute paths, links out, or devices
    manifest = Manifest(**json.loads((into / "manifest.json").read_text()))
    for name, digest in manifest.files.items():
        path = into / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{archive}: {name} is missing or damaged; nothing was restored")
    return manifest


async def _pg_tables(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await conn.close()


async def _pg_wipe(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


def restore(settings: Settings, archive: Path, replace: bool = False) -> Manifest:
    """Restore the archive into the configured database and var/. Stop the platform first."""
    with tempfile.TemporaryDirectory(prefix="gpcloud-restore-") as tmp:
        unpacked = Path(tmp)
        manifest = _read(archive, unpacked)
        kind = "postgresql" if settings.is_postgres else "sqlite"
        if manifest.database != kind:
            raise BackupError(
                f"the archive holds a {manifest.database} database and GPCLOUD_DB names {kind}: "
                "restore on the same kind (to move between them, use the import tools)"
            )
        if settings.is_postgres:
            if asyncio.run(_pg_tables(settings.db)) and not replace:
                raise BackupError(
                    "the database has tables: restore into an empty one, or --replace"
                )
            if replace:
                asyncio.run(_pg_wipe(settings.db))
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--exit-on-error",
                    f"--dbname={settings.db}",
                    str(unpacked / PG_MEMBER),
                ]
            )
        else:
            target = settings.sqlite_path
            if target.exists() and not replace:
                raise BackupError(f"{target} exists: restore into an empty var/, or --replace")
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.restoring")
            shutil.copyfile(unpacked / SQLITE_MEMBER, partial)
            os.replace(partial, target)
        var_root = unpacked / "var"
        if var_root.exists():
            for path in sorted(var_root.rglob("*")):
                if path.is_file():
                    dest = settings.var / path.relative_to(var_root)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, dest)
    return manifest
