"""Demo data of the e-mall: three more suppliers of desktop computers (A02010104) with an
account each and a listing serving Meizhou or Xingning, so that a reverse auction in Xingning
draws four quotes (the demo's own Xingning supplier is the fourth), and two vehicle repair
garages of Meizhou for a designated-procurement agreement. Names are fictional.

Not part of the default demo (gpcloud.demo.REGISTRY_DEMOS): the e-mall walk
(docs/emall_walk.py) seeds it. Idempotent.

`seed_price_alerts` is `gpcloud serve --demo`'s (gpcloud.demo.SERVE_DEMOS): a supplier of
Meizhou and one of Xingning each raise a listing's price by more than the tolerance, and price
monitoring flags it, so that the operating centre's review and both regions' e-mall figures
(analytics) have something to show.
"""

from __future__ import annotations

from decimal import Decimal

from gpcloud.core.auth import passwords
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.service import prices
from gpcloud.registries.goods.service import listings, search
from gpcloud.registries.goods.tables import SupplierListing

DEMO_PASSWORD = "Gpcloud#2021"
ITEM = "GD-A02010104-000002"  # 台式计算机（通用办公型）
# organisation, region, username, price, stock
BIDDERS = (
    ("梅州市嘉联信息技术有限公司", "441400", "mz.bidder1", "4260.00", 60),
    ("兴宁市华兴电脑科技有限公司", "441481", "xn.bidder2", "4240.00", 35),
    ("梅州市梅江区粤信电脑经营部", "441400", "mz.bidder3", "4290.00", 50),
    # Garages: no listing (designated suppliers are chosen by a framework agreement).
    ("梅州市安达汽车维修服务有限公司", "441400", "mz.garage1", None, 0),
    ("梅州市顺通汽车修理厂", "441400", "mz.garage2", None, 0),
)

# Price rises monitoring flags (history basis: more than emall_price_tolerance, 20%, above the
# price it saw first), by demo suppliers no walk or test buys from (registries/suppliers/demo.py):
# organisation, region, goods item, first price, raised price, stock.
PRICE_RISES = (
    (
        "梅州市嘉应云数信息技术有限公司",
        "441400",
        "GD-A02010103-000001",  # 机架式服务器（2U双路）
        "29800.00",
        "36800.00",
        4,
    ),
    (
        "兴宁市宁江五金机电有限公司",
        "441481",
        "GD-A0206180202-000001",  # 柜式空调（3匹，一级能效）
        "6900.00",
        "8600.00",
        10,
    ),
)


async def seed() -> list[str]:
    """The bidders' organisations, accounts (demo password) and listings; the usernames made."""
    made = []
    password_hash = await passwords.hash_password(DEMO_PASSWORD)
    with all_tenants("e-mall demo: suppliers of several regions"):
        async with transaction():
            found = (await search.search_items(search.GoodsItemFilter(code=ITEM), 1, None)).rows
            if not found:
                raise RuntimeError("seed the goods demo first")
            item = found[0]
            for name, region, username, price, stock in BIDDERS:
                org = (
                    await Organisation.select(Organisation.id)
                    .where(Organisation.name == name)
                    .first()
                )
                if org is None:
                    row = Organisation(name=name, kind="supplier", region=region)
                    await row.save()
                    org = {"id": row.id}
                if not await User.exists().where(User.username == username):
                    user = User(
                        tenant_id=region,
                        organisation=org["id"],
                        username=username,
                        password_hash=password_hash,
                        display_name="电子卖场销售专员",
                        mobile="13800000000",
                        email=f"{username}@demo.example.com",
                        must_change_password=False,
                    )
                    await user.save()
                    await UserRole(tenant_id=region, user=user.id, role="supplier").save()
                    made.append(username)
                if price is None:
                    continue
                listed = await search.search_listings(
                    search.ListingFilter(goods_item_id=item["id"], organisation_id=org["id"]),
                    1,
                    None,
                )
                if not listed.rows:
                    with use_scope((await tenant_tree()).scope_for("440000")):
                        await listings.create_listing(
                            None,
                            listings.ListingInput(
                                organisation_id=org["id"],
                                goods_item_id=item["id"],
                                price=Decimal(price),
                                stock=stock,
                                regions=[region],
                            ),
                        )
    return made


async def seed_price_alerts() -> int:
    """List each PRICE_RISES item at its first price, let monitoring see it, raise the price and
    let monitoring judge it again (an alert); the alerts raised. Skips a supplier that lists the
    item already (or is not seeded)."""
    raised = 0
    with all_tenants("e-mall demo: price monitoring of several regions"):
        async with transaction():
            with use_scope((await tenant_tree()).scope_for("440000")):
                for name, region, code, first, then, stock in PRICE_RISES:
                    found = await search.search_items(search.GoodsItemFilter(code=code), 1, None)
                    org = (
                        await Organisation.select(Organisation.id)
                        .where((Organisation.name == name) & (Organisation.kind == "supplier"))
                        .first()
                    )
                    if not found.rows or org is None:
                        continue
                    item = found.rows[0]
                    if await SupplierListing.exists().where(
                        (SupplierListing.organisation == org["id"])
                        & (SupplierListing.goods_item == item["id"])
                    ):
                        continue
                    listing = await listings.create_listing(
                        None,
                        listings.ListingInput(
                            organisation_id=org["id"],
                            goods_item_id=item["id"],
                            price=Decimal(first),
                            stock=stock,
                            regions=[region],
                        ),
                    )
                    await prices.check([listing["id"]])
                    await listings.update_listing(
                        None, listing["id"], listings.ListingInput(price=Decimal(then))
                    )
                    raised += len(await prices.check([listing["id"]]))
    return raised
