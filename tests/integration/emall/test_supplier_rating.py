"""Supplier ratings after acceptance (issue 17, feeding credit): an e-mall order is a contract
of the contracts domain, so its purchaser rates the supplier with credit's rateSupplier once the
order's final acceptance passed, as for a tender's contract; not before, and not another
purchaser's order."""

from __future__ import annotations

from gpcloud.contracts import mall
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.credit.service import ratings
from gpcloud.emall.service import orders
from tests.integration.emall.world import emall_world, listing
from tests.support import data, gql, login

RATE = """mutation($c: ID!, $s: [CreditScoreInput!]!) {
  rateSupplier(contractId: $c, scores: $s, comment: "按期交付") {
    rating { total reference } errors { code } } }"""
SCORES = [
    {"key": "delivery", "points": 38},
    {"key": "quality", "points": 36},
    {"key": "service", "points": 16},
]


async def _rate(client, who: str, contract: int) -> dict:
    token = await login(client, who)
    answer = await gql(client, RATE, {"c": str(contract), "s": SCORES}, token=token)
    if answer.get("errors"):
        return {"errors": [{"code": answer["errors"][0]["extensions"]["code"]}]}
    return data(answer)["rateSupplier"]


async def test_the_purchaser_rates_the_supplier_of_an_accepted_order_only(client, demo):
    w = await emall_world()
    offer = await listing(w["xn"], "华岭", "5000.00", 10)
    with use_scope(w["scope"]):
        order = await orders.place(
            w["purchaser"], orders.OrderInput(offer, 1, w["plan"], w["indicator"])
        )
    contract = (await mall.confirm_order(w["seller"], order["id"]))["contract"]
    # Confirmed and delivered, not yet accepted: no rating.
    assert await _rate(client, "xn.purchaser", contract) == {
        "rating": None,
        "errors": [{"code": "NOT_ACCEPTED"}],
    }
    await orders.deliver(w["seller"], order["id"])
    assert (await _rate(client, "xn.purchaser", contract))["errors"] == [{"code": "NOT_ACCEPTED"}]
    with use_scope(w["scope"]):
        failed, _ = await mall.accept_order(w["purchaser"], order["id"], "型号不符", False)
    assert failed["status"] == "delivered"
    assert (await _rate(client, "xn.purchaser", contract))["errors"] == [{"code": "NOT_ACCEPTED"}]
    with use_scope(w["scope"]):
        accepted, _ = await mall.accept_order(w["purchaser"], order["id"], "数量、型号相符", True)
    assert accepted["status"] == "accepted"
    # Another purchaser (another region's) cannot rate this order's supplier: not found.
    assert (await _rate(client, "mz.purchaser", contract))["errors"] == [{"code": "NOT_FOUND"}]
    done = await _rate(client, "xn.purchaser", contract)
    assert done == {"rating": {"total": 90, "reference": f"contract:{contract}"}, "errors": []}
    assert (await _rate(client, "xn.purchaser", contract))["errors"] == [{"code": "ALREADY_RATED"}]
    summary = await ratings.summary(w["xn"], None)
    assert (summary.count, summary.average) == (1, 90.0)
