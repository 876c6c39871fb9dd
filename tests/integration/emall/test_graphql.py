"""The e-mall through the API: an order placed, confirmed, delivered, accepted and paid by the
parties' own accounts; who reads which orders; quotes sealed until the close."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from gpcloud.core.clock import now
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.emall.service import auctions, quotes
from tests.integration.emall.world import CATEGORY, emall_world, listing
from tests.support import data, gql, login

PLACE = """
mutation($input: MallOrderInput!) {
  placeMallOrder(input: $input) {
    order { id status amount contractId schedule { events { action rule } } }
    errors { field code message }
  }
}
"""
STEP = """
mutation($id: ID!) {
  %s(id: $id%s) { order { id status contractId } errors { code message } }
}
"""
ORDERS = """
query($warned: Boolean!) {
  mallOrders(splitWarned: $warned, first: 20) {
    edges { node { id title status supplierName demand { id } } }
  }
}
"""
ORDER = "query($id: ID!) { mallOrder(id: $id) { id status } }"
DEMAND = """
query($id: ID!) { mallDemand(id: $id) { status quoteCount quotes { supplierName unitPrice } } }
"""


@pytest.fixture
async def world(client, demo):
    w = await emall_world()
    w["listing"] = await listing(w["xn"], "华岭", "5000.00", 30)
    return w


async def step(client, token, mutation: str, order_id: str, extra: str = "") -> dict:
    result = await gql(client, STEP % (mutation, extra), {"id": order_id}, token=token)
    payload = data(result)[mutation]
    assert payload["errors"] == [], payload["errors"]
    return payload["order"]


async def test_an_order_through_the_api_is_paid(client, world):
    w = world
    buyer = await login(client, "xn.purchaser")
    seller = await login(client, "xn.supplier")
    placed = data(
        await gql(
            client,
            PLACE,
            {
                "input": {
                    "listingId": str(w["listing"]),
                    "quantity": 3,
                    "planId": str(w["plan"]),
                    "indicatorId": str(w["indicator"]),
                }
            },
            token=buyer,
        )
    )["placeMallOrder"]
    assert placed["errors"] == []
    order = placed["order"]
    assert order["status"] == "PLACED" and order["amount"] == "15000.00"
    assert [e["action"] for e in order["schedule"]["events"]] == ["lapse"]
    confirmed = await step(client, seller, "confirmMallOrder", order["id"])
    assert confirmed["status"] == "CONFIRMED" and confirmed["contractId"]
    await step(client, seller, "deliverMallOrder", order["id"])
    accepted = await step(
        client, buyer, "acceptMallOrder", order["id"], ', findings: "相符", passed: true'
    )
    assert accepted["status"] == "ACCEPTED"
    paid = await step(client, buyer, "payMallOrder", order["id"])
    assert paid["status"] == "PAID"
    contract = data(
        await gql(
            client,
            "query($id: ID!) { contract(id: $id) { status amount payments { amount final } } }",
            {"id": confirmed["contractId"]},
            token=buyer,
        )
    )["contract"]
    assert contract["amount"] == "15000.00"
    assert contract["payments"] == [{"amount": "15000.00", "final": True}]


async def test_who_reads_which_orders(client, world):
    w = world
    token = await login(client, "xn.purchaser")
    placed = data(
        await gql(
            client,
            PLACE,
            {
                "input": {
                    "listingId": str(w["listing"]),
                    "quantity": 1,
                    "planId": str(w["plan"]),
                    "indicatorId": str(w["indicator"]),
                }
            },
            token=token,
        )
    )["placeMallOrder"]["order"]
    seen = {}
    for user in ("xn.purchaser", "xn.supplier", "mz.supplier", "mz.purchaser", "mz.supervisor"):
        result = await gql(client, ORDERS, {"warned": False}, token=await login(client, user))
        seen[user] = [e["node"]["id"] for e in data(result)["mallOrders"]["edges"]]
    assert seen == {
        "xn.purchaser": [placed["id"]],
        "xn.supplier": [placed["id"]],  # its own order, in the purchaser's region
        "mz.supplier": [],
        "mz.purchaser": [],
        "mz.supervisor": [placed["id"]],  # the city sees its counties
    }
    other = await gql(
        client, ORDER, {"id": placed["id"]}, token=await login(client, "mz.purchaser")
    )
    assert other["data"] is None or other["data"]["mallOrder"] is None
    # an agency holds no e-mall permission
    refused = await gql(client, ORDERS, {"warned": False}, token=await login(client, "xn.agency"))
    assert refused["errors"]


async def test_quotes_stay_sealed_through_the_api_until_the_close(client, world):
    w = world
    with use_scope(w["scope"]):
        demand = await auctions.post(
            w["purchaser"],
            auctions.DemandInput(
                w["plan"],
                w["indicator"],
                CATEGORY,
                "竞价采购台式计算机",
                10,
                "台",
                Decimal("5000"),
                now() + timedelta(hours=3),
            ),
        )
    await quotes.submit(w["seller"], demand["id"], quotes.QuoteInput(Decimal("4900"), "华岭 T-1"))
    buyer = await login(client, "xn.purchaser")
    seen = data(await gql(client, DEMAND, {"id": str(demand["id"])}, token=buyer))["mallDemand"]
    assert seen == {"status": "OPEN", "quoteCount": 1, "quotes": []}
    own = data(
        await gql(
            client, DEMAND, {"id": str(demand["id"])}, token=await login(client, "xn.supplier")
        )
    )["mallDemand"]
    assert [q["unitPrice"] for q in own["quotes"]] == ["4900.00"]
    rival = data(
        await gql(
            client, DEMAND, {"id": str(demand["id"])}, token=await login(client, "mz.supplier")
        )
    )["mallDemand"]
    assert rival["quotes"] == []
