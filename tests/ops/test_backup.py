"""Backup and restore as an operator runs them: a demo deployment is backed up, wiped and
restored from the archive; its audit log verifies, its portal answers as before and its files
are back. On the suite's database kind (SQLite here, PostgreSQL in CI's second run)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from gpcloud.settings import get_settings
from tests.conftest import _pg_admin

PORTAL = """
import asyncio, json, httpx
from gpcloud.app import create_app
from gpcloud.core.db import close_pool, open_pool

async def main():
    await open_pool(1, 2)
    transport = httpx.ASGITransport(app=create_app(run_worker=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://restore.test") as client:
        query = "{ notices(first: 20) { edges { node { id title regionName } } } }"
        response = await client.post("/graphql", json={"query": query})
    await close_pool()
    print(json.dumps(response.json(), ensure_ascii=False, sort_keys=True))

asyncio.run(main())
"""
SEED = """
import asyncio
from gpcloud.core.db import close_pool, open_pool
from gpcloud.demo import seed_demo
from gpcloud.portal import demo as portal_demo

async def main():
    await open_pool(1, 2)
    await seed_demo()
    await portal_demo.seed()
    await close_pool()

asyncio.run(main())
"""


class Deployment:
    """A deployment of its own: var/ in tmp_path, its own PostgreSQL database when the suite
    runs on PostgreSQL, its own Redis namespace."""

    def __init__(self, tmp_path: Path):
        settings = get_settings()
        self.var = tmp_path / "var"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GPCLOUD_")}
        self.env |= {
            "GPCLOUD_VAR": str(self.var),
            "GPCLOUD_ARGON2_MEMORY_KIB": "1024",
            "GPCLOUD_ARGON2_TIME_COST": "1",
            "GPCLOUD_TENANTS_DIR": str(settings.tenants_dir),
            "GPCLOUD_REDIS_NAMESPACE": f"backup-test-{uuid.uuid4().hex[:8]}",
        }
        self.database = None
        if settings.is_postgres:
            self.database = f"gpcloud_backup_{uuid.uuid4().hex[:8]}"
            self.server = urlsplit(settings.db)
            self.env["GPCLOUD_DB"] = urlunsplit(self.server._replace(path=f"/{self.database}"))
            self.env["GPCLOUD_REDIS"] = settings.redis
            self.create_database()

    def admin(self, sql: str) -> None:
        _pg_admin(sql)

    def create_database(self) -> None:
        self.admin(f'CREATE DATABASE "{self.database}"')

    def drop_database(self) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def run(self, *args: str, script: str | None = None, check: bool = True):
        command = (
            [sys.executable, "-c", script] if script else [sys.executable, "-m", "gpcloud", *args]
        )
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=600)
        if check:
            assert done.returncode == 0, f"{args or 'script'}: {done.stdout}\n{done.stderr}"
        return done

    def wipe(self) -> None:
        if self.database:
            self.drop_database()
            self.create_database()
        for path in sorted(self.var.rglob("*"), reverse=True):
            if path.name == "redis.sock":
                continue
            path.unlink() if path.is_file() or path.is_symlink() else path.rmdir()


@pytest.fixture
def deployment_of_its_own(tmp_path):
    deployment = Deployment(tmp_path)
    yield deployment
    if deployment.database:
        deployment.drop_database()


def test_backup_wipe_restore_verify(deployment_of_its_own, tmp_path):
    d = deployment_of_its_own
    d.run("migrate")
    d.run("tenants", "apply")
    d.run(script=SEED)
    d.run("audit", "sequence")
    report = d.var / "jobs" / "7" / "rejects.csv"
    report.parent.mkdir(parents=True)
    report.write_text("row,reasons\n3,名称不能为空\n", encoding="utf-8")
    portal = json.loads(d.run(script=PORTAL).stdout.splitlines()[-1])
    assert len(portal["data"]["notices"]["edges"]) == 20
    keys = {name: (d.var / name).read_text() for name in ("secret_key", "audit_signing_key")}

    archive = tmp_path / "gpcloud-backup.tar.gz"
    d.run("backup", str(archive))
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "var/jobs/7/rejects.csv", "var/audit_signing_key"} <= names
    assert not any(n.startswith("var/redis") for n in names)

    d.wipe()
    assert not report.exists()
    restored = d.run("restore", str(archive))
    # restore ran `audit verify`: every entry sequenced before the backup, under its signed head
    assert "restored" in restored.stdout
    assert re.search(
        r"ok: (\d+) entries, signed head of size \1 root [0-9a-f]{64}; 0 not", restored.stdout
    )
    assert d.run("audit", "verify").returncode == 0
    assert json.loads(d.run(script=PORTAL).stdout.splitlines()[-1]) == portal
    assert report.read_text(encoding="utf-8") == "row,reasons\n3,名称不能为空\n"
    assert {name: (d.var / name).read_text() for name in keys} == keys

    # A database with data is not overwritten unless asked; a damaged archive restores nothing.
    refused = d.run("restore", str(archive), check=False)
    assert refused.returncode != 0 and "replace" in refused.stderr
    d.run("restore", "--replace", str(archive))
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "var/jobs/7/rejects.csv":
                data = data.replace(b"3", b"4")
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    broken = d.run("restore", "--replace", str(damaged), check=False)
    assert broken.returncode != 0 and "damaged" in broken.stderr
