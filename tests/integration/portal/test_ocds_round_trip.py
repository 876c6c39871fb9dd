"""OCDS as open-data users use it: releases of other publishers imported through the legacy
migration come back out of /ocds exactly as published (every field, extensions and unknown keys
included), their record compiles as ocdsmerge compiles it, and importing the export changes
nothing (issue 21)."""

import copy
import json

import ocdsmerge
import pytest

from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.portal import legacy_ocds, ocds
from gpcloud.portal.tables import Notice, OcdsRelease
from tests.integration.portal.test_legacy import start
from tests.integration.portal.test_ocds import SCHEMA_ZIP, SHARED, cove, fetch
from tests.support import drain_jobs, gql, login

LONG = "ocds-zz9zz9-" + "x" * 40  # two processes whose ocid/id keys share their last 48 chars
EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "v1.1.5/extension.json"
)


def edge_releases() -> list[dict]:
    """What the issue saw lost: several tags, planningUpdate and contractAmendment, buyer
    without a purchaser id, two suppliers on one award, long ids, budget and rationale, a
    foreign currency, pending awards, an empty awards list, no titles, another language,
    times of day in other zones, items, documents, tenderers, periods, dateSigned,
    transactions, an extension's fields and keys no schema knows."""
    buyer = {"id": "GB-GOV-1", "name": "Ministry of Roads"}
    suppliers = [
        {"id": "GB-COH-1", "name": "Road Co"},
        {"id": "GB-COH-2", "name": "Asphalt Ltd"},
    ]
    return [
        {
            "ocid": "ocds-zz9zz9-edge-1",
            "id": "edge-1-planning",
            "date": "2019-12-31T22:00:00-04:00",
            "tag": ["planning"],
            "initiationType": "tender",
            "language": "en",
            "buyer": buyer,
            "parties": [{**buyer, "roles": ["buyer", "procuringEntity"]}],
            "planning": {
                "rationale": "Potholes",
                "budget": {"id": "B1", "amount": {"amount": 1000.5, "currency": "USD"}},
                "x_internalNote": {"kept": [1, 2, {"deep": None}]},
            },
            "x_unknownTopLevel": "kept as is",
        },
        {
            "ocid": "ocds-zz9zz9-edge-1",
            "id": "edge-1-planning-update",
            "date": "2020-01-02T08:15:30+08:00",
            "tag": ["planningUpdate"],
            "initiationType": "tender",
            "planning": {"budget": {"id": "B1", "amount": {"amount": 1200, "currency": "USD"}}},
        },
        {
            "ocid": "ocds-zz9zz9-edge-1",
            "id": "edge-1-everything",
            "date": "2020-03-01T10:00:00Z",
            "tag": ["tender", "award", "contract"],
            "initiationType": "tender",
            "parties": [
                {**buyer, "roles": ["buyer"]},
                *({**s, "roles": ["supplier"]} for s in suppliers),
            ],
            "tender": {
                "id": "T1",
                "status": "complete",
                "procurementMethod": "open",
                "items": [{"id": "I1", "description": "Asphalt", "quantity": 3}],
                "tenderers": suppliers,
                "tenderPeriod": {
                    "startDate": "2020-01-10T09:00:00Z",
                    "endDate": "2020-02-10T17:00:00Z",
                },
                "documents": [
                    {"id": "D1", "documentType": "tenderNotice", "url": "https://example.org/d1"}
                ],
                "lots": [{"id": "L1", "title": "Lot 1"}],
            },
            "awards": [
                {
                    "id": "A1",
                    "status": "pending",
                    "value": {"amount": 900, "currency": "EUR"},
                    "suppliers": suppliers,
                    "relatedLots": ["L1"],
                }
            ],
            "contracts": [
                {
                    "id": "C1",
                    "awardID": "A1",
                    "status": "active",
                    "dateSigned": "2020-02-29T23:30:00-05:00",
                    "implementation": {
                        "transactions": [
                            {
                                "id": "TX1",
                                "date": "2020-04-01T00:00:00Z",
                                "value": {"amount": 450, "currency": "EUR"},
                                "payer": buyer,
                                "payee": suppliers[0],
                            }
                        ]
                    },
                }
            ],
        },
        {
            "ocid": "ocds-zz9zz9-edge-1",
            "id": "edge-1-amendment",
            "date": "2020-05-01T12:00:00+02:00",
            "tag": ["contractAmendment"],
            "initiationType": "tender",
            "awards": [],
            "contracts": [
                {
                    "id": "C1",
                    "awardID": "A1",
                    "amendments": [{"id": "AM1", "rationale": "More asphalt"}],
                }
            ],
        },
        {
            "ocid": LONG + "a",
            "id": "release-with-a-long-identifier-1",
            "date": "2020-06-01T00:00:00Z",
            "tag": ["tender"],
            "initiationType": "tender",
            "tender": {"id": "T-long"},
        },
        {
            "ocid": LONG + "b",
            "id": "release-with-a-long-identifier-1",
            "date": "2020-06-01T00:00:00Z",
            "tag": ["tender"],
            "initiationType": "tender",
            "tender": {"id": "T-long"},
        },
    ]


