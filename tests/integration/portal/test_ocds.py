"""OCDS output: validated with the standard's own tooling (libcoveocds against the 1.1 schema,
offline), records compiled like ocdsmerge compiles them, pagination and bad parameters."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import ocdsmerge
import pytest

from gpcloud.demo import seed_demo
from tests.support import ROOT_TENANTS, closed_loop_module, drain_jobs

# The shared reference data sits beside the checkout (../shared); a clean clone elsewhere
# finds it through GPCLOUD_SHARED or the workplace's /work/shared.
SHARED = next(
    (
        Path(base) / "ocds"
        for base in (
            os.environ.get("GPCLOUD_SHARED", ""),
            ROOT_TENANTS.parents[1] / "shared",
            "/work/shared",
        )
        if base and (Path(base) / "ocds").is_dir()
    ),
    ROOT_TENANTS.parents[1] / "shared" / "ocds",
)
SCHEMA_ZIP = SHARED / "standard-1__1__5-schema.zip"


@pytest.fixture
async def walked(client):
    await seed_demo()
    closed_loop = closed_loop_module()
    return await closed_loop.walk(closed_loop.Session(client, drain_jobs))


async def fetch(client, path: str) -> dict:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def cove(tmp_path: Path, package: dict) -> dict:
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "package.json"
    source.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "libcoveocds",
            "--standard-zip",
            str(SCHEMA_ZIP),
            "-e",
            "-d",
            "-o",
            str(tmp_path / "cove"),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.skipif(not SCHEMA_ZIP.exists(), reason="../shared/ocds is not on this machine")
async def test_releases_and_records_validate_with_libcoveocds(client, walked, tmp_path):
    releases = await fetch(client, "/ocds/releases?region=441481")
    assert [r["tag"] for r in releases["releases"]] == [
        ["planning"],
        ["planning"],
        ["tender"],
        ["tenderUpdate"],
        ["award"],
        ["contract"],
        ["implementation"],
    ]
    assert len({r["ocid"] for r in releases["releases"]}) == 1
    report = cove(tmp_path / "releases", releases)
    assert report["validation_errors"] == []
    assert report["additional_closed_codelist_values"] == {}
    records = await fetch(client, "/ocds/records?region=441481")
    assert list(record_package_errors(records)) == []
    # libcoveocds validates release packages offline (its record-package check fetches the
    # versioned-release schema from the web): the compiled releases must pass it too.
    compiled = dict(releases, releases=[r["compiledRelease"] for r in records["records"]])
    report = cove(tmp_path / "compiled", compiled)
    assert report["validation_errors"] == []
    assert report["additional_closed_codelist_values"] == {}


def record_package_errors(package: dict):
    """The record package schema of the zip, its $refs resolved from the zip (no network)."""
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    with zipfile.ZipFile(SCHEMA_ZIP) as archive:
        schemas = {
            n.rsplit("/", 1)[-1]: json.loads(archive.read(n))
            for n in archive.namelist()
            if n.endswith("-schema.json") and "/schema/" in n and "metaschema" not in n
        }
    base = "https://standard.open-contracting.org/schema/1__1__5/"
    registry = Registry().with_resources(
        (base + name, Resource.from_contents(body, default_specification=DRAFT4))
        for name, body in schemas.items()
    )
    validator = Draft4Validator(schemas["record-package-schema.json"], registry=registry)
    return (e.message for e in validator.iter_errors(package))


@pytest.mark.skipif(not SCHEMA_ZIP.exists(), reason="../shared/ocds is not on this machine")
async def test_compiled_release_matches_ocdsmerge(client, walked):
    with zipfile.ZipFile(SCHEMA_ZIP) as archive:
        name = next(n for n in archive.namelist() if n.endswith("schema/release-schema.json"))
        schema = json.loads(archive.read(name))
    record = (await fetch(client, "/ocds/records"))["records"][0]
    theirs = ocdsmerge.Merger(schema=schema).create_compiled_release(record["releases"])
    assert record["compiledRelease"] == theirs
    assert record["compiledRelease"]["contracts"][0]["implementation"]["documents"]
    assert record["compiledRelease"]["awards"][0]["value"] == {
        "amount": 4380000.0,
        "currency": "CNY",
    }


async def test_pages_follow_links_next(client, walked):
    seen, path = [], "/ocds/releases?limit=3"
    while path:
        body = await fetch(client, path.replace("http://gpcloud.test", ""))
        seen += [r["id"] for r in body["releases"]]
        path = body.get("links", {}).get("next")
    assert len(seen) == len(set(seen)) == 7
    assert (await fetch(client, "/ocds/releases?region=440100"))["releases"] == []
    november = await fetch(client, "/ocds/releases?since=2026-11-01")
    assert [r["tag"][0] for r in november["releases"]] == ["award", "contract", "implementation"]
    for bad in ("region=999999", "limit=100000", "limit=0", "since=yesterday"):
        assert (await client.get(f"/ocds/releases?{bad}")).status_code == 400
