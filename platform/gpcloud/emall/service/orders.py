"""Orders: direct purchase (直购) at the listed price, and the orders auctions award.

Placing an order, in one transaction: the listing is live, serves the purchaser's region, is
not held for price review, the amount is within the mode's cap and in stock (purchasable.py:
the rules the catalogue search's directPurchase filter applies, checked in one statement);
the supplier passes the mandatory credit check (credit.py); above the comparison band the
purchaser compared listings of at least
`emall_comparison_makers` makers and took the lowest or said why; the unit's orders of the
category this budget year are summed against the cap (splitting: warn or block by tenant
config); the plan's line funds it beside the unit's other orders; the stock is held. One order
of a unit decides at a time (lock_unit), and the stock is one conditional UPDATE, so concurrent
orders never oversell nor overdraw (the unit's lock first, the stock last: the same order of
locks for every order, and the listing's row, shared by every unit's orders, is held only from
that UPDATE to the commit).

The supplier confirms within `emall_order_confirmation` or the order lapses (a timer) and gives
its stock and budget back. Confirming concludes the contract: the contracts domain sits above
the e-mall, so it passes `conclude` in (contracts/mall.py) and the order keeps the contract id.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import PURCHASER, SUPERVISOR, SUPPLIER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import end_of, today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.rules.service import rule_deadline
from gpcloud.core.tenancy.config import reads_config_once
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.emall.service import credit, holds, purchasable
from gpcloud.emall.service.common import (
    HOLDING,
    MODE_LABELS,
    cap_error,
    cap_fen,
    execute,
    funding_line,
    hold_line,
    lock_unit,
    rule_value,
    splitting_action,
)
from gpcloud.emall.service.machines import ORDER
from gpcloud.emall.tables import MallOrder
from gpcloud.integrations.digital_finance import service as budget
from gpcloud.registries.goods.service import mall as goods
from gpcloud.supervision.common import purchaser_unit
from gpcloud.supervision.warnings.rules.splitting import over_limit

PARTY_SCOPE = "e-mall suppliers act on orders of the purchaser's region wherever they are"
MAX_QUANTITY = 100_000


@dataclass(frozen=True)
class OrderInput:
    listing_id: int
    quantity: int
    plan_id: int
    indicator_id: int
    compared: list[int] = field(default_factory=list)
    justification: str = ""


@dataclass(frozen=True)
class Terms:
    """What an order is for, however it came about (a listing, or an auction's winning quote)."""

    mode: str
    supplier_organisation: int
    supplier_name: str
    category_code: str
    title: str
    maker: str
    quantity: int
    unit_fen: int
    listing: int | None = None
    demand: int | None = None
    agreement: int | None = None
    group_buy: int | None = None
    compared: tuple[int, ...] = ()
    justification: str = ""


async def get(order_id: int) -> dict:
    row = await MallOrder.select().where(MallOrder.id == order_id).first()
    if row is None:
        raise NotFound("e-mall order", order_id)
    return row


async def own(actor: CurrentUser, order_id: int) -> dict:
    """An order of the purchaser unit the actor acts for; another's is not found."""
    unit = await purchaser_unit(actor)
    row = await get(order_id)
    if row["purchaser"] != unit["id"]:
        raise NotFound("e-mall order", order_id)
    return row


async def as_supplier(actor: CurrentUser, order_id: int) -> dict:
    """An order to the actor's organisation, wherever the purchaser is."""
    with all_tenants(PARTY_SCOPE):
        row = await MallOrder.select().where(MallOrder.id == order_id).first()
    if row is None or row["supplier_organisation"] != actor.organisation_id:
        raise NotFound("e-mall order", order_id)
    return row


@requires(Perm.MALL_ORDER_READ)
async def readable(actor: CurrentUser, order_id: int) -> dict:
    if actor.can(Perm.REGION_READ):
        return await get(order_id)
    if PURCHASER in actor.roles:
        return await own(actor, order_id)
    return await as_supplier(actor, order_id)


@dataclass(frozen=True)
class OrderFilter:
    status: str | None = None
    mode: str | None = None
    split_warned: bool = False


@requires(Perm.MALL_ORDER_READ)
async def search(
    actor: CurrentUser, flt: OrderFilter, first: int | None, after: str | None
) -> Page:
    """Staff: the region's orders (split_warned: those supervisors should look at); a purchaser:
    its unit's; a supplier: its organisation's, wherever."""
    staff = actor.can(Perm.REGION_READ)
    supplier = not staff and PURCHASER not in actor.roles
    with all_tenants(PARTY_SCOPE) if supplier else nullcontext():
        query = MallOrder.select()
        if supplier:
            query = query.where(MallOrder.supplier_organisation == actor.organisation_id)
        elif not staff:
            unit = await purchaser_unit(actor)
            query = query.where(MallOrder.purchaser == unit["id"])
        if flt.status:
            query = query.where(MallOrder.status == flt.status)
        if flt.mode:
            query = query.where(MallOrder.mode == flt.mode)
        if flt.split_warned:
            query = query.where(MallOrder.split_warning != "")
        return await keyset_page(query, MallOrder.id, first, after)


async def _comparison(
    tenant: str, offer: dict, fen: int, data: OrderInput
) -> tuple[tuple[int, ...], str]:
    """Above the band: the listings compared (with the chosen one) are of at least `makers`
    different makers of the same category serving the region, and the chosen is the lowest unit
    price among them unless a justification is given (GeM's L1 rule)."""
    band = to_fen(Decimal(str(await rule_value("emall_comparison_band", tenant))))
    if fen <= band:
        return (), ""
    makers = int(await rule_value("emall_comparison_makers", tenant))
    ids = sorted({*data.compared, offer["id"]})
    found = await goods.offers(ids)
    live = await purchasable.comparable(ids, tenant)
    usable = [o for o in found.values() if o["id"] in live and o["category"] == offer["category"]]
    if len({o["brand"].strip() or f"#{o['organisation']}" for o in usable}) < makers:
        raise DomainError(
            "COMPARISON_REQUIRED",
            f"above {to_yuan(band)} yuan compare live listings of at least {makers} makers of "
            f"category {offer['category']} that serve your region",
            "compared",
        )
    lowest = min(o["price"] for o in usable)
    justification = data.justification.strip()
    if offer["price"] > lowest and len(justification) < 4:
        raise DomainError(
            "NOT_LOWEST",
            f"a compared listing is cheaper ({lowest} yuan a unit): take it or say why",
            "justification",
        )
    return tuple(o["id"] for o in usable), justification


@requires(Perm.MALL_ORDER_PLACE)
@reads_config_once
async def place(actor: CurrentUser, data: OrderInput) -> dict:
    """A direct purchase of a listing at its price."""
    unit = await purchaser_unit(actor)
    if not 1 <= data.quantity <= MAX_QUANTITY:
        raise DomainError("INVALID_QUANTITY", f"1 to {MAX_QUANTITY}", "quantity")
    offer = await goods.offer(data.listing_id)
    await purchasable.check(offer, unit["tenant_id"], data.quantity)
    unit_fen = to_fen(offer["price"])
    compared, justification = await _comparison(
        unit["tenant_id"], offer, unit_fen * data.quantity, data
    )
    terms = Terms(
        mode="direct_purchase",
        supplier_organisation=offer["organisation"],
        supplier_name=offer["supplier_name"],
        category_code=offer["category"],
        title=" ".join(x for x in (offer["item_name"], offer["brand"], offer["model"]) if x),
        maker=offer["brand"],
        quantity=data.quantity,
        unit_fen=unit_fen,
        listing=offer["id"],
        compared=compared,
        justification=justification,
    )
    return await create(actor, unit, data.plan_id, data.indicator_id, terms)


async def _splitting(
    unit: dict, terms: Terms, fen: int, cap: int | None, year: int
) -> tuple[str, int]:
    """The warning when the unit's holding orders of the category in the budget year (its
    indicators' fiscal year) pass the mode's cap with this one; SPLITTING_BLOCKED where the
    tenant blocks."""
    if cap is None:
        return "", 0
    rows = await MallOrder.select(MallOrder.amount_fen).where(
        (MallOrder.purchaser == unit["id"])
        & (MallOrder.category_code == terms.category_code)
        & (MallOrder.fiscal_year == year)
        & MallOrder.status.is_in(list(HOLDING))
    )
    amounts = [*(r["amount_fen"] for r in rows), fen]
    total = over_limit(amounts, cap)
    if total is None:
        return "", sum(amounts)
    text = (
        f"{year}年品目{terms.category_code}的{MODE_LABELS[terms.mode]}订单合计"
        f"{to_yuan(total)}元，超过单笔上限{to_yuan(cap)}元"
    )
    if await splitting_action(unit["tenant_id"]) == "block":
        raise DomainError(
            "SPLITTING_BLOCKED",
            f"orders of category {terms.category_code} this year would total {to_yuan(total)} "
            f"yuan, above the {terms.mode} cap of {to_yuan(cap)}: procure it as one purchase",
            "quantity",
        )
    return text, total


@reads_config_once
async def create(
    actor: CurrentUser | None, unit: dict, plan_id: int, indicator_id: int, terms: Terms
) -> dict:
    """Place an order on `terms` for the unit, drawn on the plan's line (see the module's
    docstring for what is checked); the actor is None when an auction awards it."""
    tenant = unit["tenant_id"]
    fen = terms.unit_fen * terms.quantity
    cap = await cap_fen(tenant, terms.mode)
    if cap is not None and fen > cap:
        raise cap_error(fen, cap, terms.mode)
    due = await rule_deadline("emall_order_confirmation", today(), tenant)
    # The indicator's budget year does not change: read before any lock is taken (one the
    # plan does not draw on is refused below, as before).
    try:
        year = (await budget.get(None, indicator_id))["fiscal_year"]
    except NotFound:
        year = None
    async with transaction():
        # The supplier's credit first (Caiku [2016] 125): a refusal takes no lock, and the
        # check's snapshot is kept with the order or not at all.
        await credit.ensure_supplier_clear(
            tenant, terms.supplier_organisation, "listingId" if terms.listing else None
        )
        # The unit's lock first, the listing's row last: every order takes them in this order
        # (no deadlock), concurrent orders race on the stock itself, and the listing's row,
        # which orders of every unit share, is held only from the stock's UPDATE to the commit.
        await lock_unit(unit["id"])
        plan, line = await funding_line(unit, plan_id, indicator_id)
        if year is None:
            raise NotFound("budget indicator", indicator_id)
        await execute(plan, terms.mode)
        warning, total = await _splitting(unit, terms, fen, cap, year)
        await hold_line(line, fen)
        row = MallOrder(
            tenant_id=tenant,
            mode=terms.mode,
            purchaser=unit["id"],
            purchaser_organisation=unit["organisation"],
            supplier_organisation=terms.supplier_organisation,
            supplier_name=terms.supplier_name,
            plan=plan["id"],
            indicator=indicator_id,
            fiscal_year=year,
            listing=terms.listing,
            demand=terms.demand,
            agreement=terms.agreement,
            group_buy=terms.group_buy,
            category_code=terms.category_code,
            title=terms.title[:200],
            maker=terms.maker[:64],
            quantity=terms.quantity,
            unit_fen=terms.unit_fen,
            amount_fen=fen,
            compared=json.dumps(list(terms.compared)),
            justification=terms.justification,
            split_warning=warning,
            confirm_due=end_of(due.due),
            placed_by=actor.id if actor else 0,
        )
        row.next_check = ORDER.next_check(row.to_dict())  # stored with it: no UPDATE after
        order = (await MallOrder.insert(row).returning(*MallOrder.all_columns()))[0]
        await ORDER.created(
            order,
            {"mode": terms.mode, "amount": str(to_yuan(fen)), "split_warning": bool(warning)},
            "place",
        )
        await notify(
            "mall_order.placed",
            Recipients(organisation=terms.supplier_organisation, roles=(SUPPLIER,)),
            {
                "purchaser": unit["name"],
                "title": order["title"],
                "order_id": order["id"],
                "quantity": terms.quantity,
                "amount": to_yuan(fen),
            },
            about=("mall_order", order["id"]),
            due=due.due,
        )
        if warning:
            await notify(
                "mall_order.split_warning",
                Recipients(tenant=tenant, roles=(SUPERVISOR,)),
                {
                    "purchaser": unit["name"],
                    "category": terms.category_code,
                    "total": to_yuan(total),
                    "mode": MODE_LABELS[terms.mode],
                    "cap": to_yuan(cap or 0),
                    "order_id": order["id"],
                },
                about=("mall_order", order["id"]),
            )
        if terms.listing is not None:  # the last write: see above
            await goods.hold_stock(terms.listing, terms.quantity)
        return order


Conclude = Callable[[dict], Awaitable[int]]


@requires(Perm.MALL_ORDER_FULFIL)
async def confirm(actor: CurrentUser, order_id: int, conclude: Conclude) -> dict:
    """The supplier accepts the order; `conclude(order)` makes its contract (contracts domain)
    in the same transaction and returns its id."""
    async with transaction():
        order = await as_supplier(actor, order_id)
        with all_tenants(PARTY_SCOPE):
            moved = await ORDER.move(actor, order, "confirm")
            contract = await conclude(moved)
            await MallOrder.update({MallOrder.contract: contract}).where(MallOrder.id == order_id)
            return {**moved, "contract": contract}


@requires(Perm.MALL_ORDER_FULFIL)
async def decline(actor: CurrentUser, order_id: int, reason: str) -> dict:
    if not reason.strip():
        raise DomainError("REASON_REQUIRED", "say why the order is declined", "reason")
    async with transaction():
        order = await as_supplier(actor, order_id)
        with all_tenants(PARTY_SCOPE):
            moved = await ORDER.move(
                actor, order, "decline", {MallOrder.reason: reason.strip()}, {"reason": reason}
            )
            await holds.release(moved)
            return moved


@requires(Perm.MALL_ORDER_FULFIL)
async def deliver(actor: CurrentUser, order_id: int) -> dict:
    async with transaction():
        order = await as_supplier(actor, order_id)
        with all_tenants(PARTY_SCOPE):
            return await ORDER.move(actor, order, "deliver")


@requires(Perm.MALL_ORDER_PLACE)
async def cancel(actor: CurrentUser, order_id: int, reason: str) -> dict:
    if not reason.strip():
        raise DomainError("REASON_REQUIRED", "say why the order is cancelled", "reason")
    async with transaction():
        order = await own(actor, order_id)
        moved = await ORDER.move(
            actor, order, "cancel", {MallOrder.reason: reason.strip()}, {"reason": reason}
        )
        await holds.release(moved)
        return moved


async def advance(actor: CurrentUser, order: dict, action: str, detail: dict) -> dict:
    """For the contracts domain: the order's contract was finally accepted ("accept") or its
    final payment requested ("pay"); call in that transaction."""
    if action not in ("accept", "pay"):
        raise ValueError(action)
    return await ORDER.move(actor, order, action, detail=detail)
