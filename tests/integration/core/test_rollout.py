"""Rollout gates: a subsystem's mutations wait for the tenant's go-live date; reads never do."""

from datetime import date

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.graphql.context import Context
from gpcloud.core.graphql.permissions import Requires, SubsystemLive, allow
from gpcloud.core.graphql.schema import TenantScope
from gpcloud.core.tenancy.config import effective_config
from gpcloud.core.tenancy.rollout import rollout
from tests.support import gql, login

STATUS = "query($code: String!) { rolloutStatus(regionCode: $code) { subsystem goLive live } }"
EDIT = """mutation($code: String!, $date: JSON) {
  editTenantConfig(regionCode: $code, changes: [{path: "go_live.transaction", value: $date}],
                   reason: "县级交易系统推迟上线") { errors { code message } }
}"""


async def test_seed_phases_as_defaults():
    meizhou = {
        r.subsystem: r for r in rollout(await effective_config("441400"), on=date(2021, 6, 1))
    }
    xingning = {
        r.subsystem: r for r in rollout(await effective_config("441481"), on=date(2021, 6, 1))
    }
    assert meizhou["transaction"].live and not xingning["transaction"].live
    assert xingning["emall"].live and xingning["supervision"].go_live == date(2021, 1, 1)
    december = rollout(await effective_config("441481"), on=date(2020, 12, 31))
    assert not any(r.live for r in december)


async def test_rollout_status_is_public(client):
    result = await gql(client, STATUS, {"code": "441481"})
    rows = {r["subsystem"]: r for r in result["data"]["rolloutStatus"]}
    assert rows["transaction"] == {"subsystem": "transaction", "goLive": "2021-08-01", "live": True}
    unknown = await gql(client, STATUS, {"code": "999999"})
    assert unknown["data"] == {"rolloutStatus": None}  # issue 21: now with an error
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert unknown["errors"][0]["message"] == "未找到地区 999999"


@strawberry.type
class Query:
    @strawberry.field(extensions=allow(Requires(Perm.PROJECT_READ)))
    def projects(self) -> int:
        return 0


@strawberry.type
class Mutation:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.PROJECT_ENTRUST), SubsystemLive("transaction"))
    )
    def entrust_project(self, info: Info) -> str:
        return "entrusted"


GATED = strawberry.Schema(query=Query, mutation=Mutation, extensions=[TenantScope])


async def run_as(client, username: str, query: str) -> dict:
    """Execute against the gated schema with the context the app would build for this user."""
    from gpcloud.core.auth.service import user_from_token
    from gpcloud.core.tenancy.service import tenant_tree

    user = await user_from_token(await login(client, username))
    scope = (await tenant_tree()).scope_for(user.tenant, user_id=user.id)
    result = await GATED.execute(query, context_value=Context(user=user, scope=scope))
    return {"data": result.data, "errors": [e.extensions for e in result.errors or []]}


async def test_gated_mutations_wait_for_go_live_and_reads_stay_open(client, demo):
    admin = await login(client, "xn.admin")
    later = await gql(client, EDIT, {"code": "441481", "date": "2099-01-01"}, token=admin)
    assert later["data"]["editTenantConfig"]["errors"] == []
    refused = await run_as(client, "xn.purchaser", "mutation { entrustProject }")
    assert refused["errors"] == [{"code": "SUBSYSTEM_NOT_LIVE"}]
    result = await GATED.execute("mutation { entrustProject }", context_value=Context())
    assert "log in first" in result.errors[0].message
    assert (await run_as(client, "xn.purchaser", "{ projects }"))["data"] == {"projects": 0}
    assert (await run_as(client, "mz.purchaser", "mutation { entrustProject }"))["data"] == {
        "entrustProject": "entrusted"
    }
    status = await gql(client, STATUS, {"code": "441481"})
    assert {"subsystem": "transaction", "goLive": "2099-01-01", "live": False} in status["data"][
        "rolloutStatus"
    ]


async def test_the_refusal_names_subsystem_and_date(client, demo):
    await gql(
        client,
        EDIT,
        {"code": "441481", "date": "2099-01-01"},
        token=await login(client, "xn.admin"),
    )
    from gpcloud.core.auth.service import user_from_token
    from gpcloud.core.tenancy.service import tenant_tree

    user = await user_from_token(await login(client, "xn.purchaser"))
    scope = (await tenant_tree()).scope_for(user.tenant, user_id=user.id)
    result = await GATED.execute(
        "mutation { entrustProject }", context_value=Context(user=user, scope=scope)
    )
    assert (
        result.errors[0].message
        == "transaction goes live for 兴宁市 on 2099-01-01; until then it is read-only"
    )