def fictional() -> list[dict]:
    releases = []
    for path in sorted((SHARED / "fictional-example").glob("0*.json")):
        releases += json.loads(path.read_text(encoding="utf-8"))["releases"]
    return releases


async def migrate(client, package: dict, job: list | None = None) -> dict:
    started = await start(
        client,
        json.dumps(package, ensure_ascii=False).encode(),
        year=2010,
        kind="TENDER",
        fmt="ocds",
        name="package.json",
        region="441481",
    )
    assert started["errors"] == []
    if job is not None:
        job.append(started["job"]["id"])
    await drain_jobs()
    status = "{ legacyMigrations { created skipped rejected } }"
    return (await gql(client, status))["data"]["legacyMigrations"][-1]


async def export(client, path: str) -> dict:
    body, items, key = None, [], path.split("?")[0].rsplit("/", 1)[-1]
    while path:
        body = await fetch(client, path.replace("http://gpcloud.test", ""))
        items += body[key]
        path = body.get("links", {}).get("next")
    return {**body, key: items}


def schema() -> dict:
    import zipfile

    with zipfile.ZipFile(SCHEMA_ZIP) as archive:
        name = next(n for n in archive.namelist() if n.endswith("schema/release-schema.json"))
        return json.loads(archive.read(name))


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/ocds is not on this machine")
async def test_import_export_import_is_lossless(client, demo, tmp_path):
    given = fictional() + edge_releases()
    package = {"version": "1.1", "extensions": [EXTENSION], "releases": copy.deepcopy(given)}
    assert await migrate(client, package) == {"created": 12, "skipped": 0, "rejected": 0}

    out = await export(client, "/ocds/releases?region=441481&limit=3")
    by_key = {(r["ocid"], r["id"]): r for r in out["releases"]}
    assert len(by_key) == len(given)
    for release in given:  # zero differences, release by release
        assert by_key[(release["ocid"], release["id"])] == release
    assert EXTENSION in out["extensions"]

    # The export imported again: nothing new, and the next export is the same.
    again = await migrate(client, {k: v for k, v in out.items() if k != "links"})
    assert again == {"created": 0, "skipped": 12, "rejected": 0}
    assert (await export(client, "/ocds/releases?region=441481"))["releases"] == out["releases"]

    # Records: compiled as ocdsmerge compiles the inputs, with the standard's own schema.
    records = await export(client, "/ocds/records?region=441481&limit=2")
    merger = ocdsmerge.Merger(schema=schema())
    assert len(records["records"]) == 4  # the long ocids did not collide
    for record in records["records"]:
        inputs = [r for r in given if r["ocid"] == record["ocid"]]
        assert sorted(record["releases"], key=lambda r: r["id"]) == sorted(
            inputs, key=lambda r: r["id"]
        )
        assert record["compiledRelease"] == merger.create_compiled_release(inputs)
    expected = json.loads((SHARED / "fictional-example" / "expected-record.json").read_text())
    (theirs,) = [r for r in records["records"] if r["ocid"] == "ocds-213czf-000-00001"]
    assert theirs["compiledRelease"] == expected["records"][0]["compiledRelease"]
    (edge,) = [r for r in records["records"] if r["ocid"] == "ocds-zz9zz9-edge-1"]
    compiled = edge["compiledRelease"]
    assert [s["id"] for s in compiled["awards"][0]["suppliers"]] == ["GB-COH-1", "GB-COH-2"]
    assert compiled["awards"][0]["status"] == "pending"
    assert compiled["planning"]["budget"]["amount"] == {"amount": 1200, "currency": "USD"}
    assert compiled["contracts"][0]["amendments"] == [{"id": "AM1", "rationale": "More asphalt"}]

    # The fictional example validates as published, and so does its compiled release.
    fictional_only = {**out, "releases": fictional()}
    assert cove(tmp_path / "releases", fictional_only)["validation_errors"] == []
    compiled_only = {**out, "releases": [theirs["compiledRelease"]]}
    assert cove(tmp_path / "compiled", compiled_only)["validation_errors"] == []


