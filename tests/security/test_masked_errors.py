"""Issue 11, finding 7: a request that is the caller's fault is refused with a code saying why,
never masked as INTERNAL (which says "our bug")."""

import json

import pytest

from graphql import get_introspection_query
from tests.support import error_codes, gql, login

DEADLINE = "query($start: Date!, $unit: PeriodUnit!) { deadline(start: $start, amount: 5, unit: $unit) { due } }"
RULE = 'query($start: Date!) { ruleDeadline(rule: "contract_publication", start: $start) { due } }'


@pytest.mark.parametrize(
    ("start", "unit"), [("9999-12-31", "D"), ("9999-12-31", "WD"), ("9999-12-20", "D")]
)
async def test_a_deadline_past_the_last_date(client, demo, start, unit):
    token = await login(client, "xn.admin")
    result = await gql(client, DEADLINE, {"start": start, "unit": unit}, token=token)
    assert error_codes(result) == ["DATE_OUT_OF_RANGE"]
    assert result["errors"][0]["extensions"]["field"] == "start"


async def test_a_rule_deadline_past_the_last_date(client, demo):
    token = await login(client, "xn.admin")
    result = await gql(client, RULE, {"start": "9999-12-31"}, token=token)
    assert error_codes(result) == ["DATE_OUT_OF_RANGE"]


UPLOADS = [
    'mutation($f: Upload!) { startImport(registry: "purchasers", file: $f) { errors { code } } }',
    "mutation($f: Upload!) { startLegacyMigration(year: 2020, kind: TENDER, "
    'format: "jsonl", file: $f) { errors { code } } }',
]


@pytest.mark.parametrize("query", UPLOADS)
@pytest.mark.parametrize("value", ["hello", {"filename": "a.csv", "read": 1}, 42])
async def test_an_upload_that_is_not_a_file(client, demo, query, value):
    token = await login(client, "gd.admin")
    result = await gql(client, query, {"f": value}, token=token)
    assert error_codes(result) == ["FILE_EXPECTED"]
    assert "multipart" in result["errors"][0]["message"]


async def test_the_standard_introspection_query_answers(client, demo):
    """What GraphiQL and client code generators send first (finding: PluginRequestInput.config's
    default made it fail)."""
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    token = await login(client, "xn.admin")
    response = await client.post(
        "/graphql", json={"query": query}, headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, json.dumps(body["errors"])[:500]
    types = {t["name"]: t for t in body["data"]["__schema"]["types"]}
    config = next(f for f in types["PluginRequestInput"]["inputFields"] if f["name"] == "config")
    assert config["defaultValue"] == "null"
