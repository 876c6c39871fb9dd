"""An e-mall set up through the services: 兴宁市第一中学 (xn.purchaser) with a filed plan of
3,000,000.00 on a 5,000,000.00 indicator, and listings of desktop computers (A02010104) by
three makers serving Xingning, for the tests of each mode."""

from __future__ import annotations

import itertools
from decimal import Decimal

from gpcloud.core.auth.service import load_current_user
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.goods import demo as goods_demo
from gpcloud.registries.goods.service import items, listings
from gpcloud.registries.purchasers import demo as purchasers_demo
from gpcloud.registries.suppliers import demo as suppliers_demo
from gpcloud.supervision import plans
from tests.integration.procurement import actor, school_indicator

CATEGORY = "A02010104"
_codes = itertools.count(1)


async def org_of(username: str) -> int:
    return (await actor(username)).organisation_id


async def listing(
    organisation: int,
    brand: str,
    price: str,
    stock: int,
    regions=("441481",),
    item_id: int | None = None,
    model: str | None = None,
) -> int:
    """The organisation's listing of goods item `item_id`, or of a new item of `brand` in the
    desktop category: of its own model unless one is given (the same brand, model and unit in
    the category is the same product to the most-favoured price)."""
    number = next(_codes)
    with use_scope((await tenant_tree()).scope_for("440000")):
        async with transaction():
            item = (
                {"id": item_id}
                if item_id
                else await items.create_item(
                    None,
                    items.GoodsItemInput(
                        code=f"GD-{CATEGORY}-9{number:05d}",
                        category_code=CATEGORY,
                        name="台式计算机（测试）",
                        brand=brand,
                        model=model or f"M{number:05d}",
                        unit="台",
                        reference_price=Decimal("99999"),
                    ),
                )
            )
            row = await listings.create_listing(
                None,
                listings.ListingInput(
                    organisation_id=organisation,
                    goods_item_id=item["id"],
                    price=Decimal(price),
                    stock=stock,
                    regions=list(regions),
                ),
            )
    return row["id"]


async def emall_world(plan_amount: str = "3000000") -> dict:
    for module in (purchasers_demo, suppliers_demo, goods_demo):
        await module.seed()
    scope = (await tenant_tree()).scope_for("441481")
    with use_scope(scope):
        unit, indicator = await school_indicator()
        purchaser = await actor("xn.purchaser")
        plan = await plans.create(
            purchaser,
            plans.PlanInput(
                "办公设备电子卖场采购",
                "goods",
                "request_for_quotation",
                [plans.LineInput(indicator, Decimal(plan_amount))],
                intention_exemption="agreement_or_designated_small",
                category_code=CATEGORY,
            ),
        )
        await plans.submit(purchaser, plan["id"])
        await plans.file(await actor("xn.supervisor"), plan["id"])
    xn, mz = await org_of("xn.supplier"), await org_of("mz.supplier")
    with all_tenants("test"):
        names = {
            r["id"]: r["name"]
            for r in await Organisation.select(Organisation.id, Organisation.name).where(
                Organisation.id.is_in([xn, mz])
            )
        }
    return {
        "scope": scope,
        "unit": unit,
        "plan": plan["id"],
        "indicator": indicator,
        "purchaser": purchaser,
        "supervisor": await actor("xn.supervisor"),
        "seller": await actor("xn.supplier"),
        "other_seller": await actor("mz.supplier"),
        "xn": xn,
        "mz": mz,
        "names": names,
    }


async def new_supplier(name: str, region: str = "441481"):
    """A supplier organisation with one supplier user; the user (CurrentUser)."""
    with all_tenants("test: a supplier and its user"):
        async with transaction():
            org = Organisation(name=name, kind="supplier", region=region)
            await org.save()
            user = User(
                tenant_id=region,
                organisation=org.id,
                username=f"sup{next(_codes)}",
                password_hash="x",
            )
            await user.save()
            await UserRole(tenant_id=region, user=user.id, role="supplier").save()
    return await load_current_user(user.id)
