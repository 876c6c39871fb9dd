"""Credit through the API, across tenants and subjects: check snapshots are the tenant's;
records other than the public list are for credit readers and their subject; appeals too."""

from __future__ import annotations

from datetime import date

from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.credit import service as credit
from gpcloud.credit.service import records
from tests.integration.credit.support import blacklisted, credit_world
from tests.support import data, gql, login

CHECKS = "{ creditChecks(first: 50) { edges { node { id tenantCode } } } }"
CHECK = "query($id: ID!) { creditCheck(id: $id) { id } }"
RECORDS = "{ creditRecords(first: 50) { edges { node { id kind appeals { id } } } } }"
PROFILE = "query($o: ID!) { creditProfile(organisationId: $o) { records { kind } } }"


async def test_check_snapshots_stay_in_their_tenant(client, demo):
    world = await credit_world()
    supplier = world["supplier"]["id"]
    made = {}
    for code in ("441481", "441424", "440000"):
        with use_scope((await tenant_tree()).scope_for(code)):
            made[code] = (await credit.check(supplier, "evaluation")).snapshot["id"]
    xingning = await login(client, "xn.purchaser")
    seen = data(await gql(client, CHECKS, token=xingning))["creditChecks"]["edges"]
    assert [e["node"]["tenantCode"] for e in seen] == ["441481"]
    for code in ("441424", "440000"):
        result = await gql(client, CHECK, {"id": str(made[code])}, token=xingning)
        assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    city = await login(client, "mz.supervisor")
    seen = data(await gql(client, CHECKS, token=city))["creditChecks"]["edges"]
    assert [e["node"]["tenantCode"] for e in seen] == ["441481", "441424"]  # its counties
    seller = await login(client, "xn.supplier")
    result = await gql(client, CHECKS, token=seller)
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_records_beyond_the_public_list_are_for_readers_and_their_subject(client, demo):
    world = await credit_world()
    public = await blacklisted(world)
    with use_scope(world["scope"]):
        private = await records.record(
            world["supervisor"],
            records.RecordInput(
                "supplier",
                world["supplier"]["id"],
                "administrative_penalty",
                date(2026, 3, 1),
                document="兴财〔2026〕3号",
            ),
        )
    other = await login(client, "mz.supplier")  # another supplier
    seen = data(await gql(client, RECORDS, token=other))["creditRecords"]["edges"]
    assert [e["node"]["id"] for e in seen] == [str(public["id"])]
    assert seen[0]["node"]["appeals"] == []
    result = await gql(
        client,
        "query($id: ID!) { creditRecord(id: $id) { id } }",
        {"id": str(private["id"])},
        token=other,
    )
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    profile = data(await gql(client, PROFILE, {"o": str(world["supplier"]["id"])}, token=other))[
        "creditProfile"
    ]
    assert [r["kind"] for r in profile["records"]] == ["BLACKLIST"]
    own = await login(client, "xn.supplier")
    seen = data(await gql(client, RECORDS, token=own))["creditRecords"]["edges"]
    assert sorted(int(e["node"]["id"]) for e in seen) == sorted([public["id"], private["id"]])
    for reader in ("xn.supervisor", "mz.admin"):
        seen = data(await gql(client, RECORDS, token=await login(client, reader)))
        assert len(seen["creditRecords"]["edges"]) == 2, reader
