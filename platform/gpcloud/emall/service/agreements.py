"""Framework agreements (MOF Order 110) and designated procurement (定点采购) under them.

A region's centralised procurement awards a framework agreement by its own procedure and its
admins record the result here: the category, the term, how many suppliers entered and which
were designated, each with its maximum unit price. Recording holds Order 110's numbers: entry
eliminated at least `emall_framework_elimination` percent of the entrants (and at least one),
every designated supplier has a maximum unit price, and the term is within
`emall_framework_term_goods` / `emall_framework_term_services` days. The designated-supplier
list is published on the portal; the agreement expires by itself at the end of its term.

A purchaser of the agreement's region or below orders from a designated supplier at a unit
price within its maximum (the second stage): the order then goes round the same loop as a
direct purchase's (the supplier confirms, the contract is concluded, delivery, acceptance,
payment). Above the purchaser's region's `thresholds.emall_second_stage_band` a designated
order is refused (SECOND_STAGE_REQUIRED): the purchaser opens a second-stage competition (二次竞价)
among the agreement's active designated suppliers instead, a reverse-auction demand linked to
the agreement (auctions.py, quotes.py) whose award is a designated order of the agreement.

The region that awarded the agreement withdraws a designated supplier (DESIGNATED machine);
when the active ones fall below `emall_framework_top_up_share` percent of those first
designated, the agreement needs a top-up entry (补充征集), and only then may the region record
one: the same checks as the first entry, within the agreement's term.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from gpcloud.core import publishing as portal
from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import end_of, now, today
from gpcloud.core.db import serialize_writes, transaction
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.emall.service import auctions, orders
from gpcloud.emall.service.common import (
    check_in_force,
    region_and_around,
    regions_above,
    rule_value,
    second_stage_band_fen,
)
from gpcloud.emall.service.machines import AGREEMENT, DESIGNATED
from gpcloud.emall.tables import DesignatedSupplier, FrameworkAgreement
from gpcloud.registries.goods.service.categories import get_category
from gpcloud.supervision.common import purchaser_unit

KINDS = ("goods", "services")
REGION_SCOPE = "purchasers order under the framework agreements of their region and above"
MAX_SUPPLIERS = 200


@dataclass(frozen=True)
class DesignatedInput:
    organisation_id: int
    item: str
    unit: str
    max_unit_price: Decimal


@dataclass(frozen=True)
class AgreementInput:
    title: str
    category_code: str
    kind: str
    starts_on: date
    ends_on: date
    entrants: int
    suppliers: list[DesignatedInput]


@dataclass(frozen=True)
class DesignatedOrderInput:
    designated_id: int
    quantity: int
    unit_price: Decimal
    plan_id: int
    indicator_id: int


@dataclass(frozen=True)
class TopUpInput:
    """A top-up entry (补充征集): how many entered it and whom it designated, each with its
    maximum unit price; the agreement's term stays as it is."""

    entrants: int
    suppliers: list[DesignatedInput]


@dataclass(frozen=True)
class SecondStageInput:
    """A second-stage competition (二次竞价) among an agreement's designated suppliers."""

    agreement_id: int
    plan_id: int
    indicator_id: int
    title: str
    quantity: int
    unit: str
    closes_at: datetime
    delivery: str = ""
    specs: dict = field(default_factory=dict)


async def _problems(tenant: str, data: AgreementInput) -> list[Problem]:
    problems = []
    if not 2 <= len(data.title.strip()) <= 200:
        problems.append(Problem("INVALID_TITLE", "a title of 2 to 200 characters", "title"))
    if data.kind not in KINDS:
        problems.append(Problem("INVALID_KIND", "goods or services", "kind"))
    term = (data.ends_on - data.starts_on).days
    limit = (
        int(await rule_value(f"emall_framework_term_{data.kind}", tenant))
        if (data.kind in KINDS)
        else 0
    )
    if term < 1 or (limit and term > limit):
        problems.append(
            Problem("INVALID_TERM", f"a term of 1 to {limit} days (MOF Order 110)", "endsOn")
        )
    return problems + await _entry_problems(tenant, data.entrants, data.suppliers)


