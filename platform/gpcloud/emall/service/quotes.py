"""Sealed quotes on reverse-auction demands, their ranking at the close, and the published result.

Sealing here is access sealing: until the window closes a quote is read by its own supplier
only (the purchaser, other suppliers and staff see how many quotes there are, never a price),
and a quote may be revised until then. At the close every quote is checked again (the supplier
still lists the category in the region, the unit price within the ceiling) and ranked: lowest
unit price first, the earlier quote first on a tie.

A second-stage competition (a demand with `agreement`) takes quotes only from the agreement's
active designated suppliers, each at most its own maximum unit price; the close checks both
again instead of the listing.

Kept apart from auctions.py because the demand machine's close timer (workflow.py) calls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gpcloud.core import publishing as portal
from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import now, today
from gpcloud.core.db import serialize_writes, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.emall.service.common import check_in_force
from gpcloud.emall.tables import DesignatedSupplier, FrameworkAgreement, MallDemand, MallQuote
from gpcloud.registries.goods.service import mall as goods
from gpcloud.supervision import plans

PARTY_SCOPE = "e-mall suppliers quote on demands of any region they serve"
DESIGNATED_SCOPE = "a framework agreement's designated suppliers are the awarding region's rows"
MAX_OFFER = 2000


@dataclass(frozen=True)
class QuoteInput:
    unit_price: Decimal
    offer: str


async def designating(organisation: int) -> list[int]:
    """The framework agreements that designate `organisation` and have not withdrawn it."""
    with all_tenants(DESIGNATED_SCOPE):
        rows = await DesignatedSupplier.select(DesignatedSupplier.agreement).where(
            (DesignatedSupplier.supplier_organisation == organisation)
            & (DesignatedSupplier.status == "active")
        )
    return sorted({r["agreement"] for r in rows}) or [0]


async def designation(demand: dict, organisation: int) -> dict | None:
    """The supplier's active designation under the second stage's agreement, or None."""
    with all_tenants(DESIGNATED_SCOPE):
        return (
            await DesignatedSupplier.select()
            .where(
                (DesignatedSupplier.agreement == demand["agreement"])
                & (DesignatedSupplier.supplier_organisation == organisation)
                & (DesignatedSupplier.status == "active")
            )
            .first()
        )


async def second_stage_ready(demand: dict, winner: dict) -> None:
    """A second stage's winner may become a designated order: the agreement is in force and the
    winner still designated by it."""
    with all_tenants(DESIGNATED_SCOPE):
        agreement = (
            await FrameworkAgreement.select()
            .where(FrameworkAgreement.id == demand["agreement"])
            .first()
        )
    check_in_force(agreement)
    if await designation(demand, winner["supplier_organisation"]) is None:
        raise DomainError("NOT_DESIGNATED", "the supplier has been withdrawn from the agreement")


async def demand_for_party(demand_id: int) -> dict:
    with all_tenants(PARTY_SCOPE):
        row = await MallDemand.select().where(MallDemand.id == demand_id).first()
    if row is None:
        raise NotFound("e-mall demand", demand_id)
    return row


@requires(Perm.MALL_QUOTE)
async def submit(actor: CurrentUser, demand_id: int, data: QuoteInput) -> dict:
    """Quote, or revise one's quote, while the demand is open."""
    fen = to_fen(data.unit_price, "unitPrice")
    offer = data.offer.strip()
    if fen == 0:
        raise DomainError("INVALID_AMOUNT", "a unit price above zero", "unitPrice")
    if not offer or len(offer) > MAX_OFFER:
        raise DomainError("INVALID_OFFER", f"what is offered, 1 to {MAX_OFFER} characters", "offer")
    async with transaction():
        demand = await demand_for_party(demand_id)
        if demand["status"] != "open" or now() >= demand["closes_at"]:
            raise DomainError("WINDOW_CLOSED", "the demand no longer takes quotes")
        if fen > demand["ceiling_unit_fen"]:
            raise DomainError(
                "OVER_CEILING",
                f"the ceiling is {to_yuan(demand['ceiling_unit_fen'])} yuan a unit",
                "unitPrice",
            )
        org = actor.organisation_id
        if demand["agreement"] is not None:
            designated = await designation(demand, org)
            if designated is None:
                raise DomainError(
                    "NOT_DESIGNATED",
                    "only the framework agreement's designated suppliers quote in its second stage",
                )
            if fen > designated["max_unit_fen"]:
                raise DomainError(
                    "OVER_MAX_PRICE",
                    f"a unit price above zero and at most {to_yuan(designated['max_unit_fen'])} "
                    "yuan (the agreement's maximum)",
                    "unitPrice",
                )
        elif not await goods.lists_category(org, demand["category_code"], demand["tenant_id"]):
            raise DomainError(
                "NOT_LISTED",
                f"only suppliers listing goods of {demand['category_code']} in the region quote",
            )
        with all_tenants(PARTY_SCOPE):
            await serialize_writes(f"emall:quote:{demand_id}:{org}")
            existing = (
                await MallQuote.select(MallQuote.id)
                .where((MallQuote.demand == demand_id) & (MallQuote.supplier_organisation == org))
                .first()
            )
            if existing:
                await MallQuote.update(
                    {MallQuote.unit_fen: fen, MallQuote.offer: offer, MallQuote.updated_at: now()}
                ).where(MallQuote.id == existing["id"])
                quote_id, action = existing["id"], "revise"
            else:
                name = (
                    await Organisation.select(Organisation.name)
                    .where(Organisation.id == org)
                    .first()
                )
                row = MallQuote(
                    tenant_id=demand["tenant_id"],
                    demand=demand_id,
                    supplier_organisation=org,
                    supplier_name=name["name"],
                    unit_fen=fen,
                    offer=offer,
                )
                await row.save()
                quote_id, action = row.id, "submit"
            # The price stays out of the log until the close: the entry says only that it came.
            await audit.record(
                f"mall_quote.{action}",
                "mall_quote",
                quote_id,
                detail={"demand": demand_id},
                tenant=demand["tenant_id"],
            )
            return await MallQuote.select().where(MallQuote.id == quote_id).first()


