"""The demo server's budget lines (issue 21 item 3): a purchaser can plan on `serve` at once."""

from gpcloud.core.clock import today
from gpcloud.demo import seed_for_serve
from gpcloud.integrations.digital_finance import demo as budget_demo
from tests.integration.supervision.test_intentions_and_plans import ACT, PLAN, plan_input
from tests.support import gql, login

LINES = "{ budgetIndicators { edges { node { id code amount balance fiscalYear } } } }"


async def test_the_served_demo_funds_every_demo_purchaser_and_a_plan_reserves(client):
    await seed_for_serve()
    assert await budget_demo.seed() == 0  # once
    purchaser = await login(client, "xn.purchaser")
    body = await gql(client, LINES, token=purchaser)
    lines = [e["node"] for e in body["data"]["budgetIndicators"]["edges"]]
    assert {line["code"] for line in lines} == {
        f"ZB{today().year}-441481311-D001",
        f"ZB{today().year}-441481311-D002",
    }
    assert all(line["fiscalYear"] == today().year for line in lines)
    teaching = next(line for line in lines if line["amount"] == "5000000.00")
    created = await gql(client, PLAN, plan_input(teaching["id"]), token=purchaser)
    payload = created["data"]["createProcurementPlan"]
    assert payload["errors"] == [], payload["errors"]
    submitted = await gql(
        client, ACT % "submitProcurementPlan", {"id": payload["plan"]["id"]}, token=purchaser
    )
    assert submitted["data"]["submitProcurementPlan"]["plan"]["status"] == "SUBMITTED"
    after = await gql(client, LINES, token=purchaser)
    balances = {
        e["node"]["id"]: e["node"]["balance"] for e in after["data"]["budgetIndicators"]["edges"]
    }
    assert balances[teaching["id"]] == "500000.00"
    meizhou = await gql(client, LINES, token=await login(client, "mz.purchaser"))
    assert len(meizhou["data"]["budgetIndicators"]["edges"]) == 2
