"""The finance centre through the API, across organisations and tenants: a guarantee is seen by
its supplier, its institution and (bidder hidden until the opening) the project's agency, by
no one else; the figures of a region by its own staff and those above it."""

from __future__ import annotations

from gpcloud.core.tenancy.scope import use_scope
from gpcloud.finance_services.service import guarantees
from tests.integration.finance_services.test_guarantees import applied, issuance, world  # noqa: F401
from tests.support import data, error_codes, gql, login

MINE = "{ bidGuarantees { edges { node { id projectId supplierOrganisationId } } } }"
PROJECT = "query($p: ID!) { projectBidGuarantees(projectId: $p) { id } }"
VERIFY = "query($n: String!) { verifyBidGuarantee(number: $n) { valid guarantee { id } } }"


async def test_guarantees_are_seen_by_their_parties_only(world, client):  # noqa: F811
    row = await applied(world, world["seller"])
    with use_scope(world["fi"]["scope"]):
        await guarantees.issue(world["fi"]["user"], row["id"], issuance(row, world["key"]))
    seller = data(await gql(client, MINE, token=await login(client, "xn.supplier")))
    assert [e["node"]["id"] for e in seller["bidGuarantees"]["edges"]] == [str(row["id"])]
    issuer = data(await gql(client, MINE, token=await login(client, "xn.bank")))
    assert [e["node"]["id"] for e in issuer["bidGuarantees"]["edges"]] == [str(row["id"])]
    for outsider in ("mz.supplier", "mz.bank"):
        seen = data(await gql(client, MINE, token=await login(client, outsider)))
        assert seen["bidGuarantees"]["edges"] == [], outsider
    other_agency = await login(client, "xn.agency")
    for query, variables in (
        (PROJECT, {"p": str(world["project"])}),
        (VERIFY, {"n": "XXDB-BH-2026-0001"}),
    ):
        result = await gql(client, query, variables, token=other_agency)
        assert error_codes(result) == ["NOT_FOUND"], result
    for role in ("xn.purchaser", "mz.bank", "xn.admin"):
        result = await gql(
            client, PROJECT, {"p": str(world["project"])}, token=await login(client, role)
        )
        assert error_codes(result) == ["FORBIDDEN"], role
    own_agency = data(
        await gql(
            client, VERIFY, {"n": "XXDB-BH-2026-0001"}, token=await login(client, "mz.agency")
        )
    )
    assert own_agency["verifyBidGuarantee"]["valid"] is True
