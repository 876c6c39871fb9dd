"""What an order gives back when it ends unfulfilled (declined, cancelled, lapsed): its stock.
The plan line's amount is held only by orders in HOLDING states, so it is free already. An
auction's order also takes back the result the portal published (a correction).

Kept apart from orders.py because the order machine's lapse timer (workflow.py) calls it."""

from __future__ import annotations

from gpcloud.core.auth.roles import PURCHASER
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.emall.service import quotes
from gpcloud.registries.goods.service import mall as goods


async def release(order: dict) -> None:
    """`order` as it ended (its new state), in the transaction that ended it."""
    if order["listing"] is not None:
        await goods.release_stock(order["listing"], order["quantity"])
    if order["demand"] is not None:
        await quotes.publish_order_end(order)


async def lapsed(order: dict) -> None:
    """The lapse timer's side effect, in the scheduler's transaction."""
    await release(order)
    await notify(
        "mall_order.lapsed",
        Recipients(
            tenant=order["tenant_id"],
            organisation=order["purchaser_organisation"],
            roles=(PURCHASER,),
        ),
        {"title": order["title"], "order_id": order["id"], "supplier": order["supplier_name"]},
        about=("mall_order", order["id"]),
        key=f"mall_order:{order['id']}:lapsed",
    )
