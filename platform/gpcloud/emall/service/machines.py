"""The state machines of e-mall orders and reverse-auction demands.

An order lapses by itself when its supplier has not confirmed by `confirm_due`; a demand closes
by itself when its response window ends: its quotes are unsealed and ranked, and it fails at once
with fewer compliant quotes than its minimum; else the purchaser confirms the lowest
(service/auctions.py), which becomes an order.
"""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.clock import end_of
from gpcloud.core.workflow.machine import StateMachine, Timer, transition
from gpcloud.emall.service import holds, quotes  # neither imports this module
from gpcloud.emall.tables import (
    DesignatedSupplier,
    FrameworkAgreement,
    MallDemand,
    MallGroupBuy,
    MallOrder,
    PriceAlert,
)


async def _after_close(demand: dict) -> None:
    """Rank the unsealed quotes; with fewer compliant than the demand's minimum it fails and
    the failure is published, else the lowest waits for the purchaser to confirm the result."""
    ranked = await quotes.rank(demand)
    if len(ranked) < demand["min_quotes"]:
        outcome = f"有效报价{len(ranked)}家，少于{demand['min_quotes']}家"
        await DEMAND.move(
            None, demand, "fail", {MallDemand.outcome: outcome}, {"compliant": len(ranked)}
        )
        await quotes.publish_result(demand, None, len(ranked))
        return
    winner = ranked[0]
    await MallDemand.update(
        {
            MallDemand.winning_quote: winner["id"],
            MallDemand.outcome: f"最低有效报价：{winner['supplier_name']}",
        }
    ).where(MallDemand.id == demand["id"])


ORDER = StateMachine(
    "e-mall order",
    "mall_order",
    MallOrder,
    states=(
        "placed",
        "confirmed",
        "declined",
        "lapsed",
        "cancelled",
        "delivered",
        "accepted",
        "paid",
    ),
    initial="placed",
    create=Perm.MALL_ORDER_PLACE,
    transitions=[
        transition(
            "confirm",
            "placed",
            "confirmed",
            Perm.MALL_ORDER_FULFIL,
            "the supplier accepts the order by confirm_due (emall_order_confirmation); the "
            "order is concluded as a contract",
            by_party=True,
        ),
        transition(
            "decline",
            "placed",
            "declined",
            Perm.MALL_ORDER_FULFIL,
            "the supplier refuses, saying why; stock and budget are released",
            by_party=True,
        ),
        transition(
            "lapse",
            "placed",
            "lapsed",
            None,
            "not confirmed by confirm_due (emall_order_confirmation): stock and budget released",
        ),
        transition(
            "cancel",
            "placed",
            "cancelled",
            Perm.MALL_ORDER_PLACE,
            "the purchaser withdraws an order the supplier has not confirmed",
        ),
        transition(
            "deliver",
            "confirmed",
            "delivered",
            Perm.MALL_ORDER_FULFIL,
            "the supplier reports delivery",
            by_party=True,
        ),
        transition(
            "accept",
            "delivered",
            "accepted",
            Perm.ACCEPTANCE_PUBLISH,
            "a passed final acceptance of the order's contract (contracts domain)",
        ),
        transition(
            "pay",
            "accepted",
            "paid",
            Perm.PAYMENT_REQUEST,
            "the final payment of the order's contract requested (contracts domain)",
        ),
    ],
    timers=[
        Timer(
            "lapse",
            lambda o: o["confirm_due"],
            "emall_order_confirmation",
            holds.lapsed,
        )
    ],
)

DEMAND = StateMachine(
    "e-mall demand",
    "mall_demand",
    MallDemand,
    states=("open", "closed", "awarded", "failed", "withdrawn"),
    initial="open",
    create=Perm.MALL_DEMAND_POST,
    transitions=[
        transition(
            "close",
            "open",
            "closed",
            None,
            "the response window ends; the quotes are unsealed",
        ),
        transition(
            "award",
            "closed",
            "awarded",
            Perm.MALL_DEMAND_POST,
            "the purchaser confirms the lowest compliant quote (of at least "
            "emall_auction_min_quotes); the result is published and the quote becomes an order",
        ),
        transition(
            "fail",
            "closed",
            "failed",
            None,
            "fewer than emall_auction_min_quotes compliant quotes (流标)",
        ),
        transition(
            "withdraw",
            "open",
            "withdrawn",
            Perm.MALL_DEMAND_POST,
            "the purchaser withdraws the demand before it closes",
        ),
    ],
    timers=[Timer("close", lambda d: d["closes_at"], "the demand's response window", _after_close)],
)

