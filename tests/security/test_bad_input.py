"""Issue 11, finding 6: malformed requests are 400 or 404 with a JSON body and a stable code,
never a 500."""

import json

import pytest

from tests.support import login

IMPORT = (
    'mutation($f: Upload!) { startImport(registry: "purchasers", file: $f) { errors { code } } }'
)


def refused(response, status: int, code: str) -> str:
    """The GraphQL endpoint's refusal: `{"errors": [{message, extensions: {code}}]}`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": code}
    return error["message"]


@pytest.mark.parametrize("body", [b'"hello"', b"42", b"null", b"true", b"{not json"])
async def test_a_body_that_is_not_a_json_object(client, body):
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    refused(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize(
    "body", [b'{"query": "{ __typename }"}\xff\xfe', b'\xff{"query": "{ __typename }"}']
)
async def test_a_body_that_is_not_utf8(client, body):
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert "UTF-8" in refused(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize(
    ("operations", "files_map"),
    [
        (None, "[1, 2]"),
        (None, '{"0": ["variables.f.x.y.z"]}'),
        (None, '{"0": "variables.f"}'),
        (None, '{"0": [1]}'),
        (None, '{"1": ["variables.f"]}'),  # no part 1 was sent
        (None, '{"0": ["query.0"]}'),
        ('"x"', '{"0": ["variables.f"]}'),
        ("[1]", '{"0": ["0.variables.f"]}'),
    ],
)
async def test_a_multipart_map_that_names_nothing(client, demo, operations, files_map):
    token = await login(client, "xn.admin")
    operations = operations or json.dumps({"query": IMPORT, "variables": {"f": None}})
    response = await client.post(
        "/graphql",
        data={"operations": operations, "map": files_map},
        files={"0": ("p.csv", b"budget_unit_code,name\n", "text/csv")},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_multipart_request_still_imports(client, demo):
    token = await login(client, "xn.admin")
    response = await client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": IMPORT, "variables": {"f": None}}),
            "map": '{"0": ["variables.f"]}',
        },
        files={"0": ("p.csv", b"budget_unit_code,name\n441481900,x\n", "text/csv")},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.json() == {"data": {"startImport": {"errors": []}}}


@pytest.mark.parametrize(
    "path",
    [
        "/jobs/99999999999999999999999/result",
        "/jobs/99999999999999999999999/files/rejects.csv",
        "/jobs/0/result",
        "/notices/999999999999999999999",
        "/notices/-1",
    ],
)
async def test_ids_beyond_the_database_are_not_found(client, demo, path):
    for headers in ({}, {"authorization": f"Bearer {await login(client, 'xn.admin')}"}):
        response = await client.get(path, headers=headers)
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "NOT_FOUND"


async def test_other_refusals_carry_a_code(client, demo):
    unauthenticated = await client.get("/jobs/1/result")
    assert (unauthenticated.status_code, unauthenticated.json()["code"]) == (401, "UNAUTHENTICATED")
    beyond = await client.get("/ocds/releases?after=99999999999999999999999")
    assert (beyond.status_code, beyond.json()["code"]) == (400, "BAD_REQUEST")
    bad_date = await client.get("/ocds/releases?since=yesterday")
    assert bad_date.status_code == 400
    assert (
        bad_date.json()["code"] == "BAD_REQUEST" and bad_date.json()["extra"][0]["key"] == "since"
    )
    token = await login(client, "xn.admin")
    missing = await client.get("/jobs/12345/result", headers={"authorization": f"Bearer {token}"})
    assert (missing.status_code, missing.json()["code"]) == (404, "NOT_FOUND")