async def own_quotes(actor: CurrentUser, demand_ids: list[int]) -> dict[int, dict]:
    """{demand: the actor's organisation's quote on it}."""
    if not demand_ids:
        return {}
    with all_tenants(PARTY_SCOPE):
        rows = await MallQuote.select().where(
            MallQuote.demand.is_in(sorted(set(demand_ids)))
            & (MallQuote.supplier_organisation == actor.organisation_id)
        )
    return {r["demand"]: r for r in rows}


async def counts(demand_ids: list[int]) -> list[int]:
    """How many quotes each demand has (no prices: readable while sealed)."""
    rows = await MallQuote.select(MallQuote.demand).where(MallQuote.demand.is_in(demand_ids))
    found: dict[int, int] = {}
    for r in rows:
        found[r["demand"]] = found.get(r["demand"], 0) + 1
    return [found.get(d, 0) for d in demand_ids]


async def of_demands(demand_ids: list[int]) -> list[list[dict]]:
    """Every quote of each demand, ranked (for demands that have closed: callers check)."""
    rows = await MallQuote.select().where(MallQuote.demand.is_in(demand_ids))
    grouped: dict[int, list[dict]] = {}
    for r in rows:
        grouped.setdefault(r["demand"], []).append(r)
    order = lambda q: (q["rank"] is None, q["rank"] or 0, q["unit_fen"], q["id"])  # noqa: E731
    return [sorted(grouped.get(d, []), key=order) for d in demand_ids]


async def rank(demand: dict) -> list[dict]:
    """Check and rank the demand's quotes at the close; the compliant ones, lowest first."""
    quotes = (await of_demands([demand["id"]]))[0]
    compliant = []
    for q in quotes:
        reason = ""
        if q["unit_fen"] > demand["ceiling_unit_fen"]:
            reason = "单价高于最高限价"
        elif demand["agreement"] is not None:
            designated = await designation(demand, q["supplier_organisation"])
            if designated is None:
                reason = "截止时已不是该框架协议的入围供应商"
            elif q["unit_fen"] > designated["max_unit_fen"]:
                reason = "单价高于该供应商的协议最高限价"
        elif not await goods.lists_category(
            q["supplier_organisation"], demand["category_code"], demand["tenant_id"]
        ):
            reason = "截止时未在该品目和区域上架商品"
        if not reason:
            compliant.append(q)
        await MallQuote.update(
            {MallQuote.compliant: "no" if reason else "yes", MallQuote.reason: reason}
        ).where(MallQuote.id == q["id"])
    compliant.sort(key=lambda q: (q["unit_fen"], q["submitted_at"], q["id"]))
    for i, q in enumerate(compliant, 1):
        await MallQuote.update({MallQuote.rank: i}).where(MallQuote.id == q["id"])
    return [{**q, "rank": i} for i, q in enumerate(compliant, 1)]


