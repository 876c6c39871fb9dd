"""Where a user's request opts out of tenant isolation, the audit log says who, when and why."""

from gpcloud.contracts.service import PARTY_SCOPE
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.jsonutil import loads
from gpcloud.core.tenancy.scope import all_tenants
from tests.support import data, gql, login


async def opt_outs() -> list[dict]:
    with all_tenants("test: the audit log"):
        return await AuditEntry.select().where(AuditEntry.action == "scope.all_tenants")


async def test_a_party_reading_across_regions_is_audited_once_per_request(client, demo):
    token = await login(client, "xn.supplier")
    query = "{ contracts(first: 5) { edges { node { id } } } me { user { username } } }"
    data(await gql(client, query, token=token))
    [entry] = await opt_outs()
    assert loads(entry["detail"])["reasons"] == [PARTY_SCOPE]
    assert (entry["object_type"], entry["actor"], entry["tenant_id"]) == (
        "user",
        "xn.supplier",
        "441481",
    )


async def test_the_platforms_own_lookups_are_not_audited(client, demo):
    token = await login(client, "xn.admin")
    query = '{ me { user { username } } tenantConfig(regionCode: "441481") { regionCode } }'
    data(await gql(client, query, token=token))
    assert await opt_outs() == []
