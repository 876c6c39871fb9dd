"""Reverse auctions (竞价): a purchaser's demand, sealed quotes until the window closes, the
lowest compliant quote of at least `emall_auction_min_quotes` wins (workflow.py closes and
ranks), the purchaser confirms it: the result is published and the quote becomes an order that
goes on as a direct purchase's does (the supplier confirms, the contract is concluded).

The demand's amount (ceiling x quantity) is within the reverse-auction cap and the plan line
must fund it when posted; the order re-checks the line when the result is confirmed.

A second-stage competition under a framework agreement (agreements.open_second_stage) is the
same demand with `agreement` set: only the agreement's active designated suppliers see it and
quote, each at most its own maximum unit price (quotes.py), the minimum is
`emall_second_stage_min_quotes`, and the award is a designated order of the agreement.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import PURCHASER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.emall.service import orders, quotes
from gpcloud.emall.service.common import (
    cap_error,
    cap_fen,
    execute,
    funding_line,
    lock_unit,
    rule_value,
)
from gpcloud.emall.service.machines import DEMAND
from gpcloud.emall.tables import MallDemand, MallQuote
from gpcloud.registries.goods.service.categories import get_category
from gpcloud.supervision.common import purchaser_unit

MIN_WINDOW = timedelta(hours=1)
MAX_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class DemandInput:
    plan_id: int
    indicator_id: int
    category_code: str
    title: str
    quantity: int
    unit: str
    ceiling_unit_price: Decimal
    closes_at: datetime
    delivery: str = ""
    specs: dict = field(default_factory=dict)


async def get(demand_id: int) -> dict:
    row = await MallDemand.select().where(MallDemand.id == demand_id).first()
    if row is None:
        raise NotFound("e-mall demand", demand_id)
    return row


async def own(actor: CurrentUser, demand_id: int) -> dict:
    unit = await purchaser_unit(actor)
    row = await get(demand_id)
    if row["purchaser"] != unit["id"]:
        raise NotFound("e-mall demand", demand_id)
    return row


@requires(Perm.MALL_ORDER_READ)
async def readable(actor: CurrentUser, demand_id: int) -> dict:
    """Staff: the region's; a purchaser: its unit's; a supplier: any (an open call to quote)."""
    if actor.can(Perm.REGION_READ):
        return await get(demand_id)
    if PURCHASER in actor.roles:
        return await own(actor, demand_id)
    demand = await quotes.demand_for_party(demand_id)
    if demand["agreement"] is not None and demand["agreement"] not in await quotes.designating(
        actor.organisation_id
    ):
        raise NotFound("e-mall demand", demand_id)
    return demand


@requires(Perm.MALL_ORDER_READ)
async def search(
    actor: CurrentUser, status: str | None, first: int | None, after: str | None
) -> Page:
    """Staff: the region's demands; a purchaser: its unit's; a supplier: every open one of the
    province (it quotes where it lists the category, which quoting checks)."""
    staff = actor.can(Perm.REGION_READ)
    supplier = not staff and PURCHASER not in actor.roles
    with all_tenants(quotes.PARTY_SCOPE) if supplier else nullcontext():
        query = MallDemand.select()
        if not staff and not supplier:
            unit = await purchaser_unit(actor)
            query = query.where(MallDemand.purchaser == unit["id"])
        if supplier:
            status = status or "open"
            # A second-stage competition is put only to its agreement's designated suppliers.
            query = query.where(
                MallDemand.agreement.is_null()
                | MallDemand.agreement.is_in(await quotes.designating(actor.organisation_id))
            )
        if status:
            query = query.where(MallDemand.status == status)
        return await keyset_page(query, MallDemand.id, first, after)


@requires(Perm.MALL_DEMAND_POST)
async def post(actor: CurrentUser, data: DemandInput) -> dict:
    unit = await purchaser_unit(actor)
    minimum = int(await rule_value("emall_auction_min_quotes", unit["tenant_id"]))
    return await open_demand(actor, unit, data, "reverse_auction", minimum)


async def open_demand(
    actor: CurrentUser,
    unit: dict,
    data: DemandInput,
    mode: str,
    minimum: int,
    agreement: int | None = None,
) -> dict:
    """Post a demand for the unit: a reverse auction, or (`agreement` set, mode
    designated_purchase) a second-stage competition under a framework agreement
    (agreements.open_second_stage). Its amount within `mode`'s cap and the plan line."""
    tenant = unit["tenant_id"]
    title = data.title.strip()
    if not 2 <= len(title) <= 200:
        raise DomainError("INVALID_TITLE", "a title of 2 to 200 characters", "title")
    if not 1 <= data.quantity <= orders.MAX_QUANTITY:
        raise DomainError("INVALID_QUANTITY", f"1 to {orders.MAX_QUANTITY}", "quantity")
    category = await get_category(data.category_code)
    if category["status"] != "active":
        raise DomainError("INACTIVE_CATEGORY", "an active catalogue code", "categoryCode")
    window = data.closes_at - now()
    if data.closes_at.tzinfo is None or not MIN_WINDOW <= window <= MAX_WINDOW:
        raise DomainError(
            "INVALID_WINDOW",
            "a response window of 1 hour to 30 days, with its time zone",
            "closesAt",
        )
    ceiling = to_fen(data.ceiling_unit_price, "ceilingUnitPrice")
    if ceiling == 0:
        raise DomainError("INVALID_AMOUNT", "a ceiling above zero", "ceilingUnitPrice")
    fen = ceiling * data.quantity
    cap = await cap_fen(tenant, mode)
    if cap is not None and fen > cap:
        raise cap_error(fen, cap, mode)
    async with transaction():
        await lock_unit(unit["id"])
        plan, line = await funding_line(unit, data.plan_id, data.indicator_id)
        await execute(plan, mode)
        if fen > line["amount_fen"]:
            raise DomainError(
                "INSUFFICIENT_BALANCE",
                f"the plan's line funds {to_yuan(line['amount_fen'])} yuan",
                "ceilingUnitPrice",
            )
        row = MallDemand(
            tenant_id=tenant,
            purchaser=unit["id"],
            purchaser_organisation=unit["organisation"],
            plan=plan["id"],
            indicator=data.indicator_id,
            category_code=category["code"],
            title=title,
            specs=json.dumps(data.specs, ensure_ascii=False, sort_keys=True),
            quantity=data.quantity,
            unit=data.unit.strip()[:8],
            ceiling_unit_fen=ceiling,
            delivery=data.delivery.strip(),
            closes_at=data.closes_at,
            min_quotes=minimum,
            agreement=agreement,
        )
        await row.save()
        demand = await get(row.id)
        detail = {"ceiling": str(to_yuan(fen)), "min_quotes": minimum}
        if agreement is not None:
            detail["agreement"] = agreement
        await DEMAND.created(demand, detail, "post" if agreement is None else "open_second_stage")
        return await get(row.id)