def _method(demand: dict) -> str:
    """The portal's method: a second stage is part of its framework agreement's procedure."""
    return "reverse_auction" if demand["agreement"] is None else "framework_agreement"


def _noun(demand: dict) -> str:
    return "竞价" if demand["agreement"] is None else "框架协议二次竞价"


async def publish_result(demand: dict, winner: dict | None, quotes: int) -> None:
    """The result on the portal: the winner and its price, or why the auction failed."""
    plan = await plans.get(demand["plan"])
    fields = {**await plans.notice_fields(plan), "method": _method(demand)}
    fields["category_code"] = demand["category_code"]
    if winner is None:
        body = f"截止时有效报价{quotes}家，少于{demand['min_quotes']}家，本次竞价失败。"
        amount, suppliers = None, ()
    else:
        amount = winner["unit_fen"] * demand["quantity"]
        body = (
            f"成交供应商：{winner['supplier_name']}。成交单价：{to_yuan(winner['unit_fen'])} 元，"
            f"数量 {demand['quantity']}{demand['unit']}，成交金额：{to_yuan(amount)} 元。"
            f"有效报价 {quotes} 家。"
        )
        suppliers = (
            portal.Supplier(winner["supplier_organisation"], winner["supplier_name"], amount),
        )
    await portal.publish(
        portal.Publication(
            kind="result",
            source=f"mall_demand:{demand['id']}",
            tenant=demand["tenant_id"],
            title=f"{demand['title']}{_noun(demand)}结果公告"[:200],
            body=body,
            published_on=today(),
            amount_fen=amount,
            suppliers=suppliers,
            details={
                "demand_id": demand["id"],
                "failed": winner is None,
                "quotes": quotes,
                "framework_agreement_id": demand["agreement"],
            },
            **fields,
        )
    )


# Why an auction's order ended without a contract (the order's state), for the correction.
ORDER_ENDS = {
    "declined": "成交供应商拒绝了订单",
    "lapsed": "成交供应商未在确认时限内确认订单，订单已失效",
    "cancelled": "采购人在成交供应商确认前撤销了订单",
}


async def publish_order_end(order: dict) -> None:
    """An auction's order ended unfulfilled (declined, lapsed, cancelled): the published result
    will not be carried out, so a correction (更正公告) says so beside it on the portal. The
    OCDS process gets its award update from the order itself (emall/ocds.py)."""
    demand = await MallDemand.select().where(MallDemand.id == order["demand"]).first()
    plan = await plans.get(demand["plan"])
    fields = {**await plans.notice_fields(plan), "method": _method(demand)}
    fields["category_code"] = demand["category_code"]
    reason = f"（{order['reason']}）" if order["reason"] else ""
    await portal.publish(
        portal.Publication(
            kind="correction",
            source=f"mall_order:{order['id']}:{order['status']}",
            tenant=demand["tenant_id"],
            title=f"{demand['title']}{_noun(demand)}结果更正公告"[:200],
            body=(
                f"原{_noun(demand)}结果（成交供应商：{order['supplier_name']}，成交金额："
                f"{to_yuan(order['amount_fen'])} 元）不再执行：{ORDER_ENDS[order['status']]}"
                f"{reason}。"
            ),
            published_on=today(),
            details={
                "demand_id": demand["id"],
                "order_id": order["id"],
                "outcome": order["status"],
            },
            **fields,
        )
    )


def visible(actor: CurrentUser, demand: dict, rows: list[dict]) -> list[dict]:
    """The quotes of `demand` the actor may read: a supplier its own, always; the purchaser's
    users and staff every quote once the window has closed, none before (sealed)."""
    mine = [q for q in rows if q["supplier_organisation"] == actor.organisation_id]
    if demand["status"] == "open" or actor.can(Perm.MALL_QUOTE):
        return mine
    return rows
