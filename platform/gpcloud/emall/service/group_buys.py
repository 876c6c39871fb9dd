"""Group buys (批量集中采购): a city or the province gathers its purchasers' demand for one
catalogue item and procures the total once.

The region's admins open a group buy (what is bought, its ceiling unit price, until when
purchasers join). A purchaser of the region or below joins with its quantity and the plan line
that funds it; the share holds quantity x ceiling on that line (common.hold_line counts it) so
that the award cannot fail for want of budget. Joining closes by itself (a timer): with no
shares the group buy fails, else the region procures the total by its own procedure and records
the award here (supplier, unit price within the ceiling, the procurement's reference). In that
one transaction every share becomes an order at the awarded price (its hold passes to the
order), the result is published, and the orders go round the loop as any other's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from gpcloud.core import publishing as portal
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import PURCHASER, TENANT_ADMIN
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import now, today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.service import orders
from gpcloud.emall.service.common import (
    execute,
    funding_line,
    hold_line,
    lock_unit,
    region_and_around,
    regions_above,
)
from gpcloud.emall.service.machines import GROUP_BUY
from gpcloud.emall.tables import MallGroupBuy, MallGroupShare
from gpcloud.registries.goods.service.categories import get_category
from gpcloud.registries.purchasers import service as purchasers
from gpcloud.supervision.common import purchaser_unit

REGION_SCOPE = "purchasers join the group buys of their region and the regions above it"
MIN_WINDOW = timedelta(hours=1)
MAX_WINDOW = timedelta(days=60)
MAX_SPECS = 4000
MAX_SHARES = 1000  # purchasers of one group buy: the award places every order at once


@dataclass(frozen=True)
class GroupBuyInput:
    title: str
    category_code: str
    unit: str
    ceiling_unit_price: Decimal
    joins_close_at: datetime
    specs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class JoinInput:
    group_buy_id: int
    quantity: int
    plan_id: int
    indicator_id: int


@dataclass(frozen=True)
class AwardInput:
    group_buy_id: int
    supplier_organisation: int
    unit_price: Decimal
    reference: str


async def get(group_buy_id: int) -> dict:
    with all_tenants(REGION_SCOPE):
        row = await MallGroupBuy.select().where(MallGroupBuy.id == group_buy_id).first()
    if row is None:
        raise NotFound("group buy", group_buy_id)
    return row


@requires(Perm.MALL_ORDER_READ)
async def readable(actor: CurrentUser, group_buy_id: int) -> dict:
    """A group buy of the actor's region, a region above it (one it may join) or below it."""
    row = await get(group_buy_id)
    if row["tenant_id"] not in await region_and_around(actor.tenant):
        raise NotFound("group buy", group_buy_id)
    return row


@requires(Perm.MALL_ORDER_READ)
async def search(
    actor: CurrentUser, status: str | None, first: int | None, after: str | None
) -> Page:
    """The group buys of the actor's region, the regions above it and its subtree."""
    regions = await region_and_around(actor.tenant)
    with all_tenants(REGION_SCOPE):
        query = MallGroupBuy.select().where(MallGroupBuy.tenant_id.is_in(regions))
        if status:
            query = query.where(MallGroupBuy.status == status)
        return await keyset_page(query, MallGroupBuy.id, first, after)


async def shares_of(actor: CurrentUser, group_buy_ids: list[int]) -> list[list[dict]]:
    """Each group buy's current shares the actor may read: the organising region's staff every
    share, a purchaser its own unit's."""
    with all_tenants(REGION_SCOPE):
        buys = {
            r["id"]: r["tenant_id"]
            for r in await MallGroupBuy.select(MallGroupBuy.id, MallGroupBuy.tenant_id).where(
                MallGroupBuy.id.is_in(group_buy_ids or [0])
            )
        }
        rows = await MallGroupShare.select().where(
            MallGroupShare.group_buy.is_in(group_buy_ids or [0]) & (MallGroupShare.status != "left")
        )
    tree = await tenant_tree()
    staff = actor.can(Perm.REGION_READ)
    staff_of = {g for g, t in buys.items() if staff and t in tree.subtree(actor.tenant)}
    unit = await purchaser_unit(actor) if PURCHASER in actor.roles else None
    grouped: dict[int, list[dict]] = {}
    for r in rows:
        if r["group_buy"] in staff_of or (unit is not None and r["purchaser"] == unit["id"]):
            grouped.setdefault(r["group_buy"], []).append(r)
    return [sorted(grouped.get(g, []), key=lambda r: r["id"]) for g in group_buy_ids]