# Alerts are about listings, which the province shares: they are the province's to review.
PRICE_ALERT = StateMachine(
    "price alert",
    "price_alert",
    PriceAlert,
    states=("open", "cleared", "upheld", "superseded"),
    initial="open",
    tenant=lambda row: "440000",
    transitions=[
        transition(
            "clear",
            "open",
            "cleared",
            Perm.MALL_PRICE_REVIEW,
            "the operating centre finds the price reasonable: buyable again",
            by_party=True,
        ),
        transition(
            "uphold",
            "open",
            "upheld",
            Perm.MALL_PRICE_REVIEW,
            "the price is not reasonable: the listing stays unbuyable at it",
            by_party=True,
        ),
        transition(
            "supersede",
            "open",
            "superseded",
            None,
            "the supplier changed the price; the new one is judged afresh",
        ),
    ],
)

AGREEMENT = StateMachine(
    "framework agreement",
    "framework_agreement",
    FrameworkAgreement,
    states=("active", "expired", "terminated"),
    initial="active",
    create=Perm.MALL_AGREEMENT_MANAGE,
    transitions=[
        transition(
            "expire",
            "active",
            "expired",
            None,
            "its term ends (emall_framework_term_goods / _services, MOF Order 110)",
        ),
        transition(
            "terminate",
            "active",
            "terminated",
            Perm.MALL_AGREEMENT_MANAGE,
            "ended early by the region that awarded it",
        ),
    ],
    timers=[Timer("expire", lambda a: end_of(a["ends_on"]), "emall_framework_term")],
)

# A designated supplier leaves its agreement when the region that awarded it withdraws it (the
# supplier asked to leave, was struck off, or broke the agreement); the rows are the agreement's
# region's. Below emall_framework_top_up_share of those first designated the agreement needs a
# top-up entry (service/agreements.py).
DESIGNATED = StateMachine(
    "designated supplier",
    "mall_designated_supplier",
    DesignatedSupplier,
    states=("active", "withdrawn"),
    initial="active",
    create=Perm.MALL_AGREEMENT_MANAGE,
    transitions=[
        transition(
            "withdraw",
            "active",
            "withdrawn",
            Perm.MALL_AGREEMENT_MANAGE,
            "the awarding region removes it from the agreement, saying why; no designated "
            "order or second-stage quote from it after",
        ),
    ],
)

GROUP_BUY = StateMachine(
    "group buy",
    "mall_group_buy",
    MallGroupBuy,
    states=("collecting", "procuring", "awarded", "failed", "withdrawn"),
    initial="collecting",
    create=Perm.MALL_GROUP_BUY_MANAGE,
    transitions=[
        transition(
            "close",
            "collecting",
            "procuring",
            None,
            "joining closes at joins_close_at; the region procures the shares' total once",
        ),
        transition(
            "fail",
            "procuring",
            "failed",
            None,
            "no purchaser joined: nothing to procure",
        ),
        transition(
            "award",
            "procuring",
            "awarded",
            Perm.MALL_GROUP_BUY_MANAGE,
            "the region records the award (supplier, unit price within the ceiling); each "
            "share becomes an order at that price and the result is published",
        ),
        transition(
            "withdraw",
            ("collecting", "procuring"),
            "withdrawn",
            Perm.MALL_GROUP_BUY_MANAGE,
            "the region calls it off, saying why; every share's hold is released",
        ),
    ],
    timers=[
        Timer(
            "close",
            lambda g: g["joins_close_at"],
            "the group buy's joining window",
            "gpcloud.emall.service.group_buys:joining_closed",
        )
    ],
)