async def _entry_problems(
    tenant: str, entrants: int, suppliers: list[DesignatedInput]
) -> list[Problem]:
    """What an entry (the first, or a top-up: 补充征集 holds the first's conditions and
    elimination share, MOF Order 110) must meet: different suppliers, elimination, what each
    supplies and its maximum unit price."""
    problems = []
    chosen = {s.organisation_id for s in suppliers}
    if not 1 <= len(suppliers) <= MAX_SUPPLIERS or len(chosen) != len(suppliers):
        problems.append(
            Problem("INVALID_SUPPLIERS", f"1 to {MAX_SUPPLIERS} different suppliers", "suppliers")
        )
    share = int(await rule_value("emall_framework_elimination", tenant))
    eliminated = entrants - len(chosen)
    if eliminated < 1 or eliminated * 100 < entrants * share:
        problems.append(
            Problem(
                "TOO_FEW_ELIMINATED",
                f"entry eliminates at least {share}% of the entrants and at least one "
                f"(MOF Order 110): {entrants} entered, {len(chosen)} designated",
                "entrants",
            )
        )
    for i, s in enumerate(suppliers):
        if not s.item.strip() or not s.unit.strip():
            problems.append(
                Problem("INVALID_ITEM", "what is supplied and its unit", f"suppliers[{i}]")
            )
        try:
            if to_fen(s.max_unit_price) == 0:
                raise DomainError("INVALID_AMOUNT", "above zero")
        except DomainError:
            problems.append(
                Problem(
                    "MAX_PRICE_REQUIRED",
                    "a maximum unit price above zero (MOF Order 110)",
                    f"suppliers[{i}].maxUnitPrice",
                )
            )
    return problems


async def _registered(suppliers: list[DesignatedInput], problems: list[Problem]) -> dict:
    """{organisation id: its row} of the entry's suppliers; NOT_A_SUPPLIER appended to
    `problems` for each that is not a supplier organisation of the registry."""
    with all_tenants("designated suppliers are registered once for the province"):
        orgs = {
            r["id"]: r
            for r in await Organisation.select(
                Organisation.id, Organisation.name, Organisation.kind
            ).where(Organisation.id.is_in([s.organisation_id for s in suppliers] or [0]))
        }
    for i, s in enumerate(suppliers):
        if orgs.get(s.organisation_id, {}).get("kind") != "supplier":
            problems.append(Problem("NOT_A_SUPPLIER", "a supplier organisation", f"suppliers[{i}]"))
    return orgs


async def _designate(
    tenant: str, agreement_id: int, suppliers: list[DesignatedInput], orgs: dict, entry: str
) -> None:
    await DesignatedSupplier.insert(
        *(
            DesignatedSupplier(
                tenant_id=tenant,
                agreement=agreement_id,
                supplier_organisation=s.organisation_id,
                supplier_name=orgs[s.organisation_id]["name"],
                item=s.item.strip()[:200],
                unit=s.unit.strip()[:8],
                max_unit_fen=to_fen(s.max_unit_price),
                entry=entry,
            )
            for s in suppliers
        )
    )


def _listed(suppliers: list[DesignatedInput], orgs: dict) -> str:
    return "\n".join(
        f"{orgs[s.organisation_id]['name']}：{s.item.strip()}，最高限价 "
        f"{to_yuan(to_fen(s.max_unit_price))} 元/{s.unit.strip()}"
        for s in suppliers
    )


@requires(Perm.MALL_AGREEMENT_MANAGE)
async def record(actor: CurrentUser, data: AgreementInput) -> dict:
    """Record an awarded framework agreement of the actor's region and publish its list."""
    tenant = actor.tenant
    category = await get_category(data.category_code)
    problems = await _problems(tenant, data)
    async with transaction():
        orgs = await _registered(data.suppliers, problems)
        if problems:
            raise DomainError.many(problems)
        row = FrameworkAgreement(
            tenant_id=tenant,
            title=data.title.strip(),
            category_code=category["code"],
            kind=data.kind,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            entrants=data.entrants,
            recorded_by=actor.id,
        )
        await row.save()
        await _designate(tenant, row.id, data.suppliers, orgs, "initial")
        agreement = await get(row.id)
        await AGREEMENT.created(agreement, {"suppliers": len(data.suppliers)}, "record")
        await portal.publish(
            portal.Publication(
                kind="result",
                source=f"framework_agreement:{row.id}",
                tenant=tenant,
                title=f"{data.title.strip()}框架协议入围结果公告"[:200],
                body=f"协议期限：{data.starts_on} 至 {data.ends_on}。参与 {data.entrants} 家，"
                f"入围 {len(data.suppliers)} 家：\n{_listed(data.suppliers, orgs)}",
                published_on=today(),
                method="framework_agreement",
                category_code=category["code"],
                object_type=data.kind,
                suppliers=tuple(
                    portal.Supplier(s.organisation_id, orgs[s.organisation_id]["name"])
                    for s in data.suppliers
                ),
                details={"framework_agreement_id": row.id},
            )
        )
        return agreement


