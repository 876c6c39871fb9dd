"""Request bodies: too large is refused before it is read (or as soon as it passes the limit),
batches are refused, and an upload may be larger than a JSON body."""

from __future__ import annotations

import json

from gpcloud.settings import get_settings
from tests.security.cases import MB, padded_query
from tests.security.support import refused_while_alive
from tests.support import login


def _too_large(response) -> None:
    assert response.status_code == 413, response.text
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "REQUEST_TOO_LARGE"}
    assert "字节" in error["message"]  # in the user's language (core/i18n)


async def test_a_ten_megabyte_body_is_refused_unread(client):
    body = padded_query(10 * MB)
    response = await refused_while_alive(
        client,
        lambda: client.post("/graphql", content=body, headers={"content-type": "application/json"}),
    )
    _too_large(response)


async def test_a_json_body_over_its_limit_is_refused_also_when_streamed(client):
    limit = get_settings().max_body_bytes
    assert limit < 2 * MB <= get_settings().max_upload_bytes
    body = padded_query(2 * MB)

    async def chunks():  # no Content-Length: chunked transfer
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = await refused_while_alive(
        client,
        lambda: client.post(
            "/graphql", content=chunks(), headers={"content-type": "application/json"}
        ),
    )
    _too_large(response)
    # Within the limit the same kind of document is parsed (and refused for its tokens).
    small = await client.post(
        "/graphql", content=padded_query(limit // 2), headers={"content-type": "application/json"}
    )
    assert small.status_code == 200 and small.json() == {"data": {"__typename": "Query"}}


async def test_uploads_have_their_own_limit(client, demo):
    token = await login(client, "xn.admin")
    operations = json.dumps(
        {
            "query": 'mutation($file: Upload!) { startImport(registry: "purchasers", file: $file)'
            " { job { id } errors { code } } }",
            "variables": {"file": None},
        }
    )
    files = {
        "operations": (None, operations),
        "map": (None, json.dumps({"0": ["variables.file"]})),
        "0": ("purchasers.csv", b"x" * (get_settings().max_upload_bytes + 1), "text/csv"),
    }
    headers = {"authorization": f"Bearer {token}"}
    response = await refused_while_alive(
        client, lambda: client.post("/graphql", files=files, headers=headers)
    )
    _too_large(response)
    # Larger than a JSON body may be, within the upload limit: the import takes it.
    files["0"] = ("purchasers.csv", b"name\n" + b"x" * (2 * MB), "text/csv")
    accepted = await client.post("/graphql", files=files, headers=headers)
    assert accepted.status_code == 200, accepted.text
    assert "REQUEST_TOO_LARGE" not in accepted.text


async def test_batched_operations_are_refused(client):
    batch = json.dumps([{"query": "{ __typename }"}] * 1000).encode()
    response = await refused_while_alive(
        client,
        lambda: client.post(
            "/graphql", content=batch, headers={"content-type": "application/json"}
        ),
    )
    assert response.status_code == 400
    assert "Batching is not enabled" in response.text