@requires(Perm.MALL_GROUP_BUY_MANAGE)
async def open_group_buy(actor: CurrentUser, data: GroupBuyInput) -> dict:
    """Open a group buy of the actor's region: its purchasers and those below may join."""
    title = data.title.strip()
    if not 2 <= len(title) <= 200:
        raise DomainError("INVALID_TITLE", "a title of 2 to 200 characters", "title")
    category = await get_category(data.category_code)
    if category["status"] != "active":
        raise DomainError("INACTIVE_CATEGORY", "an active catalogue code", "categoryCode")
    if not 1 <= len(data.unit.strip()) <= 8:
        raise DomainError("INVALID_UNIT", "a unit of 1 to 8 characters (台, 件, 箱)", "unit")
    specs = json.dumps(data.specs, ensure_ascii=False, sort_keys=True)
    if len(specs) > MAX_SPECS:
        raise DomainError("INVALID_SPECS", f"at most {MAX_SPECS} characters in all", "specs")
    window = data.joins_close_at - now() if data.joins_close_at.tzinfo else None
    if window is None or not MIN_WINDOW <= window <= MAX_WINDOW:
        raise DomainError(
            "INVALID_WINDOW",
            "a joining window of 1 hour to 60 days, with its time zone",
            "joinsCloseAt",
        )
    ceiling = to_fen(data.ceiling_unit_price, "ceilingUnitPrice")
    if ceiling == 0:
        raise DomainError("INVALID_AMOUNT", "a ceiling above zero", "ceilingUnitPrice")
    async with transaction():
        row = MallGroupBuy(
            tenant_id=actor.tenant,
            title=title,
            category_code=category["code"],
            specs=specs,
            unit=data.unit.strip(),
            ceiling_unit_fen=ceiling,
            joins_close_at=data.joins_close_at,
            organised_by=actor.id,
        )
        await row.save()
        created = await get(row.id)
        await GROUP_BUY.created(created, {"ceiling": str(to_yuan(ceiling))}, "open")
        return await get(row.id)


@requires(Perm.MALL_ORDER_PLACE)
async def join(actor: CurrentUser, data: JoinInput) -> dict:
    """The actor's unit joins with `quantity`, funded by the plan's line on the indicator."""
    unit = await purchaser_unit(actor)
    if not 1 <= data.quantity <= orders.MAX_QUANTITY:
        raise DomainError("INVALID_QUANTITY", f"1 to {orders.MAX_QUANTITY}", "quantity")
    group = await get(data.group_buy_id)
    if group["tenant_id"] not in await regions_above(unit["tenant_id"]):
        raise NotFound("group buy", data.group_buy_id)
    held = group["ceiling_unit_fen"] * data.quantity
    async with transaction():
        await lock_unit(unit["id"])
        group = await get(data.group_buy_id)
        if group["status"] != "collecting" or now() >= group["joins_close_at"]:
            raise DomainError("JOINING_CLOSED", "the group buy no longer takes shares")
        if await MallGroupShare.exists().where(
            (MallGroupShare.group_buy == group["id"])
            & (MallGroupShare.purchaser == unit["id"])
            & (MallGroupShare.status == "joined")
        ):
            raise DomainError("ALREADY_JOINED", "your unit has a share: leave it to change it")
        if len(await _joined(group["id"])) >= MAX_SHARES:
            raise DomainError("GROUP_BUY_FULL", f"a group buy takes at most {MAX_SHARES} shares")
        plan, line = await funding_line(unit, data.plan_id, data.indicator_id)
        await execute(plan, "group_buy")
        await hold_line(line, held)
        row = MallGroupShare(
            tenant_id=unit["tenant_id"],
            group_buy=group["id"],
            purchaser=unit["id"],
            purchaser_organisation=unit["organisation"],
            plan=plan["id"],
            indicator=data.indicator_id,
            quantity=data.quantity,
            held_fen=held,
            joined_by=actor.id,
        )
        await row.save()
        return await MallGroupShare.select().where(MallGroupShare.id == row.id).first()