async def get(agreement_id: int) -> dict:
    row = await FrameworkAgreement.select().where(FrameworkAgreement.id == agreement_id).first()
    if row is None:
        raise NotFound("framework agreement", agreement_id)
    return row


async def designated_of(agreement_ids: list[int]) -> list[list[dict]]:
    """Each agreement's designated suppliers (for agreements the caller could read)."""
    with all_tenants(REGION_SCOPE):
        rows = await DesignatedSupplier.select().where(
            DesignatedSupplier.agreement.is_in(agreement_ids)
        )
    grouped: dict[int, list[dict]] = {}
    for r in rows:
        grouped.setdefault(r["agreement"], []).append(r)
    return [sorted(grouped.get(a, []), key=lambda r: r["id"]) for a in agreement_ids]


@requires(Perm.MALL_ORDER_READ)
async def search(
    actor: CurrentUser, status: str | None, first: int | None, after: str | None
) -> Page:
    """The agreements of the actor's region, its subtree and the regions above it: those its
    purchasers order under, or its staff keep."""
    regions = await region_and_around(actor.tenant)
    with all_tenants(REGION_SCOPE):
        query = FrameworkAgreement.select().where(FrameworkAgreement.tenant_id.is_in(regions))
        if status:
            query = query.where(FrameworkAgreement.status == status)
        return await keyset_page(query, FrameworkAgreement.id, first, after)


@requires(Perm.MALL_ORDER_PLACE)
async def order(actor: CurrentUser, data: DesignatedOrderInput) -> dict:
    """A designated purchase: a designated supplier of an agreement of the purchaser's region
    or above, in force today, at a unit price within the supplier's maximum."""
    unit = await purchaser_unit(actor)
    with all_tenants(REGION_SCOPE):
        designated = (
            await DesignatedSupplier.select()
            .where(DesignatedSupplier.id == data.designated_id)
            .first()
        )
        agreement = await get(designated["agreement"]) if designated else None
    if agreement is None or agreement["tenant_id"] not in await regions_above(unit["tenant_id"]):
        raise NotFound("designated supplier", data.designated_id)
    check_in_force(agreement)
    fen = to_fen(data.unit_price, "unitPrice")
    if fen == 0 or fen > designated["max_unit_fen"]:
        raise DomainError(
            "OVER_MAX_PRICE",
            f"a unit price above zero and at most {to_yuan(designated['max_unit_fen'])} yuan "
            "(the agreement's maximum)",
            "unitPrice",
        )
    if not 1 <= data.quantity <= orders.MAX_QUANTITY:
        raise DomainError("INVALID_QUANTITY", f"1 to {orders.MAX_QUANTITY}", "quantity")
    if designated["status"] != "active":
        raise DomainError("NOT_DESIGNATED", "the supplier has been withdrawn from the agreement")
    band = await second_stage_band_fen(unit["tenant_id"])
    if band is not None and fen * data.quantity > band:
        raise DomainError(
            "SECOND_STAGE_REQUIRED",
            f"{to_yuan(fen * data.quantity)} yuan is above the second-stage band of "
            f"{to_yuan(band)} yuan in your region: open a second-stage competition among the "
            "agreement's designated suppliers (openSecondStageCompetition)",
            "quantity",
        )
    return await orders.create(
        actor,
        unit,
        data.plan_id,
        data.indicator_id,
        orders.Terms(
            mode="designated_purchase",
            supplier_organisation=designated["supplier_organisation"],
            supplier_name=designated["supplier_name"],
            category_code=agreement["category_code"],
            title=f"{designated['item']}（{agreement['title']}）"[:200],
            maker="",
            quantity=data.quantity,
            unit_fen=fen,
            agreement=agreement["id"],
        ),
    )