async def test_notices_derived_from_the_releases(client, demo):
    await migrate(client, {"version": "1.1", "releases": edge_releases()})
    with all_tenants("test"):
        notices = {
            r["source"]: r for r in await Notice.select().where(Notice.ocid == "ocds-zz9zz9-edge-1")
        }
        kept = await OcdsRelease.count()
    assert kept == 6
    first = notices["legacy:ocds-zz9zz9-edge-1/edge-1-planning"]
    # 2019-12-31 22:00 at -04:00 is 2020-01-01 02:00 UTC, 10:00 in China.
    assert str(first["published_on"]) == "2020-01-01"
    assert first["published_at"].isoformat().startswith("2020-01-01T02:00")
    assert first["kind"] == "plan" and first["purchaser_name"] == "Ministry of Roads"
    assert "1000.5 USD" in first["body"] and first["amount_fen"] is None
    everything = notices["legacy:ocds-zz9zz9-edge-1/edge-1-everything"]
    assert everything["kind"] == "contract"  # the furthest stage its tags name
    assert notices["legacy:ocds-zz9zz9-edge-1/edge-1-amendment"]["kind"] == "contract"
    assert legacy_ocds.legacy_id(LONG + "a", "x") != legacy_ocds.legacy_id(LONG + "b", "x")


async def test_bad_releases_are_rejected_by_name(client, demo):
    bad = [
        {"ocid": "ocds-zz9zz9-b", "id": "1", "date": "2020-01-01T00:00:00Z", "tag": ["compiled"]},
        {"ocid": "ocds-zz9zz9-b", "id": "2", "date": "yesterday", "tag": ["tender"]},
        {"id": "3", "date": "2020-01-01T00:00:00Z", "tag": ["tender"]},
        {"ocid": "o" * 65, "id": "4", "date": "2020-01-01T00:00:00Z", "tag": ["tender"]},
        {
            "ocid": "ocds-zz9zz9-b",
            "id": "5",
            "date": "2020-01-01T00:00:00Z",
            "tag": ["tender"],
            "tender": {"description": "长" * (legacy_ocds.MAX_RELEASE // 3 + 1)},
        },
        "not a release",
    ]
    job: list = []
    assert await migrate(client, {"version": "1.1", "releases": bad}, job) == {
        "created": 0,
        "skipped": 0,
        "rejected": 6,
    }
    token = await login(client, "gd.admin")
    found = await gql(
        client, "query($id: ID!) { job(id: $id) { files { url } } }", {"id": job[0]}, token=token
    )
    url = found["data"]["job"]["files"][0]["url"]
    report = (await client.get(url, headers={"authorization": f"Bearer {token}"})).text
    lines = report.lstrip("\ufeff").splitlines()
    assert lines[0] == "行号,代码,拒绝原因"
    assert "UNKNOWN_OCDS_TAG" in lines[1] and "compiled" in lines[1] and "标签" in lines[1]
    assert "INVALID_OCDS_DATE" in lines[2] and "yesterday" in lines[2]
    for line, code in zip(
        lines[3:],
        ("INVALID_OCDS_RELEASE", "OCID_TOO_LONG", "RELEASE_TOO_LARGE", "INVALID_OCDS_RELEASE"),
        strict=True,
    ):
        assert code in line
    assert not any(word in report for word in ("tag ", "a release", "characters"))


async def test_own_releases_compile_with_ocdsmerge():
    own = [
        {
            "ocid": "o-1",
            "id": "1",
            "date": "2020-01-01T00:00:00Z",
            "tag": ["tender"],
            "tender": {"id": "t", "items": [{"id": "i", "quantity": 1}]},
        },
        {
            "ocid": "o-1",
            "id": "2",
            "date": "2020-02-01T00:00:00Z",
            "tag": ["tenderUpdate"],
            "tender": {"id": "t", "items": [{"id": "i", "quantity": 2}, {"id": "j"}]},
        },
    ]
    merged = ocds.merge(own)
    assert merged == ocdsmerge.Merger(schema=schema()).create_compiled_release(own)
    assert merged["tender"]["items"] == [{"id": "i", "quantity": 2}, {"id": "j"}]


async def test_a_report_asked_for_in_english_is_in_english(client, demo):
    bad = [{"ocid": "ocds-zz9zz9-b", "id": "1", "date": "2020-01-01", "tag": ["compiled"]}]
    job: list = []
    client.headers["accept-language"] = "en"
    try:
        await migrate(client, {"version": "1.1", "releases": bad}, job)
        token = await login(client, "gd.admin")
        found = await gql(
            client,
            "query($id: ID!) { job(id: $id) { files { url } } }",
            {"id": job[0]},
            token=token,
        )
        url = found["data"]["job"]["files"][0]["url"]
        report = (await client.get(url, headers={"authorization": f"Bearer {token}"})).text
    finally:
        del client.headers["accept-language"]
    lines = report.lstrip("\ufeff").splitlines()
    assert lines[0] == "line,code,reason"
    assert lines[1].startswith('1,UNKNOWN_OCDS_TAG,"tag [""compiled""]: none of planning,')


async def test_record_pages_are_capped_for_anonymous_readers(client):
    """Records compile with ocdsmerge: an anonymous page holds at most 100 processes."""
    assert (await client.get("/ocds/records?limit=100")).status_code == 200
    refused = await client.get("/ocds/records?limit=101")
    assert refused.status_code == 400 and "PAGE_SIZE_TOO_LARGE" in refused.text
    assert (await client.get("/ocds/releases?limit=500")).status_code == 200