@requires(Perm.MALL_ORDER_PLACE)
async def leave(actor: CurrentUser, group_buy_id: int) -> dict:
    """The actor's unit takes its share back while joining is open; its hold is released."""
    unit = await purchaser_unit(actor)
    async with transaction():
        await lock_unit(unit["id"])
        group = await get(group_buy_id)
        if group["tenant_id"] not in await regions_above(unit["tenant_id"]):
            raise NotFound("group buy", group_buy_id)
        if group["status"] != "collecting" or now() >= group["joins_close_at"]:
            raise DomainError("JOINING_CLOSED", "shares are fixed once joining closes")
        left = await (
            MallGroupShare.update({MallGroupShare.status: "left", MallGroupShare.updated_at: now()})
            .where(
                (MallGroupShare.group_buy == group_buy_id)
                & (MallGroupShare.purchaser == unit["id"])
                & (MallGroupShare.status == "joined")
            )
            .returning(*MallGroupShare.all_columns())
        )
        if not left:
            raise NotFound("share of your unit in group buy", group_buy_id)
        return left[0]


async def _joined(group_buy_id: int) -> list[dict]:
    with all_tenants(REGION_SCOPE):
        return await (
            MallGroupShare.select()
            .where((MallGroupShare.group_buy == group_buy_id) & (MallGroupShare.status == "joined"))
            .order_by(MallGroupShare.id)
        )


async def _set_shares(ids: list[int], status: str, after: str = "joined") -> None:
    """Move shares from `after` (compare-and-set: a share left meanwhile is not moved)."""
    with all_tenants(REGION_SCOPE):
        await MallGroupShare.update(
            {MallGroupShare.status: status, MallGroupShare.updated_at: now()}
        ).where(MallGroupShare.id.is_in(ids or [0]) & (MallGroupShare.status == after))


async def joining_closed(group: dict) -> None:
    """The close timer's effect: fix the total, or fail with no shares."""
    shares = await _joined(group["id"])
    total = sum(s["quantity"] for s in shares)
    current = await get(group["id"])
    if not shares:
        await GROUP_BUY.move(
            None, current, "fail", {MallGroupBuy.outcome: "无采购人参加，批量集采终止"}
        )
        return
    await MallGroupBuy.update({MallGroupBuy.quantity: total}).where(MallGroupBuy.id == group["id"])
    await notify(
        "mall_group_buy.closed",
        Recipients(tenant=group["tenant_id"], roles=(TENANT_ADMIN,)),
        {"title": group["title"], "group_buy_id": group["id"], "shares": len(shares)},
        about=("mall_group_buy", group["id"]),
        key=f"mall_group_buy:{group['id']}:closed",
    )


async def _organiser(actor: CurrentUser, group_buy_id: int) -> dict:
    group = await get(group_buy_id)
    if group["tenant_id"] != actor.tenant:
        raise NotFound("group buy", group_buy_id)
    return group


async def _supplier(organisation_id: int) -> dict:
    with all_tenants("suppliers are registered once for the province"):
        org = (
            await Organisation.select(Organisation.id, Organisation.name, Organisation.kind)
            .where(Organisation.id == organisation_id)
            .first()
        )
    if org is None or org["kind"] != "supplier":
        raise DomainError("NOT_A_SUPPLIER", "a supplier organisation", "supplierOrganisationId")
    return org