async def _usable(unit: dict, agreement_id: int) -> dict:
    """An agreement of the purchaser unit's region or above, in force today."""
    with all_tenants(REGION_SCOPE):
        agreement = (
            await FrameworkAgreement.select().where(FrameworkAgreement.id == agreement_id).first()
        )
    if agreement is None or agreement["tenant_id"] not in await regions_above(unit["tenant_id"]):
        raise NotFound("framework agreement", agreement_id)
    check_in_force(agreement)
    return agreement


@requires(Perm.MALL_DEMAND_POST)
async def open_second_stage(actor: CurrentUser, data: SecondStageInput) -> dict:
    """Open a second-stage competition (二次竞价, MOF Order 110) among the active designated
    suppliers of an agreement of the purchaser's region or above: a demand of the agreement's
    category whose ceiling is the highest of their maximum unit prices (each supplier quotes at
    most its own), sealed until `closes_at`, which must fall within the agreement's term."""
    unit = await purchaser_unit(actor)
    agreement = await _usable(unit, data.agreement_id)
    if data.closes_at.tzinfo is not None and data.closes_at > end_of(agreement["ends_on"]):
        raise DomainError(
            "INVALID_WINDOW",
            f"a response window ending within the agreement's term (to {agreement['ends_on']})",
            "closesAt",
        )
    with all_tenants(REGION_SCOPE):
        active = await DesignatedSupplier.select(DesignatedSupplier.max_unit_fen).where(
            (DesignatedSupplier.agreement == agreement["id"])
            & (DesignatedSupplier.status == "active")
        )
    minimum = int(await rule_value("emall_second_stage_min_quotes", unit["tenant_id"]))
    if len(active) < minimum:
        raise DomainError(
            "TOO_FEW_DESIGNATED",
            f"the agreement has {len(active)} active designated suppliers, fewer than the "
            f"{minimum} a second-stage competition needs",
            "agreementId",
        )
    demand = auctions.DemandInput(
        plan_id=data.plan_id,
        indicator_id=data.indicator_id,
        category_code=agreement["category_code"],
        title=data.title,
        quantity=data.quantity,
        unit=data.unit,
        ceiling_unit_price=to_yuan(max(r["max_unit_fen"] for r in active)),
        closes_at=data.closes_at,
        delivery=data.delivery,
        specs=data.specs,
    )
    return await auctions.open_demand(
        actor, unit, demand, "designated_purchase", minimum, agreement["id"]
    )


async def _organised(actor: CurrentUser, agreement_id: int) -> dict:
    """The agreement, read in the transaction after its lock, if the actor's region awarded it."""
    await serialize_writes(f"emall:agreement:{agreement_id}")
    try:
        agreement = await get(agreement_id)
    except NotFound:
        agreement = None
    if agreement is None or agreement["tenant_id"] != actor.tenant:
        raise NotFound("framework agreement", agreement_id)
    return agreement


def _in_force(agreement: dict) -> None:
    """Active and not past its term: what a withdrawal and a top-up entry need (unlike an order,
    common.check_in_force, they may come before the term starts)."""
    if agreement["status"] != "active" or today() > agreement["ends_on"]:
        raise DomainError("AGREEMENT_NOT_IN_FORCE", "the framework agreement is not in force")


@requires(Perm.MALL_AGREEMENT_MANAGE)
async def withdraw_designated(actor: CurrentUser, designated_id: int, reason: str) -> dict:
    """The awarding region withdraws a designated supplier from its agreement in force, saying
    why (compare-and-set; audited): no designated order or second-stage quote from it after."""
    reason = reason.strip()
    if not 2 <= len(reason) <= 500:
        raise DomainError("INVALID_REASON", "why, in 2 to 500 characters", "reason")
    async with transaction():
        row = (
            await DesignatedSupplier.select().where(DesignatedSupplier.id == designated_id).first()
        )
        if row is None or row["tenant_id"] != actor.tenant:
            raise NotFound("designated supplier", designated_id)
        _in_force(await _organised(actor, row["agreement"]))
        return await DESIGNATED.move(
            actor,
            row,
            "withdraw",
            {DesignatedSupplier.reason: reason},
            {"agreement": row["agreement"], "supplier": row["supplier_organisation"]},
        )


