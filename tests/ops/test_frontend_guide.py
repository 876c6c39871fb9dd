"""docs/frontend.md's requests are real: every graphql block validates against the schema, and
the walks it describes (login, first login, pagination, an upload and its job) run as written."""

import json
import re
from pathlib import Path

from gpcloud.core.graphql.schema import schema
from graphql import parse, validate
from tests.support import DEMO_PASSWORD, data, drain_jobs, gql, login

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "frontend.md"
BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)


def _blocks() -> dict[str, str]:
    """The guide's graphql blocks by operation name."""
    found = {}
    for text in BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        name = re.match(r"\s*(?:query|mutation)\s+(\w+)", text)
        assert name, f"name every operation in docs/frontend.md: {text[:60]}"
        found[name[1]] = text
    return found


def test_every_request_in_the_guide_is_valid():
    blocks = _blocks()
    assert {"Login", "ChangePassword", "CompleteProfile", "Users", "StartImport", "Job"} <= set(
        blocks
    )
    for name, text in blocks.items():
        assert validate(schema._schema, parse(text)) == [], name


async def test_the_first_login_walk(client, demo):
    blocks = _blocks()
    result = data(
        await gql(client, blocks["Login"], {"username": "xn.newclerk", "password": DEMO_PASSWORD})
    )
    assert result["login"]["me"]["firstLoginPending"] is True
    token = result["login"]["token"]
    refused = await gql(client, blocks["Users"], token=token)
    assert refused["errors"][0]["extensions"]["code"] == "FIRST_LOGIN_REQUIRED"
    changed = data(
        await gql(
            client,
            blocks["ChangePassword"],
            {"current": DEMO_PASSWORD, "new": "Xn#Clerk-2026-new"},
            token=token,
        )
    )["changePassword"]
    assert changed["errors"] == []
    token = changed["token"]
    done = data(await gql(client, blocks["CompleteProfile"], token=token))["completeProfile"]
    assert done["errors"] == [] and done["me"]["firstLoginPending"] is False


async def test_pagination_as_the_guide_says(client, demo):
    blocks = _blocks()
    token = await login(client, "gd.admin")
    seen, after, pages = [], None, 0
    while True:
        page = data(await gql(client, blocks["Users"], {"first": 5, "after": after}, token=token))[
            "users"
        ]
        seen += [e["node"]["username"] for e in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) > 10 and pages == -(-len(seen) // 5)
    assert data(await gql(client, blocks["Notices"]))["notices"]["pageInfo"]["hasNextPage"] in (
        True,
        False,
    )


async def test_an_upload_and_its_job_as_the_guide_says(client, demo):
    blocks = _blocks()
    token = await login(client, "xn.admin")
    csv = "budget_unit_code,name\n441481901,兴宁市指南示例学校\n,无编码单位\n".encode()
    operations = {"query": blocks["StartImport"], "variables": {"file": None}}
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("purchasers.csv", csv, "text/csv")},
        headers={"authorization": f"Bearer {token}"},
    )
    started = data(response.json())["startImport"]
    assert started["errors"] == [] and started["job"]["status"] == "QUEUED"
    await drain_jobs()
    job = data(await gql(client, blocks["Job"], {"id": started["job"]["id"]}, token=token))["job"]
    assert job["status"] == "SUCCEEDED" and job["progressDone"] == job["progressTotal"]
    rejects = next(f for f in job["files"] if f["name"] == "rejects.csv")
    download = await client.get(rejects["url"], headers={"authorization": f"Bearer {token}"})
    assert download.status_code == 200 and "无编码单位" in download.content.decode("utf-8-sig")