@requires(Perm.MALL_GROUP_BUY_MANAGE)
async def award(actor: CurrentUser, data: AwardInput) -> tuple[dict, list[dict]]:
    """Record the award of the whole; every share becomes an order at its price, in this
    transaction. Returns (group buy, orders)."""
    reference = data.reference.strip()
    if not 2 <= len(reference) <= 64:
        raise DomainError(
            "INVALID_REFERENCE", "the procurement's number, 2 to 64 characters", "reference"
        )
    fen = to_fen(data.unit_price, "unitPrice")
    supplier = await _supplier(data.supplier_organisation)
    async with transaction():
        group = await _organiser(actor, data.group_buy_id)
        GROUP_BUY.next_state("award", group["status"])
        if not 0 < fen <= group["ceiling_unit_fen"]:
            raise DomainError(
                "OVER_CEILING",
                f"a unit price above zero and at most the ceiling of "
                f"{to_yuan(group['ceiling_unit_fen'])} yuan",
                "unitPrice",
            )
        shares = await _joined(group["id"])
        moved = await GROUP_BUY.move(
            actor,
            group,
            "award",
            {
                MallGroupBuy.quantity: sum(s["quantity"] for s in shares),
                MallGroupBuy.supplier_organisation: supplier["id"],
                MallGroupBuy.supplier_name: supplier["name"],
                MallGroupBuy.unit_fen: fen,
                MallGroupBuy.award_reference: reference,
            },
            {"supplier": supplier["id"], "unit_price": str(to_yuan(fen)), "reference": reference},
        )
        # The share's hold passes to its order: released first, so the line is not counted twice.
        await _set_shares([s["id"] for s in shares], "ordered")
        placed = []
        for share in shares:
            with all_tenants(REGION_SCOPE):
                unit = await purchasers.get(share["purchaser"])
            order = await orders.create(
                None,
                unit,
                share["plan"],
                share["indicator"],
                orders.Terms(
                    mode="group_buy",
                    supplier_organisation=supplier["id"],
                    supplier_name=supplier["name"],
                    category_code=group["category_code"],
                    title=group["title"],
                    maker="",
                    quantity=share["quantity"],
                    unit_fen=fen,
                    group_buy=group["id"],
                ),
            )
            with all_tenants(REGION_SCOPE):
                await MallGroupShare.update({MallGroupShare.order: order["id"]}).where(
                    MallGroupShare.id == share["id"]
                )
            placed.append(order)
        await _publish(moved, shares, fen)
        return moved, placed


async def _publish(group: dict, shares: list[dict], fen: int) -> None:
    quantity = sum(s["quantity"] for s in shares)
    amount = fen * quantity
    await portal.publish(
        portal.Publication(
            kind="result",
            source=f"mall_group_buy:{group['id']}",
            tenant=group["tenant_id"],
            title=f"{group['title']}批量集中采购结果公告"[:200],
            body=f"成交供应商：{group['supplier_name']}。成交单价：{to_yuan(fen)} 元/"
            f"{group['unit']}，{len(shares)} 家采购人合计 {quantity}{group['unit']}，"
            f"成交金额：{to_yuan(amount)} 元。采购项目编号：{group['award_reference']}。",
            published_on=today(),
            method="group_buy",
            category_code=group["category_code"],
            object_type="goods",
            amount_fen=amount,
            suppliers=(
                portal.Supplier(group["supplier_organisation"], group["supplier_name"], amount),
            ),
            details={"group_buy_id": group["id"], "shares": len(shares)},
        )
    )


@requires(Perm.MALL_GROUP_BUY_MANAGE)
async def withdraw(actor: CurrentUser, group_buy_id: int, reason: str) -> dict:
    """Call the group buy off before its award; every share's hold is released."""
    if not 4 <= len(reason.strip()) <= 500:
        raise DomainError("REASON_REQUIRED", "say why, in 4 to 500 characters", "reason")
    async with transaction():
        group = await _organiser(actor, group_buy_id)
        moved = await GROUP_BUY.move(
            actor, group, "withdraw", {MallGroupBuy.outcome: reason.strip()}, {"reason": reason}
        )
        await _set_shares([s["id"] for s in await _joined(group_buy_id)], "released")
        return moved