async def top_up_shares(tenants: list[str]) -> list[int]:
    """emall_framework_top_up_share of each tenant (a batch loader: a page of agreements reads
    each region's rule once)."""
    return [int(await rule_value("emall_framework_top_up_share", t)) for t in tenants]


def top_up_state(agreement: dict, rows: list[dict], share: int) -> dict:
    """How many were first designated, how many are active, and whether the agreement needs a
    top-up entry: active below `share` (emall_framework_top_up_share) percent of the first
    designated."""
    first = sum(1 for r in rows if r["entry"] == "initial")
    active = sum(1 for r in rows if r["status"] == "active")
    return {
        "first": first,
        "active": active,
        "share": share,
        "needed": agreement["status"] == "active" and active * 100 < first * share,
    }


@requires(Perm.MALL_AGREEMENT_MANAGE)
async def top_up(actor: CurrentUser, agreement_id: int, data: TopUpInput) -> dict:
    """Record a top-up entry (补充征集, MOF Order 110) of an agreement the actor's region awarded:
    only while it needs one (fewer than emall_framework_top_up_share percent of those first
    designated remain), with the first entry's checks (elimination share, a maximum unit price
    each, registry suppliers, none designated already); its term is not extended. The new
    suppliers' list is published."""
    problems = await _entry_problems(actor.tenant, data.entrants, data.suppliers)
    async with transaction():
        agreement = await _organised(actor, agreement_id)
        _in_force(agreement)
        rows = (await designated_of([agreement_id]))[0]
        (share,) = await top_up_shares([agreement["tenant_id"]])
        state = top_up_state(agreement, rows, share)
        if not state["needed"]:
            raise DomainError(
                "TOP_UP_NOT_NEEDED",
                f"{state['active']} of the {state['first']} suppliers first designated remain: "
                f"a top-up entry only below {state['share']}% (MOF Order 110)",
            )
        orgs = await _registered(data.suppliers, problems)
        already = {r["supplier_organisation"] for r in rows}
        for i, s in enumerate(data.suppliers):
            if s.organisation_id in already:
                problems.append(
                    Problem(
                        "ALREADY_DESIGNATED",
                        "a supplier not designated by the agreement before",
                        f"suppliers[{i}]",
                    )
                )
        if problems:
            raise DomainError.many(problems)
        # Compare-and-set on the agreement too: one top-up of what was read wins.
        won = await (
            FrameworkAgreement.update(
                {
                    FrameworkAgreement.revision: FrameworkAgreement.revision + 1,
                    FrameworkAgreement.updated_at: now(),
                }
            )
            .where(
                (FrameworkAgreement.id == agreement_id)
                & (FrameworkAgreement.revision == agreement["revision"])
            )
            .returning(FrameworkAgreement.revision)
        )
        if not won:
            raise DomainError("CONFLICT", "the framework agreement changed since you read it")
        await _designate(agreement["tenant_id"], agreement_id, data.suppliers, orgs, "top_up")
        await audit.record(
            "framework_agreement.top_up",
            "framework_agreement",
            agreement_id,
            detail={
                "entrants": data.entrants,
                "suppliers": [s.organisation_id for s in data.suppliers],
                "active_before": state["active"],
                "first": state["first"],
            },
            tenant=agreement["tenant_id"],
        )
        category = await get_category(agreement["category_code"])
        await portal.publish(
            portal.Publication(
                kind="result",
                source=f"framework_agreement:{agreement_id}:top_up:{won[0]['revision']}",
                tenant=agreement["tenant_id"],
                title=f"{agreement['title']}框架协议补充征集入围结果公告"[:200],
                body=f"原入围 {state['first']} 家，现存 {state['active']} 家，不足"
                f"{state['share']}%，补充征集。协议期限不变：{agreement['starts_on']} 至 "
                f"{agreement['ends_on']}。参与 {data.entrants} 家，入围 {len(data.suppliers)} "
                f"家：\n{_listed(data.suppliers, orgs)}",
                published_on=today(),
                method="framework_agreement",
                category_code=category["code"],
                object_type=agreement["kind"],
                suppliers=tuple(
                    portal.Supplier(s.organisation_id, orgs[s.organisation_id]["name"])
                    for s in data.suppliers
                ),
                details={"framework_agreement_id": agreement_id, "top_up": True},
            )
        )
        return await get(agreement_id)
