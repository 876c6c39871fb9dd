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
payment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gpcloud.core import publishing as portal
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.emall.service import orders
from gpcloud.emall.service.common import region_and_around, regions_above, rule_value
from gpcloud.emall.service.machines import AGREEMENT
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
    chosen = {s.organisation_id for s in data.suppliers}
    if not 1 <= len(data.suppliers) <= MAX_SUPPLIERS or len(chosen) != len(data.suppliers):
        problems.append(
            Problem("INVALID_SUPPLIERS", f"1 to {MAX_SUPPLIERS} different suppliers", "suppliers")
        )
    share = int(await rule_value("emall_framework_elimination", tenant))
    eliminated = data.entrants - len(chosen)
    if eliminated < 1 or eliminated * 100 < data.entrants * share:
        problems.append(
            Problem(
                "TOO_FEW_ELIMINATED",
                f"entry eliminates at least {share}% of the entrants and at least one "
                f"(MOF Order 110): {data.entrants} entered, {len(chosen)} designated",
                "entrants",
            )
        )
    for i, s in enumerate(data.suppliers):
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


@requires(Perm.MALL_AGREEMENT_MANAGE)
async def record(actor: CurrentUser, data: AgreementInput) -> dict:
    """Record an awarded framework agreement of the actor's region and publish its list."""
    tenant = actor.tenant
    category = await get_category(data.category_code)
    problems = await _problems(tenant, data)
    async with transaction():
        with all_tenants("designated suppliers are registered once for the province"):
            orgs = {
                r["id"]: r
                for r in await Organisation.select(
                    Organisation.id, Organisation.name, Organisation.kind
                ).where(Organisation.id.is_in([s.organisation_id for s in data.suppliers] or [0]))
            }
        for i, s in enumerate(data.suppliers):
            if orgs.get(s.organisation_id, {}).get("kind") != "supplier":
                problems.append(
                    Problem("NOT_A_SUPPLIER", "a supplier organisation", f"suppliers[{i}]")
                )
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
        await DesignatedSupplier.insert(
            *(
                DesignatedSupplier(
                    tenant_id=tenant,
                    agreement=row.id,
                    supplier_organisation=s.organisation_id,
                    supplier_name=orgs[s.organisation_id]["name"],
                    item=s.item.strip()[:200],
                    unit=s.unit.strip()[:8],
                    max_unit_fen=to_fen(s.max_unit_price),
                )
                for s in data.suppliers
            )
        )
        agreement = await get(row.id)
        await AGREEMENT.created(agreement, {"suppliers": len(data.suppliers)}, "record")
        listed = "\n".join(
            f"{orgs[s.organisation_id]['name']}：{s.item.strip()}，最高限价 "
            f"{to_yuan(to_fen(s.max_unit_price))} 元/{s.unit.strip()}"
            for s in data.suppliers
        )
        await portal.publish(
            portal.Publication(
                kind="result",
                source=f"framework_agreement:{row.id}",
                tenant=tenant,
                title=f"{data.title.strip()}框架协议入围结果公告"[:200],
                body=f"协议期限：{data.starts_on} 至 {data.ends_on}。参与 {data.entrants} 家，"
                f"入围 {len(data.suppliers)} 家：\n{listed}",
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
    on = today()
    if agreement["status"] != "active" or not agreement["starts_on"] <= on <= agreement["ends_on"]:
        raise DomainError("AGREEMENT_NOT_IN_FORCE", "the framework agreement is not in force")
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