@requires(Perm.MALL_DEMAND_POST)
async def withdraw(actor: CurrentUser, demand_id: int) -> dict:
    async with transaction():
        return await DEMAND.move(actor, await own(actor, demand_id), "withdraw")


@requires(Perm.MALL_DEMAND_POST)
async def award(actor: CurrentUser, demand_id: int) -> tuple[dict, dict]:
    """The purchaser confirms the lowest compliant quote: the result is published and the quote
    becomes an order at its price. Returns (demand, order)."""
    unit = await purchaser_unit(actor)
    async with transaction():
        demand = await own(actor, demand_id)
        DEMAND.next_state("award", demand["status"])
        winner = await MallQuote.select().where(MallQuote.id == demand["winning_quote"]).first()
        if winner is None:
            raise DomainError("NO_WINNER", "the demand has no compliant quote to confirm")
        if demand["agreement"] is not None:
            # A second stage's award is a designated order of the agreement: it must still be
            # in force and the winner still designated (each checked at the close too).
            await quotes.second_stage_ready(demand, winner)
        moved = await DEMAND.move(actor, demand, "award", detail={"quote": winner["id"]})
        order = await orders.create(
            actor,
            unit,
            demand["plan"],
            demand["indicator"],
            orders.Terms(
                mode="reverse_auction" if demand["agreement"] is None else "designated_purchase",
                supplier_organisation=winner["supplier_organisation"],
                supplier_name=winner["supplier_name"],
                category_code=demand["category_code"],
                title=demand["title"],
                maker=winner["offer"][:64],
                quantity=demand["quantity"],
                unit_fen=winner["unit_fen"],
                demand=demand_id,
                agreement=demand["agreement"],
            ),
        )
        await MallDemand.update({MallDemand.order: order["id"]}).where(MallDemand.id == demand_id)
        ranked = [q for q in (await quotes.of_demands([demand_id]))[0] if q["compliant"] == "yes"]
        await quotes.publish_result(demand, winner, len(ranked))
        return {**moved, "order": order["id"]}, order
